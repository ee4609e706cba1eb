"""Numbers in every form policy texts write them come to one form."""
from __future__ import annotations

import pytest

from rag.core.numbers import normalise_numbers


def test_number_forms_are_normalised():
    assert normalise_numbers("百分之七十") == "70%"
    assert normalise_numbers("200 亿元") == normalise_numbers("200亿元") == normalise_numbers("2000000万元")
    assert normalise_numbers("７０％") == "70%"
    assert normalise_numbers("一千项") == "1000项"


@pytest.mark.parametrize("written, same_as", [
    ("二〇二〇年", "2020年"),
    ("两千万元", "2000万元"),
    ("1.5亿元", "15000万元"),
    ("百分之七十", "70%"),
    ("七成", "70%"),
    ("不低于百分之五", "不低于5%"),
    ("五万元以上十万元以下", "5万元以上10万元以下"),
    ("3至5年", "3至5年"),
])
def test_number_forms_mean_the_same_figure(written, same_as):
    assert normalise_numbers(written) == normalise_numbers(same_as)
