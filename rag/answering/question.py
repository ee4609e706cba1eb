"""A question, read once: what every rule of the answer chain and the reader need to know."""
from __future__ import annotations

from dataclasses import dataclass

from rag.answering.abstention import QUESTION_WORDS
from rag.core.words import tokenize
from rag.places.matching import RegionMatch, match_regions
from rag.query.analysis import QuestionAnalysis, analyse
from rag.query.english import plain_english
from rag.query.followup import clean_question, condense, language_of
from rag.query.spelling import corrected
from rag.reading.extractive import QUANTITY_WORDS


@dataclass(frozen=True)
class Question:
    text: str  # as asked, cleaned
    language: str  # "zh" or "en"
    query: str  # what is searched: a follow-up completed from the history, typos read as corpus words
    fixes: dict[str, str]  # typo → the corpus word it was read as
    regions: list[str]  # the regions to answer from (asked, from the history, or chosen)
    found: RegionMatch  # the places the question itself names, known and unknown
    analysis: QuestionAnalysis  # what is asked: an article, dates, years, the kind of answer
    basis: str  # the text the terms come from
    terms: list[str]  # what is asked, without regions, numbers and question words
    spans: dict[str, set[int]] | None  # for English: which part of the question each term stands for
    wants_quantity: bool
    every_region: str  # the library's regions, for "the collection holds policies of …"

    @classmethod
    def read(cls, question: str, retriever, region: str | None = None, history: list | None = None,
             max_chars: int = 2000) -> Question:
        text = clean_question(question, max_chars)
        language = language_of(text)
        groups = retriever.region_groups
        query, regions = condense(text, history, groups)
        query, fixes = corrected(query, retriever.homophones)
        if language == "en":
            query = plain_english(query)
        if region:
            regions = match_regions(region, groups).regions or [region]
        basis, terms, spans = question_terms(query, language, groups, retriever.bridge)
        return cls(text, language, query, fixes, regions, match_regions(query, groups, retriever.vocabulary),
                   analyse(query), basis, terms, spans, bool(QUANTITY_WORDS.search(query)),
                   "、".join(sorted({r for v in groups.values() for r in v})))

    @property
    def scope(self) -> str:
        """The regions answered from, for the texts that name them."""
        return "、".join(self.regions) if self.regions else self.every_region


def question_terms(query: str, language: str, groups: dict, bridge) -> tuple[str, list[str], dict | None]:
    """(basis, terms, spans): the terms that say what is asked, the text they come from and,
    for English, which part of the question each term stands for.

    Region names (handled by the filter), numbers and question words are left out. An English
    question is represented by the Chinese translations of its units; the alternatives of one
    unit share its span, so a sentence covers "income" by any one of 收入/收益."""
    names = set(groups)
    if language == "en":
        spans: dict[str, set[int]] = {}
        offset = 0
        for unit in bridge.groups(query):
            chinese = [t.lower() for t in unit.chinese if t.lower() not in names]
            if not chinese or unit.english in names:
                continue
            chars = set(range(offset, offset + len(unit.english)))
            offset += len(unit.english) + 1
            for term in chinese:
                spans.setdefault(term, set()).update(chars)
        return " ".join(spans), list(spans), spans
    terms = [t for t in tokenize(query) if t not in names and not t.isdigit() and t not in QUESTION_WORDS]
    return query, terms, None
