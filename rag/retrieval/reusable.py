"""What a retriever's successor takes from it rather than compute again: the snapshot and the
work done on each chunk and document, keyed by content (chunk ids are content hashes), so a
new snapshot computes only what changed. Saved beside the index (rag.pipeline.saved_state), it
is what a fresh serving process starts from.
"""
from __future__ import annotations

from dataclasses import dataclass

from rag.index.store import Snapshot
from rag.retrieval.term_index import TermIndex


@dataclass(frozen=True)
class Reusable:
    snapshot: Snapshot
    bm25: TermIndex  # the chunks' Chinese search terms, counted
    english_bm25: TermIndex  # their English views' words, counted
    english_lines: dict[str, str]  # chunk id → its English view as search words
    departments: dict[str, list[str]]  # the official names the English views were written with
    headwords_of: dict[tuple[str, ...], frozenset[str]]  # a document's chunk ids → its dictionary headwords
    units_of: dict[str, tuple[str, ...]]  # chunk id → the units the reader scores (sentences, rows)
