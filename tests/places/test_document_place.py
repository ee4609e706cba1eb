"""A document's place read from its own title (and, for a zone, its text) through the division
table: region, level and the region around it."""
from __future__ import annotations

import pytest

from rag.places.document_place import Place, place_of


@pytest.mark.parametrize("title, place", [
    ("舟山市科技创新促进条例", Place("舟山市", "city", "浙江省")),
    ("上海市专利保护条例", Place("上海市", "province", "")),
    ("重庆市专利促进与保护条例", Place("重庆市", "province", "")),
    ("上海市浦东新区建立高水平知识产权保护制度若干规定", Place("浦东新区", "county", "上海市")),
    ("北京市朝阳区科技创新条例", Place("朝阳区", "county", "北京市")),
    ("汕头经济特区科技创新条例", Place("汕头市", "city", "广东省")),
    ("阿坝州促进科技成果转移转化行动方案", Place("阿坝藏族羌族自治州", "city", "四川省")),
    ("中华人民共和国促进科技成果转化法", Place("", "national", "")),
    ("国务院关于印发实施〈中华人民共和国促进科技成果转化法〉若干规定的通知", Place("", "national", "")),
])
def test_a_title_opens_with_the_place_whose_rules_it_states(title, place):
    assert place_of(title) == place


def test_a_zone_named_with_a_short_place_name_is_that_zone():
    assert place_of("北京经济技术开发区条例") == Place("北京经济技术开发区", "demonstration_zone", "北京市")
    assert place_of("上海市漕河泾新兴技术开发区暂行条例") == Place("漕河泾新兴技术开发区", "demonstration_zone", "上海市")


def test_a_kind_of_zone_after_a_full_place_name_is_the_places_rule_for_all_its_zones():
    assert place_of("上海市经济技术开发区条例") == Place("上海市", "province", "")


def test_a_zone_without_a_place_in_its_title_lies_in_the_province_its_text_names_most():
    text = "第一条 为促进郑州、洛阳、新乡三市创新发展，根据有关法律，结合河南省实际……河南省人民政府应当……浙江省经验"
    assert place_of("郑洛新国家自主创新示范区条例", text) == Place("郑洛新国家自主创新示范区", "demonstration_zone", "河南省")


@pytest.mark.parametrize("title", ["朝阳区科技条例", "示例市促进科技成果转化办法", "关于加强科技创新的若干意见"])
def test_a_title_with_no_place_the_table_reads_one_way_places_nothing(title):
    assert place_of(title) is None
