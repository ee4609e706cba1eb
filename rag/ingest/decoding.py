"""Strict decoding of document bytes: BOM, UTF-8, UTF-16 (with or without BOM), GB18030.

Why strict: ``SimpleDirectoryReader`` decodes with ``errors="ignore"``, which turns a GBK file
into silent mojibake. Every reader (text files here, HTML in rag.ingest.readers) decodes through this.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rag.core.errors import DocumentError


@dataclass(frozen=True)
class LoadedText:
    text: str
    encoding: str
    title: str = ""  # the title the format itself marks (a Markdown "# …", a page's <h1>), if any
    reader: str = "text"  # how the file was read: text, markdown, docx, pdf, web page


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


