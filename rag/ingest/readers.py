"""Readers for .docx, .pdf and .html (a saved portal page through rag.ingest.web_page). Text and
Markdown files are read in rag.ingest.loading."""
from __future__ import annotations

import re
from pathlib import Path

from rag.core.errors import DocumentError
from rag.ingest.decoding import LoadedText, decode_bytes
from rag.ingest.web_page import main_content


def read(path: Path) -> LoadedText:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        text, title = _docx_text(path)
        return LoadedText(text, "docx", title=title, reader="docx")
    if suffix == ".pdf":
        return LoadedText(_pdf_text(path), "pdf", reader="pdf")
    if suffix in (".html", ".htm"):
        raw = decode_bytes(path.read_bytes(), path.name)
        whole = html_text(raw.text)
        page = main_content(raw.text, whole)
        if page is not None:
            return LoadedText(page[0], raw.encoding, title=page[1], reader="web page")
        return LoadedText(whole, raw.encoding, reader="html")
    raise DocumentError(f"{path.name}: unsupported file type {suffix}")


def _docx_text(path: Path) -> tuple[str, str]:
    """(paragraphs and tables in body order, the title): a table between two clauses stays
    between them; the title is the paragraph styled as the title (Title, or the first
    Heading 1), as a Markdown "# " line is. Headings stay lines of their own."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"{path.name}: not a readable .docx file ({exc.__class__.__name__}: {exc})") from exc
    lines: list[str] = []
    title = ""
    for block in document.iter_inner_content():
        if isinstance(block, Table):  # tables become tab-separated rows, as the chunker expects
            lines.append("")
            lines.extend("\t".join(cell.text.strip() for cell in row.cells) for row in block.rows)
            lines.append("")
        else:
            style = (block.style.name if block.style is not None else "").lower()
            if not title and block.text.strip() and style in ("title", "heading 1", "标题", "标题 1"):
                title = block.text.strip()
            lines.append(block.text)
    return "\n".join(lines), title


# page furniture a PDF's text layer repeats on every page: page numbers ("— 3 —", "第 3 页",
# "- 3 -", "3/12") and running headers or footers
_PAGE_NUMBER = re.compile(r"^[\s—–\-－]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[\s—–\-－]*$")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"{path.name}: not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    text = "\n".join(strip_page_furniture(pages))
    if len(text.strip()) < 20:
        raise DocumentError(f"{path.name}: the PDF has no text layer (scanned?); it needs OCR first")
    return text


def strip_page_furniture(pages: list[str]) -> list[str]:
    """Pages without their page numbers and without a first or last line that recurs on most
    pages (a running header or footer), so neither becomes a heading or splits a clause."""
    split = [[ln for ln in page.split("\n")] for page in pages]
    edges: dict[str, int] = {}
    for lines in split:
        content = [ln.strip() for ln in lines if ln.strip()]
        for line in {*content[:1], *content[-1:]}:
            edges[line] = edges.get(line, 0) + 1
    running = {line for line, n in edges.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    return ["\n".join(ln for ln in lines if not _PAGE_NUMBER.match(ln) and ln.strip() not in running)
            for lines in split]


# inline elements run on inside a sentence; everything else starts a new line
_INLINE = {"a", "span", "b", "strong", "i", "em", "u", "font", "sub", "sup", "small", "big", "abbr",
           "code", "mark", "label", "s", "strike", "ins", "del", "q", "cite", "time"}


def html_text(raw: str) -> str:
    """A page read whole (a fragment with no main content to find): its text a block a line,
    scripts, styles, navigation, header and footer dropped, table rows as tab-separated cells."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "iframe", "form"]):
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
        row.replace_with("\n" + "\t".join(cells) + "\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(True):
        if tag.name not in _INLINE:
            tag.insert_after(NavigableString("\n"))
    text = soup.get_text("")
    # source indentation and line breaks inside a paragraph's HTML are not the document's
    return "\n".join(re.sub(r"[ \u3000\xa0\r]+", " ", line).strip(" ") for line in text.split("\n"))
