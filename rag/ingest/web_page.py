"""A policy saved as a government web page: the document inside the portal's page.

The page around a regulation (the navigation bar, breadcrumb, "related files", share buttons,
the footer with its ICP number) is no part of it. Its main content is found by trafilatura, a
maintained extractor measured on news and portal layouts, with tables kept; the title is the
page's <h1> or <title> without the portal's suffix (…_政策法规_XX市人民政府). A page
trafilatura finds no main content in (a bare fragment of HTML) is read whole by
:func:`rag.ingest.readers.html_text`.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from rag.ingest.metadata import TITLE_WORDS

# what portals join to a document's title in <title>: 标题_栏目_网站, 标题 - 网站, 标题｜网站
_TITLE_SEPARATOR = re.compile(r"\s*(?:_|\||｜|\s[-—–]\s)\s*")
_BLOCKS = {"p", "head", "item", "quote", "code"}
_GAPS = re.compile(r"\s+")
# the extractor puts a space where an inline tag was (技术合同</span>交易额): Chinese runs on
# without one, except after a chapter or article number (第一章 总则)
_INLINE_GAP = re.compile(r"(?<![章节条编])(?<=[\u3000-\u9fff\uff00-\uffef]) +(?=[\u3000-\u9fff\uff00-\uffef\d])|"
                         r"(?<=\d) +(?=[\u4e00-\u9fff%％。，；])")


def main_content(html: str, whole: str) -> tuple[str, str] | None:
    """(the document's text, its title) from a saved page whose text read whole is ``whole``;
    None when the extractor finds no main content or nothing around it (a bare fragment of a
    document, better read whole with its own line breaks)."""
    import trafilatura

    extracted = trafilatura.extract(html, output_format="xml", include_tables=True, include_comments=False,
                                    include_links=False, include_images=False)
    if not extracted:
        return None
    lines = [_joined(line) for line in _lines(ElementTree.fromstring(extracted).find("main"))]
    if not any(line.strip() for line in lines):
        return None
    longest = max((len(_GAPS.sub("", line)) for line in whole.split("\n")), default=0)
    if _GAPS.sub("", "".join(lines)) == _GAPS.sub("", whole) or any(len(_GAPS.sub("", ln)) > longest for ln in lines):
        return None  # nothing around the document, or its blocks run together (no main content found)
    metadata = trafilatura.extract_metadata(html)
    title = document_title(metadata.title if metadata and metadata.title else "")
    if title and (not lines or lines[0].strip() != title):
        lines.insert(0, title)
    return "\n".join(lines), title


def document_title(page_title: str) -> str:
    """The document's own title in a page title: the part that names a kind of document
    (条例, 办法 …), else the first part."""
    parts = [p for p in _TITLE_SEPARATOR.split(page_title.strip()) if p]
    return next((p for p in parts if p.endswith(TITLE_WORDS)), parts[0] if parts else "")


def _lines(element) -> list[str]:
    """Text lines of trafilatura's XML: a block a line, a table row its cells joined by tabs."""
    if element is None:
        return []
    lines: list[str] = []
    for child in element:
        if child.tag == "table":
            lines.append("")
            lines.extend("\t".join(" ".join(cell.itertext()).strip() for cell in row) for row in child.iter("row"))
            lines.append("")
        elif child.tag in _BLOCKS:
            lines.extend(part.strip() for part in _text(child).split("\n"))
        else:
            lines.extend(_lines(child))
    return lines


def _joined(line: str) -> str:
    return _INLINE_GAP.sub("", line)


def _text(element) -> str:
    """An element's text with its line breaks (<lb/>) kept."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)
