"""Annex tables in plain text: find them and turn each row into labelled cells.

Three layouts occur in government texts copied from web pages or Word files:
  * one row per line, cells separated by tabs;
  * one cell per line (each starting with a tab), rows separated by blank lines;
  * one row per line, cells separated by spaces, each row starting with its serial number
    under a header line that starts with 序号/编号 (a header may wrap onto several lines).
Merged cells make some rows shorter or longer than the header; see :func:`label_cells`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

WS = " \t\u3000\xa0\ufeff"
_SPACE_HEADER = re.compile(r"^(序\s*号|编\s*号|No\.?)\s+\S+\s+\S+")
_SPACE_ROW = re.compile(r"^\d{1,3}\s+\S")


@dataclass
class Line:
    index: int
    start: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    raw: str
    text: str  # stripped

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass
class TableRow:
    cells: list[str]
    start: int
    end: int


@dataclass
class Table:
    first_line: int
    last_line: int
    header: list[str]
    header_start: int
    header_end: int
    rows: list[TableRow] = field(default_factory=list)


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for i, raw in enumerate(text.split("\n")):
        stripped = raw.strip(WS)
        lead = len(raw) - len(raw.lstrip(WS))
        start = offset + lead
        lines.append(Line(i, start, start + len(stripped), raw, stripped))
        offset += len(raw) + 1
    return lines


def label_cells(header: list[str], cells: list[str]) -> list[tuple[str, str]]:
    """Pair cells with column names.

    Equal counts pair one to one. Otherwise the first cell (the serial number) pairs with the
    first column and the rest align from the right, because merged cells in the middle
    columns are what shifts a row; surplus cells join the second column.
    """
    if len(cells) == len(header) or len(header) < 2:
        return list(zip(header, cells))
    pairs = [(header[0], cells[0])]
    rest_h, rest_c = header[1:], cells[1:]
    if len(rest_c) > len(rest_h):
        surplus = len(rest_c) - len(rest_h) + 1
        rest_c = [" ".join(rest_c[:surplus])] + rest_c[surplus:]
    pairs.extend(zip(rest_h[len(rest_h) - len(rest_c):], rest_c))
    return pairs


def find_tables(lines: list[Line]) -> list[Table]:
    tables, i = [], 0
    while i < len(lines):
        table = _tab_table(lines, i) or _space_table(lines, i)
        if table:
            tables.append(table)
            i = table.last_line + 1
        else:
            i += 1
    return tables


def _tab_table(lines: list[Line], i: int) -> Table | None:
    if lines[i].blank or "\t" not in lines[i].raw:
        return None
    j, last = i, i
    while j < len(lines) and (lines[j].blank or "\t" in lines[j].raw):
        if not lines[j].blank:
            last = j
        j += 1
    block = [ln for ln in lines[i:last + 1]]
    content = [ln for ln in block if not ln.blank]
    one_cell = sum(1 for ln in content if len(_tab_cells(ln.raw)) == 1)
    if one_cell > len(content) / 2:
        rows = _cell_per_line_rows(block)
    else:
        rows = [TableRow(_tab_cells(ln.raw), ln.start, ln.end) for ln in content]
    if len(rows) < 2 or len(rows[0].cells) < 2:
        return None
    head = rows[0]
    return Table(i, last, head.cells, head.start, head.end, rows[1:])


def _tab_cells(raw: str) -> list[str]:
    cells = [c.strip(WS) for c in raw.split("\t")]
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _cell_per_line_rows(block: list[Line]) -> list[TableRow]:
    rows, group = [], []
    for ln in block + [Line(-1, 0, 0, "", "")]:
        if ln.blank:
            if group:
                rows.append(TableRow([g.text for g in group], group[0].start, group[-1].end))
                group = []
        else:
            group.append(ln)
    return rows


def _space_table(lines: list[Line], i: int) -> Table | None:
    if not _SPACE_HEADER.match(lines[i].text):
        return None
    header = lines[i].text.split()
    j, header_end = i + 1, lines[i].end
    while j < len(lines) and not _SPACE_ROW.match(lines[j].text):
        for token in lines[j].text.split():
            if token[0] in "(（" and header:
                header[-1] += token
            else:
                header.append(token)
        if not lines[j].blank:
            header_end = lines[j].end
        j += 1
        if j - i > 8:  # a header does not wrap this far: not a table
            return None
    table = Table(i, j - 1, header, lines[i].start, header_end)
    while j < len(lines) and not lines[j].blank:
        ln = lines[j]
        if _SPACE_ROW.match(ln.text) or not table.rows:
            table.rows.append(TableRow(ln.text.split(), ln.start, ln.end))
        else:  # a wrapped row continues on the next line
            row = table.rows[-1]
            row.cells.extend(ln.text.split())
            row.end = ln.end
        table.last_line = j
        j += 1
    return table if table.rows else None
