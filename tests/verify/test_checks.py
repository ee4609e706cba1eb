"""The number check: a statement whose figure its cited clause does not state is dropped."""
from __future__ import annotations

from rag.core.model import Answer, Citation
from rag.verify.checks import check_answer


def test_statement_with_a_number_not_in_its_cited_clause_is_dropped():
    cite = Citation(1, "d", "某方案", "某地", "一、", "一、", "按至少70%的比例划归成果完成人")
    answer = check_answer(Answer("收益的70%归团队[1]\n收益的30%归团队[1]", [cite]))
    assert answer.text == "收益的70%归团队[1]"
    assert answer.flagged == ["收益的30%归团队[1]\n"]
