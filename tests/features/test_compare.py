"""Compare: one topic's figure for every region, each region's own, from the extracted targets."""
from __future__ import annotations

import pytest

from rag.core.errors import RagError
from rag.features.compare import NOT_STATED


def test_compare_keeps_a_zones_own_figure_apart_and_breaks_it_down_by_city(indexed_settings):
    from rag.pipeline.asking import compare_regions

    rows = compare_regions("技术合同交易额", settings=indexed_settings)
    by = {r.area: r for r in rows}
    # the 700亿元 in the zone's plan is for 全省, not the zone: noted, never its figure
    assert by["成德绵"].figure == NOT_STATED and "全省" in by["成德绵"].note and "700亿元" in by["成德绵"].note
    assert by["甘肃省"].figure == "达到200亿元" and "2020" in by["甘肃省"].period
    assert by["江西省"].figure == "力争达到100亿元"
    assert by["阿坝州"].figure == "达到600万元" and "cumulative" in by["阿坝州"].period  # 累计, not yearly
    assert all(r.label.startswith("《") for r in rows if r.figure != NOT_STATED)

    cities = {r.area: r.figure for r in compare_regions("孵化企业", ["成德绵"], indexed_settings)}
    assert cities == {"成德绵": "1000家", "成都市": "600家", "绵阳市": "300家", "德阳市": "100家"}


def test_compare_takes_an_english_topic_and_other_regions_say_not_stated(indexed_settings):
    from rag.pipeline.asking import compare_regions

    english = {r.region: r.figure for r in compare_regions("high-tech enterprises", settings=indexed_settings)}
    chinese = {r.region: r.figure for r in compare_regions("高新技术企业数量目标", settings=indexed_settings)}
    assert english == chinese
    assert chinese["眉山市"] == "达到90家" and chinese["甘肃省"] == "100家以上"
    assert chinese["江西省"] == NOT_STATED  # 高新技术产业基地 is another thing counted


def test_compare_refuses_a_topic_that_names_nothing(indexed_settings):
    from rag.pipeline.asking import compare_regions

    with pytest.raises(RagError, match="names nothing"):
        compare_regions("目标", settings=indexed_settings)
