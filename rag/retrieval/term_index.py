"""BM25 over the chunks' terms, rebuilt in a moment when the library changes.

The scores are those of ``bm25s`` (Lucene variant, k1 = 1.5, b = 0.75, float32, summed term by
term in the question's order), but computed at question time from each term's postings, so
nothing that depends on the whole library (a term's idf, the average length) is baked into
stored weights. A new snapshot's index therefore reuses the term counts of every chunk it shares
with the last one (chunk ids are content hashes) and counts only the chunks that changed.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Callable

import numpy as np
from scipy import sparse

K1, B = 1.5, 0.75

class TermIndex:
    """BM25 over one snapshot's chunks (rows in the snapshot's order).

    Each chunk's term counts are kept row by row in three flat arrays (``row_of`` names a
    chunk's row), so a rebuild reuses a chunk's counts by slicing, and the index is saved as a
    few arrays (rag.pipeline.saved_state)."""

    def __init__(self, chunk_ids: list[str], terms: Callable[[int], list[str]], previous: "TermIndex | None" = None):
        """``terms(i)``: the terms of the i-th chunk, asked only for a chunk ``previous`` lacks."""
        self.term_ids: dict[str, int] = dict(previous.term_ids) if previous is not None else {}  # term → id, only grows
        rows = [previous._row(cid) if previous is not None and cid in previous.row_of else self._count(terms(i))
                for i, cid in enumerate(chunk_ids)]
        self._index(chunk_ids,
                    np.cumsum([0] + [len(ids) for ids, _, _ in rows]).astype(np.int64),
                    np.concatenate([ids for ids, _, _ in rows]) if rows else np.zeros(0, dtype=np.int32),
                    np.concatenate([c for _, c, _ in rows]) if rows else np.zeros(0, dtype=np.float32),
                    np.array([length for _, _, length in rows], dtype=np.int64))

    @classmethod
    def from_rows(cls, chunk_ids: list[str], terms: list[str], rows: dict[str, np.ndarray]) -> "TermIndex":
        """The index :meth:`as_rows` describes (``terms``: every term, in id order)."""
        index = cls.__new__(cls)
        index.term_ids = {t: i for i, t in enumerate(terms)}
        index._index(chunk_ids, rows["row_ptr"], rows["row_terms"], rows["row_counts"], rows["lengths"])
        return index

    def as_rows(self) -> tuple[list[str], list[str], dict[str, np.ndarray]]:
        """The chunk ids in row order, every term in id order and the row arrays: all
        :meth:`from_rows` needs."""
        return list(self.row_of), list(self.term_ids), {
            "row_ptr": self.row_ptr, "row_terms": self.row_terms, "row_counts": self.row_counts, "lengths": self.lengths}

    def _index(self, chunk_ids: list[str], row_ptr: np.ndarray, row_terms: np.ndarray, row_counts: np.ndarray,
               lengths: np.ndarray) -> None:
        """Each chunk's term counts (row by row) and the postings built from them."""
        self.size = len(chunk_ids)
        self.row_of: dict[str, int] = {cid: i for i, cid in enumerate(chunk_ids)}
        self.row_ptr, self.row_terms, self.row_counts, self.lengths = row_ptr, row_terms, row_counts, lengths
        self.average = lengths.mean() if self.size else 1.0
        row_index = np.repeat(np.arange(self.size), np.diff(row_ptr))
        postings = sparse.csc_matrix((row_counts, (row_index, row_terms)),
                                     shape=(self.size, len(self.term_ids)), dtype=np.float32)
        postings.sort_indices()
        self.indptr, self.rows, self.tfs = postings.indptr, postings.indices, postings.data
        frequency = np.diff(self.indptr)
        self.vocabulary = frozenset(t for t, i in self.term_ids.items() if frequency[i])

    def _row(self, chunk_id: str) -> tuple[np.ndarray, np.ndarray, int]:
        """A chunk's term ids, their counts and its length."""
        i = self.row_of[chunk_id]
        start, end = self.row_ptr[i], self.row_ptr[i + 1]
        return self.row_terms[start:end], self.row_counts[start:end], int(self.lengths[i])

    def _count(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
        counter = Counter(self.term_ids.setdefault(t, len(self.term_ids)) for t in tokens)
        return (np.fromiter(counter.keys(), dtype=np.int32, count=len(counter)),
                np.fromiter(counter.values(), dtype=np.float32, count=len(counter)), len(tokens))

    def scores(self, tokens: list[str]) -> np.ndarray:
        """Each chunk's BM25 score for the tokens (a token repeated counts again)."""
        out = np.zeros(self.size, dtype=np.float32)
        for token in tokens:
            j = self.term_ids.get(token)
            if j is None or j + 1 >= len(self.indptr):
                continue
            start, end = self.indptr[j], self.indptr[j + 1]
            if start == end:
                continue
            rows, tf = self.rows[start:end], self.tfs[start:end]
            df = end - start
            idf = np.float32(math.log(1 + (self.size - df + 0.5) / (df + 0.5)))
            tfc = tf / (K1 * ((1 - B) + B * self.lengths[rows] / self.average) + tf)
            out[rows] += (idf * tfc).astype(np.float32)
        return out


def term_index(chunk_ids: list[str], terms: Callable[[int], list[str]], previous: TermIndex | None = None) -> TermIndex:
    """The index of these chunks: ``previous`` itself when it holds exactly these chunks in
    this order (an index does not change once built), else one built reusing its counts."""
    if previous is not None and previous.size == len(chunk_ids) and all(a == b for a, b in zip(previous.row_of, chunk_ids)):
        return previous
    return TermIndex(chunk_ids, terms, previous)
