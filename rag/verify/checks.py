"""The number check: every number, percentage, amount and date an answer states must appear
in a clause it cites (after rag.core.numbers brings both to one form). A statement that fails
is dropped and the answer is flagged; a figure stated without the qualifier its clause gives
it (70% where the clause says 至少70%) gets the clause's own wording added.
"""
from __future__ import annotations

import re

from rag.core.model import Answer
from rag.core.numbers import normalise_numbers, numbers_in, unsupported_numbers
from rag.core.vocabulary import CITATION_MARKER, QUALIFIER_AFTER, QUALIFIER_BEFORE

# "Article 18 (第十八条)" naming a cited clause (its 第十八条 already removed) is no figure to check
_CLAUSE_REFERENCE = re.compile(r"\bArticle \d+ \(\)")


def check_answer(answer: Answer) -> Answer:
    """Drop sentences whose numbers are not in the clauses they cite (or cite nothing valid)."""
    by_n = {c.n: c for c in answer.citations}
    kept, flagged = [], list(answer.flagged)
    for sentence in split_sentences(answer.text):
        cited = [by_n[int(n)] for n in CITATION_MARKER.findall(sentence) if int(n) in by_n]
        bare = CITATION_MARKER.sub("", sentence)
        for c in answer.citations:  # the clause label itself ("…（2016—2020年）》四、（五）1") is no claim
            bare = bare.replace(c.label, "")
            if c.clause_number:
                bare = bare.replace(c.clause_number, "")
        bare = _CLAUSE_REFERENCE.sub("", bare)
        if numbers_in(bare) and (not cited or unsupported_numbers(bare, [c.text for c in cited])):
            flagged.append(sentence)
            continue
        kept.append(sentence)
    answer.text = "".join(kept).strip()
    answer.flagged = flagged
    return answer


# qualifiers that change what a figure means: 至少70% is not 70%
_QUALIFIED = re.compile(rf"({QUALIFIER_BEFORE})\s*(\d+(?:\.\d+)?%?)|"
                        rf"(\d+(?:\.\d+)?%?)\s*[^\d\s，。；,]{{0,2}}?({QUALIFIER_AFTER})")


_QUALIFIER_WORDS = re.compile(rf"{QUALIFIER_BEFORE}|{QUALIFIER_AFTER}|"
                              r"at least|or more|more than|no less than|no more than|not less|not more|"
                              r"over|above|below|up to|about|around|approximately|exceed|maximum|minimum|aim", re.I)


def restore_qualifiers(answer: Answer) -> Answer:
    """A statement that gives a figure without the qualifier its cited clause attaches to it
    (70% where the clause says 至少70%) gets the clause's own wording added: （原文：至少70%）."""
    by_n = {c.n: c for c in answer.citations}
    lines = []
    for line in answer.text.split("\n"):
        cited = [by_n[int(n)] for n in CITATION_MARKER.findall(line) if int(n) in by_n]
        bare = CITATION_MARKER.sub("", line)
        if cited and not _QUALIFIER_WORDS.search(bare):
            stated = set(numbers_in(bare))
            source = []
            for c in cited:
                for m in _QUALIFIED.finditer(normalise_numbers(c.text)):
                    number = m.group(2) or m.group(3)
                    if number in stated and m.group(0) not in source:
                        source.append(m.group(0))
            if source:
                note = ("（原文：{}）" if answer.language == "zh" else " (source: {})").format("；".join(source))
                line = line + note
        lines.append(line)
    answer.text = "\n".join(lines)
    return answer


def split_sentences(text: str) -> list[str]:
    """Statements: one a line (the generators write one cited statement per line)."""
    return [line + "\n" for line in text.split("\n") if line.strip()]
