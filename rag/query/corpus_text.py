"""What the documents' text contains: whether a term occurs and how often.

The English bridge asks this many times a question (every translation of every word, every
compound of two). Whether a dictionary headword occurs is known beforehand, from one
Aho–Corasick pass over each document (kept per version of a document, so a new snapshot reads
only changed documents); any other term is asked of the text, which answers through its suffix
array (rag.index.library_text).
"""
from __future__ import annotations

from rag.core.dictionary import headwords_in, word_senses
from rag.index.library_text import LibraryText


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
        whole = text.text if isinstance(text, LibraryText) else text
        parts = parts if parts is not None else {whole: whole}
        self.headwords_of = {key: known[key] if key in known else headwords_in(piece) for key, piece in parts.items()}
        self._headwords = frozenset().union(*self.headwords_of.values())

    def contains(self, term: str) -> bool:
        """The term (two characters or more) occurs in the text."""
        if len(term) < 2:
            return False
        if term in self._headwords or term in self.vocabulary:
            return True
        if term in word_senses():  # a headword the documents do not use
            return False
        return term in self.text

    def occurrences(self, word: str) -> int:
        """How often the word occurs in the text."""
        return self.text.count(word)
