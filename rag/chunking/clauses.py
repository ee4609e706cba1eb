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
import json
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, Document, MetadataMode, NodeRelationship, TextNode

from rag.extract.facts import facts_of
from rag.extract.injection import flagged_sentences
from rag.extract.measures import measures_json
from rag.extract.targets import targets_json
from rag.chunking.tables import WS, Line, Table, find_tables, label_cells, split_lines

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
_ARTICLE_NUMBER = re.compile(rf"^第([{CN_NUM}\d]+)条")
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
                      "clause_number", "kind", "article", "start_char", "end_char", "part", "parts",
                      "source_file", "source_path", "encoding", "doc_hash", "tokens", "parent_region",
                      "adopted", "issued", "effective", "amendments", "period", "facts", "measures", "flagged", "targets"]


def chunk_id(doc_id: str, clause_path: str, text: str, occurrence: int, fingerprint: str = "") -> str:
    """Content hash: an unchanged clause always gets the same id, so re-ingesting adds nothing;
    the document's metadata fingerprint is part of it, so a title or region edited in
    documents.toml reaches the index at the next ingest."""
    key = f"{doc_id}\n{clause_path}\n{text}\n{occurrence}\n{fingerprint}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# where the file lies and how it was encoded do not change what a chunk says
_FILE_BOOKKEEPING = ("encoding", "source_path", "source_file", "doc_hash")


def metadata_fingerprint(metadata: dict) -> str:
    """A hash of the document-level metadata a chunk carries (everything but the file's own
    bookkeeping), in a fixed order."""
    shown = {k: v for k, v in sorted(metadata.items()) if k not in _FILE_BOOKKEEPING}
    return hashlib.sha256(repr(shown).encode("utf-8")).hexdigest()[:12]


def clause_pieces(text: str, clause: Clause, max_tokens: int, count) -> list[tuple[int, int, int, int, str]]:
    """(part, parts, start, end, shown text) for each chunk of one clause.

    A table row is one piece; a long article is cut at its paragraphs and items, each piece
    that starts inside an enumeration shown after the article's lead-in sentence; any other
    long clause is cut at sentence ends."""
    if clause.kind.startswith("table"):
        spans = [(clause.start, clause.end, clause.text)]
    elif clause.level == "article" and count(clause.text) > max_tokens:
        spans = article_pieces(text, clause.start, clause.end, max_tokens, count)
    else:
        cut = split_span(text, clause.start, clause.end, max_tokens, count)
        spans = [(s, e, clause.text if len(cut) == 1 else clean_block(text[s:e])) for s, e in cut]
    return [(i, len(spans), s, e, shown) for i, (s, e, shown) in enumerate(spans, 1)]


_ITEM = re.compile(rf"^[（(][{CN_NUM}\d]+[）)]")


def article_pieces(text: str, start: int, end: int, max_tokens: int, count) -> list[tuple[int, int, str]]:
    """A long article as pieces of whole paragraphs (款) and items (项), each within the limit
    where a paragraph allows; an item piece is shown after its lead-in ("…按照下列标准…：")."""
    paragraphs = [ln for ln in split_lines(text[start:end]) if not ln.blank]
    pieces: list[list] = []  # [start, end, lead-in]
    lead = ""
    for ln in paragraphs:
        is_item = bool(_ITEM.match(ln.text))
        s, e = start + ln.start, start + ln.end
        piece_lead = lead if is_item else ""
        if pieces and count(clean_block(text[pieces[-1][0]:e])) + count(pieces[-1][2]) <= max_tokens \
                and (is_item or not pieces[-1][2]):
            pieces[-1][1] = e
        else:
            pieces.append([s, e, piece_lead])
        if not is_item:
            lead = ln.text if ln.text.rstrip().endswith(("：", ":")) else ""
    out = []
    for s, e, piece_lead in pieces:
        body = clean_block(text[s:e])
        shown = f"{piece_lead}\n{body}" if piece_lead and not body.startswith(piece_lead) else body
        out.append((s, e, shown))
    return out


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
        fingerprint = metadata_fingerprint(base_meta)
        nodes, seen = [], {}
        for clause in parse_clauses(text):
            for part, parts, start, end, shown in clause_pieces(text, clause, self.max_tokens, count):
                key = (clause.clause_path, shown)
                seen[key] = seen.get(key, 0) + 1
                meta = dict(base_meta)
                facts = facts_of(shown, clause.kind).to_json()  # JSON: Chroma keeps flat values
                meta.update(clause_path=clause.clause_path, clause_number=clause.clause_number,
                            kind=clause.kind, start_char=start, end_char=end, article=clause.article,
                            part=part, parts=parts, tokens=count(shown), facts=facts,
                            measures=measures_json(shown, clause.kind),
                            # sentences addressed to a model: quoted, never given to an LLM
                            flagged=json.dumps(flagged_sentences(shown), ensure_ascii=False),
                            targets=targets_json(shown, clause.kind))
                # the facts are in the id: a better extractor re-reads unchanged clauses
                node = TextNode(
                    id_=chunk_id(doc.node_id, clause.clause_path, shown, seen[key], fingerprint + facts + meta["measures"] + meta["targets"]),
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
