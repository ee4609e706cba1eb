"""Clause structure: the headings of an official document and the clauses under them.

Heading levels come from the pattern *and* the place in the hierarchy: a pattern seen for
the first time opens a level below the current one; a pattern already open closes every
level below it (a sibling). So ``1.`` under ``（一）`` under ``四、`` nests correctly even in a
document that numbers ``1.`` … ``24.`` across sections, and no pattern is ranked by how often
it occurs. Each clause knows its path (the heading titles from the top), its number
(``四、（五）1``), its kind and its character span in the document text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.chunking.tables import WS, Line, Table, find_tables, label_cells, split_lines
from rag.core.vocabulary import CN_NUMERALS, SENTENCE_ENDS

# (kind, pattern, how the number appears in a clause label)
HEADING_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("chapter", re.compile(rf"^第[{CN_NUMERALS}\d]+[章编]")),
    ("section", re.compile(rf"^第[{CN_NUMERALS}\d]+节")),
    ("article", re.compile(rf"^第[{CN_NUMERALS}\d]+条")),
    ("cn", re.compile(rf"^[{CN_NUMERALS}]+、")),
    ("cn_paren", re.compile(rf"^[（(][{CN_NUMERALS}]+[）)]")),
    ("arabic", re.compile(r"^\d{1,3}\s*[.．、](?!\d)")),
    ("arabic_paren", re.compile(r"^[（(]\d{1,3}[）)]")),
    ("bullet", re.compile(r"^(--|——|－－|—|-)\s*(?=\S)")),
]
ANNEX = re.compile(r"^附\s*件\s*\d*\s*[:：]?$")
PATH_SEP = " > "
SENTENCE_END = re.compile(rf"(?<=[{SENTENCE_ENDS};!?])")


@dataclass
class Clause:
    kind: str  # preamble | clause | heading | table_header | table_row
    path: list[str]
    numbers: list[str]
    start: int
    end: int
    heading_end: int = -1
    text: str = ""
    cells: list[tuple[str, str]] = field(default_factory=list)
    level: str = ""  # the heading kind that opened the clause (article, cn_paren, …)

    @property
    def article(self) -> int:
        """The article number (第十八条 → 18) of a clause in article form, else 0."""
        return article_number(self.numbers[0]) if self.numbers else 0

    @property
    def clause_path(self) -> str:
        return PATH_SEP.join(self.path)

    @property
    def clause_number(self) -> str:
        return "".join(self.numbers).strip()

    @property
    def heading_only(self) -> bool:
        return self.end == self.heading_end


def heading_kind(text: str) -> tuple[str, str] | None:
    """(kind, matched number) when the line opens a numbered clause."""
    for kind, pattern in HEADING_PATTERNS:
        match = pattern.match(text)
        if match:
            if kind == "bullet" and len(text) < 4:
                return None
            return kind, match.group(0)
    return None


# the levels of a regulation in article form; below an article, numbered lines are its items
# (项) and stay in the article's chunk, so an item is never cut from its lead-in
STATUTE_LEVELS = ("chapter", "section", "article")
ARTICLE_ITEMS = ("cn_paren", "arabic", "arabic_paren", "bullet")
_ARTICLE_NUMBER = re.compile(rf"^第([{CN_NUMERALS}\d]+)条")
_GAP = re.compile(r"[\s\u3000]+")


def article_number(label: str) -> int:
    """第十八条 → 18 (0 when the label is not an article number)."""
    match = _ARTICLE_NUMBER.match(label)
    return numeral_value(match.group(1)) if match else 0


def numeral_value(numeral: str) -> int:
    """一百二十三 / 123 → 123 (cn2an: the maintained Chinese-numeral library); 0 when not a numeral."""
    import cn2an

    try:
        return int(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError):
        return 0


def _spaced_article(line: str) -> bool:
    number = _ARTICLE_NUMBER.match(line).group(0)
    return len(line) == len(number) or line[len(number)] in WS


def heading_title(text: str, kind: str = "") -> str:
    """The heading part of a line: up to the first 。 when the body follows on the same line.

    An article's title is its number alone (第十八条): its first sentence is body, not a name;
    a chapter's title has the typesetter's spacing removed (第一章　总　　则 → 第一章 总则)."""
    if kind == "article":
        return _ARTICLE_NUMBER.match(text).group(0)
    if kind in ("chapter", "section"):
        number = HEADING_PATTERNS[0 if kind == "chapter" else 1][1].match(text).group(0)
        rest = _GAP.sub("", text[len(number):])
        return f"{number} {rest}".strip()
    cut = text.find("。")
    title = text[:cut] if 0 < cut <= 60 else (text if len(text) <= 60 else text[:30] + "…")
    return title.rstrip("。：:； ").lstrip("-—－ ")


def number_label(kind: str, number: str, title: str) -> str:
    number = number.strip()
    if kind == "arabic":
        return number.rstrip(".．、 ")
    if kind == "bullet":
        return "“" + title + "”"
    return number


class _Walker:
    """Walks the lines of one document and emits clauses (text filled in afterwards)."""

    def __init__(self, text: str):
        self.text = text
        self.lines = split_lines(text)
        self.tables = {t.first_line: t for t in find_tables(self.lines)}
        self.stack: list[tuple[str, str, str]] = []  # (kind, title, label) from the top
        self.clauses: list[Clause] = []
        self.current: Clause | None = None
        self.last_article = 0
        # does this document put a space after an article's number (第一条　…)? Then only such
        # lines open articles; otherwise an article opens only at the next number in sequence
        heads = [ln.text for ln in self.lines if _ARTICLE_NUMBER.match(ln.text)]
        spaced = sum(1 for h in heads if _spaced_article(h))
        self.articles_spaced = spaced >= 2 and spaced * 2 >= len(heads)

    def run(self) -> list[Clause]:
        i = 0
        while i < len(self.lines):
            table = self.tables.get(i)
            if table:
                self._emit_table(table)
                i = table.last_line + 1
                continue
            if not self.lines[i].blank:
                self._line(self.lines[i])
            i += 1
        self._close()
        return self.clauses

    def _line(self, line: Line) -> None:
        if self.stack and ANNEX.match(line.text):
            self._open("annex", "附件", line)
            return
        found = self._heading(line.text)
        if found:
            self._open(found[0], found[1], line)
        elif self.current is None:
            self.current = Clause("preamble", ["前言"], [], line.start, line.end)
        else:
            self.current.end = line.end

    def _heading(self, text: str) -> tuple[str, str] | None:
        """The heading a line opens, judged by the patterns this document actually uses.

        A chapter or section line is a short line of its own; an article opens only where
        the document numbers articles (the number followed by a space, or the next number
        in sequence, whichever the document does), so "第三条规定的…" starting a paragraph
        stays text; below an article,
        numbered lines are the article's items and stay in its chunk."""
        found = heading_kind(text)
        if not found:
            return None
        kind = found[0]
        open_kinds = [k for k, _, _ in self.stack]
        if kind in ("chapter", "section") and (len(text) > 40 or "。" in text):
            return None
        if kind == "article":
            number = article_number(found[1])
            if not (_spaced_article(text) if self.articles_spaced else number == self.last_article + 1):
                return None
            self.last_article = number
        if "article" in open_kinds and kind in ARTICLE_ITEMS:
            return None
        return found

    def _open(self, kind: str, number: str, line: Line) -> None:
        previous = self.current
        self._close()
        open_kinds = [k for k, _, _ in self.stack]
        if kind == "annex":
            self.stack = []
        elif kind in open_kinds:  # a sibling (or an ancestor's sibling): close deeper levels
            del self.stack[open_kinds.index(kind):]
        elif kind in STATUTE_LEVELS and any(STATUTE_LEVELS.index(kind) < STATUTE_LEVELS.index(k)
                                            for k in open_kinds if k in STATUTE_LEVELS):
            # a chapter after articles (or a section after articles) closes them
            del self.stack[min(open_kinds.index(k) for k in open_kinds if k in STATUTE_LEVELS
                               and STATUTE_LEVELS.index(k) >= STATUTE_LEVELS.index(kind)):]
        elif previous is not None and previous.kind == "clause" and previous.heading_only:
            previous.kind = "heading"  # a heading whose first content is a sub-clause
        title = "附件" if kind == "annex" else heading_title(line.text, kind)
        label = "附件" if kind == "annex" else number_label(kind, number, title)
        self.stack.append((kind, title, label))
        # a heading whose line also carries body text ("1.标题。正文…") is never heading-only
        inline_body = line.text.rstrip("。：:；; ").lstrip("-—－ ") != title.rstrip("…")
        if kind in ("chapter", "section"):
            inline_body = False
        self.current = Clause("clause", [t for _, t, _ in self.stack], self._numbers(),
                              line.start, line.end, heading_end=-1 if inline_body else line.end,
                              level=kind)

    def _numbers(self) -> list[str]:
        """The labels that find the clause in the paper text: an article is cited by its own
        number (第十八条), not by its chapter's."""
        labels = [lab for _, _, lab in self.stack]
        kinds = [k for k, _, _ in self.stack]
        if "article" in kinds:
            return labels[kinds.index("article"):]
        return labels

    def _close(self) -> None:
        if self.current is not None:
            self.clauses.append(self.current)
            self.current = None

    def _emit_table(self, table: Table) -> None:
        self._close()
        path = [t for _, t, _ in self.stack] or ["附表"]
        numbers = [lab for _, _, lab in self.stack]
        last = self.clauses[-1] if self.clauses else None
        body = self.text[last.heading_end:last.end] if last is not None and last.heading_end >= 0 else ""
        titles = [b.strip(WS) for b in body.split("\n") if b.strip(WS)]
        if last is not None and last.path == path and titles and all(len(t) <= 40 for t in titles):
            # short lines between a heading (附件) and its table are the table's title
            path = path + ["".join(titles)]
            last.kind = "heading"
        self.clauses.append(Clause("table_header", path + ["表头"], numbers,
                                   table.header_start, table.header_end,
                                   text=" | ".join(table.header)))
        for row in table.rows:
            if row.cells == table.header:  # a header repeated after a page break
                self.clauses.append(Clause("heading", path + ["表头"], numbers, row.start, row.end,
                                           text=" | ".join(row.cells)))
                continue
            cells = label_cells(table.header, row.cells)
            first = f"{cells[0][0]}{cells[0][1]}" if cells else "行"
            self.clauses.append(Clause("table_row", path + [first], numbers + [" " + first],
                                       row.start, row.end, cells=cells))


def clean_block(text: str) -> str:
    """Clause text as shown: lines stripped of indentation, blank lines dropped."""
    return "\n".join(s for s in (ln.strip(WS) for ln in text.split("\n")) if s)


def parse_clauses(text: str) -> list[Clause]:
    """All clauses of a document text, in order, with their text filled in."""
    clauses = _Walker(text).run()
    for c in clauses:
        if c.kind == "table_row":
            c.text = " | ".join(f"{h}: {v}" for h, v in c.cells)
        elif not c.text:
            c.text = clean_block(text[c.start:c.end])
    return clauses


