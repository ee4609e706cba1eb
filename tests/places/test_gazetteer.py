"""The division table knows which province and city hold a place."""
from __future__ import annotations


def test_the_division_table_knows_what_holds_a_place():
    from rag.places.gazetteer import containing, short_name

    assert containing("兰州市") == [["甘肃省"]]
    assert containing("仁寿") == [["眉山市", "四川省"]]
    assert len(containing("朝阳")) > 1  # several divisions of that name
    assert containing("视高") == []  # a park, no division
    assert short_name("阿坝藏族羌族自治州") == "阿坝" and short_name("城区") == "城区"
