"""Load documents from disk: detect the encoding strictly, extract text, blank web furniture.

Why strict: ``SimpleDirectoryReader`` decodes with ``errors="ignore"``, which turns a GBK file
into silent mojibake. Here a file is decoded as UTF-8 (with or without BOM), UTF-16 (BOM or
NUL pattern) or GB18030, each strictly, and rejected with a reason otherwise.

Cleaning replaces furniture lines (breadcrumbs, "close window", ICP numbers …) with spaces of
the same length, so character offsets of every chunk still point into the decoded source.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from llama_index.core.schema import Document

from rag.core.errors import DocumentError
from rag.core.model import ADDED, CATALOG
from rag.ingest.catalog import CorpusCatalog, infer_info
from rag.ingest.decoding import LoadedText, decode_bytes
from rag.ingest.metadata import read_facts

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | {".docx", ".pdf", ".html", ".htm"}

# Lines that belong to the web page around a policy, not to the policy. General rules,
# not keyed to one site: each names a kind of page furniture.
_FURNITURE = [
    r"(当前位置|您现在的位置|你现在的位置)\s*[:：]",
    r"^(关闭窗口|打印本页|关闭本页|【?打印】?|【?关闭】?|返回顶部|分享到)\s*$",
    r"扫一扫",
    r"ICP\s*备|公网安备|网站标识码|网站地图",
    r"热线.*电话|服务热线",
    r"^(主管|主办|承办|技术支持|版权所有)\s*[:：]",
    r"[Cc]opyright|©",
    r"本页面执行时间|分辨率.*浏览|推荐使用.*浏览器",
    r"^党政机关\s*$",
    # the metadata grid government portals put above a notice
    r"^索\s*引\s*号|^文\s*号\s+\S|^成文日期\s|^发布机构\s|^公开日期\s|^有\s*效\s*性\s",
]
_FURNITURE_RE = re.compile("|".join(f"(?:{p})" for p in _FURNITURE))
_STRIP = " \t\u3000\xa0\ufeff"


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def blank_furniture(text: str) -> str:
    """Replace web-page furniture lines with spaces (same length, offsets stay valid)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _FURNITURE_RE.search(line.strip(_STRIP)):
            lines[i] = " " * len(line)
    return "\n".join(lines)


def extract_text(path: Path) -> LoadedText:
    """Text of a supported file; raises DocumentError with a reason otherwise."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{path.name}: unsupported file type {suffix or '(none)'}; "
                            f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    if suffix in MARKDOWN_SUFFIXES:
        from rag.ingest.markdown import plain_text

        decoded = decode_bytes(path.read_bytes(), path.name)
        text, title = plain_text(normalise(decoded.text))  # the parser counts lines as \n does
        return LoadedText(text, decoded.encoding, title=title, reader="markdown")
    if suffix in TEXT_SUFFIXES:
        return decode_bytes(path.read_bytes(), path.name)
    from rag.ingest import readers  # docx/pdf/html readers load only when needed

    return readers.read(path)


def doc_id_for(path: Path) -> str:
    """A document's id from its file name, extension included: "2016年甘肃省方案.txt" and
    "2016年江西省方案.docx" are two documents, as are policy.txt and policy.pdf."""
    name = re.sub(r"[^\w.-]+", "_", path.name).strip("_.")
    if len(Path(name).stem) < 1:
        name = "doc_" + hashlib.sha1(path.name.encode()).hexdigest()[:8] + path.suffix.lower()
    return name


def load_document(path: Path, catalog: CorpusCatalog) -> Document:
    """One file → one llama-index Document with its metadata and a content hash."""
    path = Path(path)
    loaded = extract_text(path)
    raw = normalise(loaded.text)
    text = blank_furniture(raw)
    if not text.strip(_STRIP + "\n"):
        raise DocumentError(f"{path.name}: no text left after cleaning")
    entry = catalog.for_file(path)
    # the text's own statements (number, dates) are read before web furniture is blanked:
    # portals put the 文号 in the grid above a notice
    info = (entry.completed_from(read_facts(raw)) if entry
            else infer_info(doc_id_for(path), raw, catalog, title=loaded.title))
    metadata = info.as_metadata()
    metadata.update(
        source_file=path.name,
        source_path=str(path.resolve()),
        encoding=loaded.encoding,
        reader=loaded.reader,
        doc_hash=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        file_size=path.stat().st_size,
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        origin=CATALOG if entry else ADDED,
    )
    return Document(text=text, id_=info.doc_id, metadata=metadata)


_FOLDER_NOTE = re.compile(r"^(README|readme|Readme)(\.[a-z]+)?$")


def discover(paths: list[Path]) -> list[Path]:
    """Files to ingest under the given files or folders (metadata file excluded)."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            # a folder's README describes the folder; it is not one of its documents
            found.extend(sorted(f for f in p.rglob("*") if f.is_file()
                                and f.suffix.lower() in SUPPORTED_SUFFIXES
                                and not f.name.startswith(".") and not _FOLDER_NOTE.match(f.name)))
        elif p.is_file():
            found.append(p)
        else:
            raise DocumentError(f"{p}: no such file or folder")
    return found
