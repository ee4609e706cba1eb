"""Readers for .docx, .pdf and .html. Text files are decoded in rag.ingest."""
from __future__ import annotations

from pathlib import Path

from rag.errors import DocumentError
from rag.ingest import LoadedText, decode_bytes


def read(path: Path) -> LoadedText:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return LoadedText(_docx_text(path), "docx")
    if suffix == ".pdf":
        return LoadedText(_pdf_text(path), "pdf")
    if suffix in (".html", ".htm"):
        return LoadedText(_html_text(path), "html")
    raise DocumentError(f"{path.name}: unsupported file type {suffix}")


def _docx_text(path: Path) -> str:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a broken zip
        raise DocumentError(f"{path.name}: not a readable .docx file ({exc.__class__.__name__})") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # tables become tab-separated rows, as the chunker expects
        lines.append("")
        for row in table.rows:
            lines.append("\t".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise DocumentError(f"{path.name}: not a readable PDF ({exc})") from exc
    text = "\n".join(pages)
    if len(text.strip()) < 20:
        raise DocumentError(f"{path.name}: the PDF has no text layer (scanned?); it needs OCR first")
    return text


def _html_text(path: Path) -> str:
    from bs4 import BeautifulSoup

    raw = decode_bytes(path.read_bytes(), path.name).text
    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "iframe", "form"]):
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
        row.replace_with("\n" + "\t".join(cells) + "\n")
    return soup.get_text("\n")
