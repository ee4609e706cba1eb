"""Question analysis: what a question asks, read from its words in context."""
from __future__ import annotations

import pytest

from rag.query.analysis import asked_document_facts


@pytest.mark.parametrize("question", ["这部条例是哪天通过的？", "该条例何时通过", "条例的通过日期是什么时候？",
                                      "When was the regulation adopted?"])
def test_passed_as_the_verb_of_a_phrase_asks_the_adoption_date(question):
    assert asked_document_facts(question) == ("adopted",)


@pytest.mark.parametrize("question", ["按照条例，通过协议方式确定价格的，要公示多长时间？",
                                      "条例规定通过技术入股转化成果的，什么时候办理登记？"])
def test_passed_before_its_object_means_through_and_asks_no_document_date(question):
    assert "adopted" not in asked_document_facts(question)
