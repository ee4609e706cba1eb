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
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from llama_index.core.schema import Document

from rag.corpus import CorpusCatalog, infer_info
from rag.doc_metadata import read_facts
from rag.errors import DocumentError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".html", ".htm"}

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


@dataclass(frozen=True)
class LoadedText:
    text: str
    encoding: str


def decode_bytes(data: bytes, name: str = "document") -> LoadedText:
    """Decode strictly: BOM, UTF-8, UTF-16 (by NUL pattern), GB18030; else a clear error."""
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty")
    boms = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]
    for bom, enc in boms:
        if data.startswith(bom):
            return LoadedText(_decode(data[len(bom):], enc, name), enc)
    sample = data[:4000]
    if b"\x00" in sample:
        # UTF-16 without a BOM: Chinese characters have no NUL bytes, so only the ASCII
        # characters (newlines, digits) show the pattern; decode both ways, keep the readable one
        enc = _utf16_order(data)
        if enc is None:
            raise DocumentError(f"{name}: looks like a binary file, not text")
        return LoadedText(_decode(data, enc, name), enc)
    for enc in ("utf-8", "gb18030"):
        try:
            return LoadedText(_decode(data, enc, name), enc)
        except DocumentError:
            continue
    raise DocumentError(f"{name}: not UTF-8, UTF-16 or GB18030 text; convert it to UTF-8")


def _utf16_order(data: bytes) -> str | None:
    """utf-16-le or utf-16-be when the bytes read as text in that order, else None."""
    if len(data) % 2:
        return None
    best, best_share = None, 0.0
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data[:8000].decode(enc)
        except UnicodeDecodeError:
            continue
        readable = sum(1 for ch in text if ch in "\n\r\t" or "\u4e00" <= ch <= "\u9fff"
                       or " " <= ch <= "~" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
        share = readable / max(1, len(text))
        if share > best_share:
            best, best_share = enc, share
    return best if best_share >= 0.9 else None


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{name}: invalid {encoding} at byte {exc.start}") from exc
    sample = text[:4000]
    odd = sum(1 for ch in sample if unicodedata.category(ch) in ("Co", "Cn", "Cs")
              or (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t"))
    if sample and odd > len(sample) * 0.05:
        raise DocumentError(f"{name}: decodes as {encoding} but is not readable text (binary?)")
    return text


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
    if suffix in TEXT_SUFFIXES:
        return decode_bytes(path.read_bytes(), path.name)
    from rag import formats  # docx/pdf/html readers load only when needed

    return formats.read(path)


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
    info = entry.completed_from(read_facts(raw)) if entry else infer_info(doc_id_for(path), raw, catalog)
    metadata = info.as_metadata()
    metadata.update(
        source_file=path.name,
        source_path=str(path.resolve()),
        encoding=loaded.encoding,
        doc_hash=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
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
