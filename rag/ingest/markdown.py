"""Markdown as law repositories publish it: ``# title``, ``## 第一章　总则``, an ``<!-- … -->``
comment between the header and the body, now and then ``**bold**``, links or a pipe table.

The text is parsed by markdown-it-py (the CommonMark parser Gradio already installs) and its
markup is blanked in place: every markup character becomes a space (a table's pipes become
tabs, as the chunker reads table rows), so a chunk's character offsets still point into the
file as decoded, and what is left is the document's own words. Headings stay lines of their
own: the first level-1 heading is the title, ``##`` headings are chapters and sections (the
chunker reads 第一章/第一节 from their words).
"""
from __future__ import annotations

import re
from functools import lru_cache

# inline markup inside a line: emphasis, code spans, images and links (the link text stays)
_EMPHASIS = re.compile(r"(\*\*|__|\*|`+)(?=\S)|(?<=\S)(\*\*|__|\*|`+)")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_HEADING_MARKS = re.compile(r"^(\s{0,3}#{1,6}[ \t]+)(.*?)([ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^(\s*)([-*+])([ \t]+)")
_QUOTE = re.compile(r"^(\s*>+[ \t]?)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _row(line: str) -> str:
    """A pipe-table row as the chunker reads rows: cells between tabs (the outer pipes blanked)."""
    stripped = line.strip()
    start, end = line.index(stripped), line.index(stripped) + len(stripped)
    inner = stripped[1 if stripped.startswith("|") else 0: -1 if stripped.endswith("|") else None]
    lead, tail = (" " if stripped.startswith("|") else ""), (" " if stripped.endswith("|") else "")
    return line[:start] + lead + inner.replace("|", "\t") + tail + line[end:]


def _inline(line: str) -> str:
    line = _LINK.sub(lambda m: "  " + m.group(1) + " " * (len(m.group(0)) - len(m.group(1)) - 2)
                     if not m.group(0).startswith("!") else _blank(m.group(0)), line)
    return _EMPHASIS.sub(lambda m: " " * len(m.group(0)), line)


def plain_text(source: str) -> tuple[str, str]:
    """(the text with its markup blanked, the title: the first level-1 heading's words or "")."""
    lines = source.split("\n")
    kinds: dict[int, str] = {}
    title = ""
    for token in _parser().parse(source):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "heading_open":
            kinds[start] = "heading"
            if token.tag == "h1" and not title:
                match = _HEADING_MARKS.match(lines[start])
                title = match.group(2).strip() if match else lines[start].strip(" #")
        elif token.type == "html_block":
            for i in range(start, end):
                kinds[i] = "html"
        elif token.type == "table_open":
            for i in range(start, end):
                kinds[i] = "table"
        elif token.type == "bullet_list_open":
            for i in range(start, end):
                kinds.setdefault(i, "bullet")
        elif token.type == "blockquote_open":
            for i in range(start, end):
                kinds.setdefault(i, "quote")
    out = []
    for i, line in enumerate(lines):
        kind = kinds.get(i)
        if kind == "html":
            line = _blank(line)
        elif kind == "heading":
            match = _HEADING_MARKS.match(line)
            if match:
                marks, words = match.group(1), match.group(2)
                line = " " * len(marks) + words + " " * (len(line) - len(marks) - len(words))
        elif kind == "table":
            line = _blank(line) if _TABLE_RULE.match(line) else _row(line)
        elif kind == "bullet":
            line = _BULLET.sub(lambda m: m.group(1) + " " + m.group(3), line)
        elif kind == "quote":
            line = _QUOTE.sub(lambda m: " " * len(m.group(1)), line)
        out.append(line if kind == "html" else _inline(line))
    return "\n".join(out), _inline(title).strip()
