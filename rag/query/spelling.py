"""Homophone typos: a word typed with the wrong characters for the right sound.

Chinese is typed by sound (pinyin input), so the common typo is a homophone: 公视 for 公示,
奖历 for 奖励. Such a word is in no dictionary and in no document, and jieba keeps it as one
unknown word. When a word of the question is neither a dictionary word nor in the corpus and
the corpus has a word of the same sound (tones ignored), the question is read with the
corpus's word; the answer says so. Known words are never changed: a word the corpus lacks
but the dictionary knows (公立医院) is a real word, not a typo.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rag.core.words import segmenter
from rag.index.library_text import LibraryText

_CHINESE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@lru_cache(maxsize=1 << 17)  # kept across snapshots: a new one sounds out only new words
def sound_of(word: str) -> str:
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(word))


@dataclass
class Homophones:
    """The corpus's words by sound, for reading a question's homophone typos."""
    vocabulary: set[str]
    corpus_text: str | LibraryText  # the library's text (``in`` and ``count`` are asked of it)
    _by_sound: dict[str, list[str]] | None = field(default=None, repr=False)

    def warm(self) -> None:
        """Index the corpus's words by sound now, not at a question."""
        self._index()

    def _index(self) -> dict[str, list[str]]:
        if self._by_sound is None:
            by_sound: dict[str, list[str]] = {}
            for word in self.vocabulary:
                if _CHINESE.match(word):
                    by_sound.setdefault(sound_of(word), []).append(word)
            self._by_sound = by_sound
        return self._by_sound

    def _likeliest(self, words: list[str]) -> str:
        """Of the corpus's words of one sound, the most frequent in the corpus (counted only for
        a typo met, not for every word at start: counting is a pass over the whole library)."""
        return min(words, key=lambda w: (-self.corpus_text.count(w), w))

    def corrections(self, question: str) -> dict[str, str]:
        """Typo → corpus word, for each unknown word of the question that sounds like one."""
        jieba = segmenter()
        dictionary = jieba.dt.FREQ
        out: dict[str, str] = {}
        for word in jieba.lcut(question):
            if not _CHINESE.match(word) or word in dictionary or word in self.corpus_text:
                continue
            same = self._index().get(sound_of(word))
            if same:
                out[word] = self._likeliest(same)
        return out


def corrected(question: str, homophones: Homophones | None) -> tuple[str, dict[str, str]]:
    """The question with its homophone typos replaced, and the replacements made."""
    fixes = homophones.corrections(question) if homophones is not None else {}
    for typo, word in fixes.items():
        question = question.replace(typo, word)
    return question, fixes
