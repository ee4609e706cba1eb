"""The places a question names: catalog regions and aliases, places inside them, places not covered."""
from __future__ import annotations

import pytest

from rag.ingest.catalog import CorpusCatalog
from rag.places.matching import match_regions
from tests.conftest import CORPUS


def test_region_names_in_chinese_and_english_map_to_corpus_regions(catalog):
    groups = catalog.region_groups()
    assert match_regions("甘肃和江西的技术合同交易额目标分别是多少？", groups).regions == ["甘肃省", "江西省"]
    assert match_regions("How much does Jiangxi target?", groups).regions == ["江西省"]
    assert match_regions("我在绵阳的高校工作", groups).regions == ["成德绵"]
    assert match_regions("四川的政策", groups).regions == ["阿坝州", "成德绵", "眉山市"]
    assert match_regions("what share goes to the inventor?", groups).regions == []


def test_a_province_named_beside_one_of_its_cities_says_where_the_city_is(catalog):
    groups = catalog.region_groups()
    assert match_regions("四川省眉山市的工程技术研究中心目标", groups).regions == ["眉山市"]
    assert match_regions("How many firms will Sichuan's Aba Prefecture foster?", groups).regions == ["阿坝州"]
    assert match_regions("四川和甘肃的目标", groups).regions == ["阿坝州", "成德绵", "眉山市", "甘肃省"]


def test_a_place_the_corpus_does_not_cover_is_flagged(catalog):
    groups = catalog.region_groups()
    assert match_regions("上海市规定成果完成人能分到多少收益？", groups).unknown_places == ["上海市"]
    assert match_regions("What income share does Shanghai give?", groups).unknown_places == ["Shanghai"]
    assert match_regions("眉山市的目标", groups).unknown_places == []


@pytest.mark.parametrize("question, unknown", [
    ("What funding is there for Universities?", []),  # capitalised, but no place
    ("Which incentives exist in Guangdong?", ["Guangdong"]),  # the dictionary names a place
    ("Are incubators funded in Guangdong Province?", ["Guangdong Province"]),
    ("大中城市的科技成果转化有什么支持？", []),  # a kind of place, not a place
    ("中心城市要怎么做？", []),
    ("白石市的奖励比例是多少？", ["白石市"]),  # an administrative name the corpus lacks
])
def test_only_names_of_places_are_unknown_places(question, unknown):
    groups = CorpusCatalog.load(CORPUS).region_groups()
    assert match_regions(question, groups, set()).unknown_places == unknown


def test_a_one_character_alias_is_only_a_word_of_its_own():
    groups = CorpusCatalog.load(CORPUS).region_groups()
    assert match_regions("赣江的技术合同交易额", groups).regions == []  # a river, not 赣 (江西)
    assert match_regions("赣 技术合同交易额目标", groups).regions == ["江西省"]


@pytest.mark.parametrize("question, region, place", [
    ("兰州市的孵化器能享受哪些税收优惠？", "甘肃省", "兰州市"),  # a city of a covered province
    ("仁寿县有哪些园区？", "眉山市", "仁寿县"),  # a county of a covered city
    ("赣州的技术合同交易额", "江西省", "赣州"),  # 赣州 holds the alias 赣 but is a city of its own
    ("What tax breaks can incubators in Lanzhou get?", "甘肃省", "兰州"),  # English, by the dictionary
    ("Which rules apply to a lab in Baiyin?", "甘肃省", "白银"),
    ("Is there support in Renshou County?", "眉山市", "仁寿"),
])
def test_a_place_inside_a_covered_region_is_answered_from_that_region(catalog, question, region, place):
    found = match_regions(question, catalog.region_groups(), set())
    assert found.regions == [region]
    assert found.unknown_places == []
    assert found.places[0] == place  # a figure asked for it must be stated for it (rag.answering.abstention)


@pytest.mark.parametrize("question, unknown", [
    ("雅安市有什么政策？", ["雅安市"]),  # in 四川, but in none of the three Sichuan plans' regions
    ("朝阳区的技术合同登记怎么办？", ["朝阳区"]),  # 朝阳 is in Beijing, Jilin and Liaoning: not placed
])
def test_a_place_that_no_covered_region_holds_stays_unknown(catalog, question, unknown):
    found = match_regions(question, catalog.region_groups(), set())
    assert found.regions == [] and found.unknown_places == unknown
