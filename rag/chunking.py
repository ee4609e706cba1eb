"""Clause chunking: one lowest-level clause of an official document per chunk.

Heading levels come from the pattern *and* the place in the hierarchy: a pattern seen for
the first time opens a level below the current one; a pattern already open closes every
level below it (a sibling). So ``1.`` under ``（一）`` under ``四、`` nests correctly even in a
document that numbers ``1.`` … ``24.`` across sections, and no pattern is ranked by how often
it occurs (RAGFlow's "most frequent pattern" rule is what cuts clause headings from bodies).

Each chunk knows its ``clause_path`` (the heading titles from the top), its ``clause_number``
(``四、（五）1``), its kind (preamble, clause, heading, table_row, table_header) and its
character span in the document text.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, Document, MetadataMode, NodeRelationship, TextNode

from rag.tables import WS, Line, Table, find_tables, label_cells, split_lines

CN_NUM = "一二三四五六七八九十百零〇"
# (kind, pattern, how the number appears in a clause label)
HEADING_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("chapter", re.compile(rf"^第[{CN_NUM}\d]+[章编]")),
    ("section", re.compile(rf"^第[{CN_NUM}\d]+节")),
    ("article", re.compile(rf"^第[{CN_NUM}\d]+条")),
    ("cn", re.compile(rf"^[{CN_NUM}]+、")),
    ("cn_paren", re.compile(rf"^[（(][{CN_NUM}]+[）)]")),
    ("arabic", re.compile(r"^\d{1,3}\s*[.．、](?!\d)")),
    ("arabic_paren", re.compile(r"^[（(]\d{1,3}[）)]")),
    ("bullet", re.compile(r"^(--|——|－－|—|-)\s*(?=\S)")),
]
ANNEX = re.compile(r"^附\s*件\s*\d*\s*[:：]?$")
PATH_SEP = " > "
SENTENCE_END = re.compile(r"(?<=[。；！？;!?])")


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


def heading_title(text: str) -> str:
    """The heading part of a line: up to the first 。 when the body follows on the same line."""
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
        found = heading_kind(line.text)
        if found:
            self._open(found[0], found[1], line)
        elif self.current is None:
            self.current = Clause("preamble", ["前言"], [], line.start, line.end)
        else:
            self.current.end = line.end

    def _open(self, kind: str, number: str, line: Line) -> None:
        previous = self.current
        self._close()
        open_kinds = [k for k, _, _ in self.stack]
        if kind == "annex":
            self.stack = []
        elif kind in open_kinds:  # a sibling (or an ancestor's sibling): close deeper levels
            del self.stack[open_kinds.index(kind):]
        elif previous is not None and previous.kind == "clause" and previous.heading_only:
            previous.kind = "heading"  # a heading whose first content is a sub-clause
        title = "附件" if kind == "annex" else heading_title(line.text)
        label = "附件" if kind == "annex" else number_label(kind, number, title)
        self.stack.append((kind, title, label))
        # a heading whose line also carries body text ("1.标题。正文…") is never heading-only
        inline_body = line.text.rstrip("。：:；; ").lstrip("-—－ ") != title.rstrip("…")
        self.current = Clause("clause", [t for _, t, _ in self.stack], [lab for _, _, lab in self.stack],
                              line.start, line.end, heading_end=-1 if inline_body else line.end)

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


def split_span(text: str, start: int, end: int, max_tokens: int, count) -> list[tuple[int, int]]:
    """Split text[start:end] at sentence ends (。；) into spans of at most max_tokens each.

    A single sentence longer than the limit is cut at commas, then hard, so no piece exceeds it.
    """
    total = count(text[start:end])
    if total <= max_tokens:
        return [(start, end)]
    # aim for equal parts, so no clause ends in a stub of a few words
    target = min(max_tokens, int(total / -(-total // max_tokens) * 1.15))
    cuts = [start + m.start() for m in SENTENCE_END.finditer(text[start:end]) if m.start()]
    pieces, piece_start, last_ok = [], start, start
    for cut in cuts + [end]:
        if count(text[piece_start:cut]) <= target:
            last_ok = cut
            continue
        if last_ok > piece_start:
            pieces.append((piece_start, last_ok))
            piece_start = last_ok
        if count(text[piece_start:cut]) <= max_tokens:
            last_ok = cut  # one sentence over the target but within the limit stays whole
        else:  # one sentence over the limit: cut at commas
            pieces.extend(_hard_split(text, piece_start, cut, max_tokens, count))
            piece_start = last_ok = cut
    if piece_start < end:
        pieces.append((piece_start, end))
    return [(s, e) for s, e in pieces if text[s:e].strip(WS + "\n")]


def _hard_split(text: str, start: int, end: int, max_tokens: int, count) -> list[tuple[int, int]]:
    pieces, s = [], start
    while s < end:
        e = end
        while count(text[s:e]) > max_tokens:
            comma = text.rfind("，", s + 1, e - 1)
            e = comma + 1 if comma > s else s + max(1, (e - s) // 2)
        pieces.append((s, e))
        s = e
    return pieces


def token_counter():
    """tiktoken cl100k counts, loaded through llama-index (it ships the BPE file offline)."""
    from llama_index.core.utils import get_tokenizer

    encode = get_tokenizer()
    return lambda s: len(encode(s))


# metadata kept out of the embedded text / the LLM prompt (ids and offsets are noise there)
_HIDDEN_FROM_EMBED = ["doc_id", "region", "region_en", "issuer", "doc_number", "date", "level",
                      "clause_number", "kind", "start_char", "end_char", "part", "parts",
                      "source_file", "encoding", "doc_hash", "tokens"]


def chunk_id(doc_id: str, clause_path: str, text: str, occurrence: int) -> str:
    """Content hash: an unchanged clause always gets the same id, so re-ingesting adds nothing."""
    h = hashlib.sha256(f"{doc_id}\n{clause_path}\n{text}\n{occurrence}".encode("utf-8")).hexdigest()
    return h[:32]


class ClauseNodeParser(NodeParser):
    """llama-index NodeParser: one TextNode per lowest-level clause (or annex-table row).

    Shown text (``node.text``) is the clause; embedded text is title + clause path + clause
    (``node.get_content(MetadataMode.EMBED)``). Clauses over ``max_tokens`` are split at
    sentence ends into parts that share the clause path.
    """

    max_tokens: int = 400

    @classmethod
    def class_name(cls) -> str:
        return "ClauseNodeParser"

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        count = token_counter()
        out: list[BaseNode] = []
        for doc in nodes:
            out.extend(self.clause_nodes(doc, count))
        return out

    def clause_nodes(self, doc: BaseNode, count) -> list[TextNode]:
        text = doc.get_content(MetadataMode.NONE)
        base_meta = {k: v for k, v in doc.metadata.items()}
        nodes, seen = [], {}
        for clause in parse_clauses(text):
            spans = ([(clause.start, clause.end)] if clause.kind.startswith("table")
                     else split_span(text, clause.start, clause.end, self.max_tokens, count))
            for part, (start, end) in enumerate(spans, 1):
                shown = clause.text if len(spans) == 1 else clean_block(text[start:end])
                key = (clause.clause_path, shown)
                seen[key] = seen.get(key, 0) + 1
                meta = dict(base_meta)
                meta.update(clause_path=clause.clause_path, clause_number=clause.clause_number,
                            kind=clause.kind, start_char=start, end_char=end,
                            part=part, parts=len(spans), tokens=count(shown))
                node = TextNode(
                    id_=chunk_id(doc.node_id, clause.clause_path, shown, seen[key]),
                    text=shown, metadata=meta,
                    start_char_idx=start, end_char_idx=end,
                    excluded_embed_metadata_keys=list(_HIDDEN_FROM_EMBED),
                    excluded_llm_metadata_keys=list(_HIDDEN_FROM_EMBED),
                    metadata_template="{value}", metadata_separator="\n",
                    text_template="{metadata_str}\n{content}",
                )
                node.relationships[NodeRelationship.SOURCE] = doc.as_related_node_info()
                nodes.append(node)
        return nodes
