"""What the documents' text contains: whether a term occurs and how often.

The English bridge asks this many times a question (every translation of every word, every
compound of two). Each answer is one pass over the library's text, so answers are remembered;
whether a dictionary headword occurs is known beforehand, from one Aho–Corasick pass over each
document (kept per version of a document, so a new snapshot reads only changed documents).
"""
from __future__ import annotations

import threading

from rag.core.dictionary import headwords_in, word_senses
from rag.index.library_text import LibraryText

REMEMBERED = 4096  # terms whose presence (and words whose count) are kept


class CorpusText:
    def __init__(self, text: str | LibraryText, vocabulary: set[str], parts: dict | None = None,
                 known: dict | None = None):
        """``parts``: the text in pieces (key → text, the key naming the piece's content: a
        document's chunk ids); ``known``: the headwords of pieces already read (a previous
        CorpusText's ``headwords_of``), taken as they are. The whole text is one piece when
        ``parts`` is not given."""
        self.text = text
        self.vocabulary = vocabulary
        known = known or {}
        parts = parts if parts is not None else {text: text}
        self.headwords_of = {key: known[key] if key in known else headwords_in(piece) for key, piece in parts.items()}
        self._headwords = frozenset().union(*self.headwords_of.values())
        self._found: dict[str, bool] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def contains(self, term: str) -> bool:
        """The term (two characters or more) occurs in the text."""
        if len(term) < 2:
            return False
        if term in self._headwords or term in self.vocabulary:
            return True
        if term in word_senses():  # a headword the documents do not use
            return False
        found = self._found.get(term)
        if found is None:
            found = self._remember(self._found, term, term in self.text)
        return found

    def occurrences(self, word: str) -> int:
        """How often the word occurs in the text."""
        found = self._counts.get(word)
        if found is None:
            found = self._remember(self._counts, word, self.text.count(word))
        return found

    def _remember(self, cache: dict, key: str, value):
        with self._lock:
            if len(cache) >= REMEMBERED:
                cache.pop(next(iter(cache)), None)
            cache[key] = value
        return value
