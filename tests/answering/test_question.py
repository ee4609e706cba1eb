"""A question read once (rag.answering.question): what every rule of the chain reads."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def retriever(indexed_settings):
    from rag.pipeline.snapshot import make_retriever

    return make_retriever(indexed_settings)


@pytest.mark.slow
def test_a_chinese_question_is_read_with_its_regions_terms_and_what_it_asks(retriever):
    from rag.answering.question import Question

    q = Question.read("甘肃省技术合同交易额目标是多少？", retriever)
    assert q.language == "zh" and q.regions == ["甘肃省"] and q.wants_quantity and q.spans is None
    assert {"合同", "交易额", "目标"} <= set(q.terms) and "甘肃省" not in q.terms and "多少" not in q.terms
    assert q.scope == "甘肃省" and "阿坝州" in q.every_region


@pytest.mark.slow
def test_a_follow_up_takes_its_region_from_the_history_and_a_chosen_region_wins(retriever):
    from rag.answering.question import Question

    history = [("甘肃省技术合同交易额目标是多少？", "答：甘肃省：200亿元[1]")]
    follow = Question.read("那江西呢？", retriever, history=history)
    assert follow.regions == ["江西省"] and "技术合同" in follow.query
    chosen = Question.read("技术合同交易额目标是多少？", retriever, region="眉山")
    assert chosen.regions == ["眉山市"] and chosen.found.regions == []


@pytest.mark.slow
def test_an_english_question_is_read_through_the_dictionary_with_the_span_of_each_term(retriever):
    from rag.answering.question import Question

    q = Question.read("What is Gansu's target for technology contract turnover?", retriever)
    assert q.language == "en" and q.regions == ["甘肃省"] and q.spans
    assert all(q.spans[t] for t in q.terms) and any("合同" in t for t in q.terms)
