"""Clauses → llama-index nodes: one node per clause or annex row, cut at sentence ends (or at
an article's items, each shown after its lead-in) when longer than the token limit, with ids
that hash the clause and the document's metadata, and the facts, measures, targets and
injection flags the extractors read from it.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Sequence

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, MetadataMode, NodeRelationship, TextNode

from rag.chunking.clauses import SENTENCE_END, Clause, clean_block, parse_clauses
from rag.chunking.tables import WS, split_lines
from rag.core.model import PROVENANCE_KEYS
from rag.core.vocabulary import ITEM_MARKER
from rag.core.words import SEARCH_TERMS_KEY, search_terms
from rag.extract.english import reader_for
from rag.extract.facts import facts_of
from rag.extract.injection import flagged_sentences
from rag.extract.measures import measures_json
from rag.extract.targets import targets_json


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
                      "source_file", "source_path", "encoding", "reader", "doc_hash", "tokens", "parent_region",
                      "adopted", "issued", "effective", "amendments", "period", "facts", "measures", "flagged", "targets", "english",
                      "origin", "added_by", "added_at", "file_size", "file_sha256", SEARCH_TERMS_KEY]


def chunk_id(doc_id: str, clause_path: str, text: str, occurrence: int, fingerprint: str = "") -> str:
    """Content hash: an unchanged clause always gets the same id, so re-ingesting adds nothing;
    the document's metadata fingerprint is part of it, so a title or region edited in
    documents.toml reaches the index at the next ingest."""
    key = f"{doc_id}\n{clause_path}\n{text}\n{occurrence}\n{fingerprint}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# where the file lies and how it was encoded do not change what a chunk says
_FILE_BOOKKEEPING = ("source_path", "doc_hash") + PROVENANCE_KEYS


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


_ITEM = re.compile(rf"^{ITEM_MARKER}")


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
    departments: dict[str, list[str]] = {}  # official names, for each clause's English view

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
        english = reader_for(self.departments)
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
                            targets=targets_json(shown, clause.kind),
                            # what English questions are searched against (rag.extract.english)
                            english=english.view(shown))
                # what BM25 searches, tokenized once here instead of by every serving process
                meta[SEARCH_TERMS_KEY] = " ".join(search_terms(meta.get("title", ""), clause.clause_path, shown))
                # the facts are in the id: a better extractor re-reads unchanged clauses
                node = TextNode(
                    id_=chunk_id(doc.node_id, clause.clause_path, shown, seen[key],
                                 fingerprint + facts + meta["measures"] + meta["targets"] + meta["english"]),
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
