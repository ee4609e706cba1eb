"""The library's text with a suffix array answers exactly as the joined text does."""
from __future__ import annotations

import random
from pathlib import Path

from rag.index.library_text import LibraryText

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _clauses() -> list[str]:
    lines = [line.strip().lower() for path in sorted(CORPUS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def _terms(texts: list[str]) -> list[str]:
    """Substrings of the texts of every length from 1 to 8, strings they lack, and edge cases."""
    chance = random.Random(7)
    found = []
    for _ in range(400):
        text = chance.choice([t for t in texts if t])
        start = chance.randrange(len(text))
        found.append(text[start:start + chance.randint(1, 8)])
    return found + ["科技成果转化", "哈哈", "哈哈哈", "aa", "百分之七十", "not in it", "2020年", "", "\n", "。\n",
                    "a\nb", "成果成果", "𠀀𠀀", "\ud800"]


def test_in_count_and_clause_counts_equal_the_joined_texts():
    # terms that overlap themselves, a character outside the BMP, an empty clause
    texts = _clauses() + ["哈哈哈哈哈", "aaa aaa", "成果成果成果", "𠀀𠀀𠀀 科技", ""]
    library = LibraryText(texts)
    joined = "\n".join(texts)
    assert library.text == joined
    for term in _terms(texts):
        assert (term in library) == (term in joined), term
        assert library.count(term) == joined.count(term), term
        if term and "\n" not in term:  # within one clause: the clauses holding it
            assert library.clauses_containing(term) == sum(term in t for t in texts), term


def test_a_term_across_clauses_is_counted_by_a_pass_over_the_text():
    library = LibraryText(["甲乙", "丙丁", "乙\n丙"])
    # the pass jumps to the next clause at each one found, as rarity always counted
    assert library.clauses_containing("乙\n丙") == 2 and library.clauses_containing("") == 3


def test_an_empty_library_holds_nothing():
    library = LibraryText([])
    assert "科技" not in library and library.count("科技") == 0 and library.clauses_containing("科技") == 0
