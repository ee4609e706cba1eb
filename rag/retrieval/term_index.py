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

Counts = tuple[np.ndarray, np.ndarray, int]  # one chunk's term ids, their counts, its length


class TermIndex:
    """BM25 over one snapshot's chunks (rows in the snapshot's order)."""

    def __init__(self, chunk_ids: list[str], terms: Callable[[int], list[str]], previous: "TermIndex | None" = None):
        """``terms(i)``: the terms of the i-th chunk, asked only for a chunk ``previous`` lacks."""
        self.term_ids: dict[str, int] = dict(previous.term_ids) if previous is not None else {}  # term → id, only grows
        known = previous.by_chunk if previous is not None else {}
        counts = [known.get(cid) or self._count(terms(i)) for i, cid in enumerate(chunk_ids)]
        self.by_chunk: dict[str, Counts] = dict(zip(chunk_ids, counts))
        self.size = len(counts)
        self.lengths = np.array([c[2] for c in counts], dtype=np.int64)
        self.average = self.lengths.mean() if self.size else 1.0
        rows = np.repeat(np.arange(self.size), [len(c[0]) for c in counts])
        cols = np.concatenate([c[0] for c in counts]) if counts else np.zeros(0, dtype=np.int32)
        data = np.concatenate([c[1] for c in counts]) if counts else np.zeros(0, dtype=np.float32)
        postings = sparse.csc_matrix((data, (rows, cols)), shape=(self.size, len(self.term_ids)), dtype=np.float32)
        postings.sort_indices()
        self.indptr, self.rows, self.tfs = postings.indptr, postings.indices, postings.data
        frequency = np.diff(self.indptr)
        self.vocabulary = frozenset(t for t, i in self.term_ids.items() if frequency[i])

    def _count(self, tokens: list[str]) -> Counts:
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
