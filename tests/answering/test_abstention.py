"""What a question states as a figure (the false-premise check reads only those)."""
from __future__ import annotations

import pytest

from rag.answering.abstention import without_years
from rag.core.numbers import numbers_in


@pytest.mark.parametrize("question", ["想在眉山建一个孵化器，能拿到支持吗？", "引进一名高层次人才有奖励吗？",
                                      "In 2020, can a university set up a transfer office?"])
def test_the_indefinite_article_and_years_state_no_figure(question):
    assert numbers_in(without_years(question)) == []


@pytest.mark.parametrize("question, figure", [("新增十一个平台奖励多少？", "11"), ("补贴2000万元是真的吗？", "20000000"),
                                              ("奖励一次性给付30%吗？", "30%")])
def test_counts_and_amounts_stay_figures(question, figure):
    assert figure in numbers_in(without_years(question))


def test_an_articles_own_number_is_no_figure():
    from rag.answering.abstention import has_figure

    assert not has_figure("第二十四条 成果完成单位可以根据不同的转化方式，约定成果完成人应当获得的收益。")
    assert has_figure("第二十四条 收益的百分之七十奖励成果完成人。")
