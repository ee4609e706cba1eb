"""The library's clause texts as one text that answers substring questions in microseconds.

The English bridge, the typo reader and term rarity ask many times a question whether a term
occurs, how often, and in how many clauses. Each was a pass over the whole text (a few ms at
50,000 clauses, dozens of times a question); a suffix array of the text's UTF-8 bytes
(libdivsufsort, built in about a second at that size) answers each with two binary searches.
The answers are exactly those of ``str`` on the joined text: ``in``, ``count`` (non-overlapping
occurrences, as ``str.count``) and the clauses a term occurs in.
"""
from __future__ import annotations

from bisect import bisect_right

import numpy as np


class LibraryText:
    """``"\\n".join(texts)``, with ``in`` and ``count`` as a ``str`` has them and
    :meth:`clauses_containing`; ``text`` is the joined text itself."""

    def __init__(self, texts: list[str]):
        from pydivsufsort import divsufsort

        self.text = "\n".join(texts)
        self._data = self.text.encode("utf-8")
        self._suffixes = divsufsort(self._data) if self._data else np.zeros(0, dtype=np.int32)
        sizes = [len(t.encode("utf-8")) + 1 for t in texts[:-1]]
        self._byte_starts = np.cumsum([0] + sizes) if texts else np.zeros(0, dtype=np.int64)
        self._char_starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]]).tolist() if texts else []

    def __contains__(self, term: str) -> bool:
        pattern = _pattern(term)
        if pattern is None:
            return term in self.text
        start, end = self._range(pattern)
        return end > start

    def count(self, term: str) -> int:
        """Non-overlapping occurrences, as ``str.count``."""
        pattern = _pattern(term)
        if pattern is None:
            return self.text.count(term)
        start, end = self._range(pattern)
        if not _overlaps_itself(term):
            return end - start
        count, free = 0, 0  # occurrences that may overlap (哈哈 in 哈哈哈): counted left to right
        for at in np.sort(self._suffixes[start:end]).tolist():
            if at >= free:
                count, free = count + 1, at + len(pattern)
        return count

    def clauses_containing(self, term: str) -> int:
        """How many of the texts contain the term."""
        pattern = _pattern(term)
        if pattern is None:
            return self._clauses_by_scan(term)
        start, end = self._range(pattern)
        if end == start:
            return 0
        return len(np.unique(np.searchsorted(self._byte_starts, self._suffixes[start:end], side="right")))

    def _range(self, pattern: bytes) -> tuple[int, int]:
        """The rows of the suffix array whose suffixes begin with ``pattern``."""
        suffixes, data, size = self._suffixes, self._data, len(pattern)
        low, high = 0, len(suffixes)
        while low < high:  # the first suffix not below the pattern
            middle = (low + high) // 2
            at = int(suffixes[middle])
            if data[at:at + size] < pattern:
                low = middle + 1
            else:
                high = middle
        first, high = low, len(suffixes)
        while low < high:  # the first suffix above every one the pattern begins
            middle = (low + high) // 2
            at = int(suffixes[middle])
            if data[at:at + size] <= pattern:
                low = middle + 1
            else:
                high = middle
        return first, low

    def _clauses_by_scan(self, term: str) -> int:
        """One pass over the text that jumps to the next clause at each clause found."""
        count, at = 0, 0
        while True:
            at = self.text.find(term, at)
            if at < 0:
                return count
            count += 1
            following = bisect_right(self._char_starts, at)
            if following >= len(self._char_starts):
                return count
            at = self._char_starts[following]


def _pattern(term: str) -> bytes | None:
    """The term's bytes, when the suffix array answers for it: not empty, within one clause,
    and text (a lone surrogate has no UTF-8 form); None sends the question to the text."""
    if not term or "\n" in term:
        return None
    try:
        return term.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _overlaps_itself(term: str) -> bool:
    """Two occurrences of the term can overlap (哈哈 in 哈哈哈): str.count counts them once."""
    return any(term[i:] == term[: len(term) - i] for i in range(1, len(term)))
