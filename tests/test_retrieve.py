"""Region matching and hybrid retrieval on the real corpus."""
from __future__ import annotations

import pytest

from rag.core.words import tokenize
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.glossary import load_glossary
from rag.places.matching import match_regions

from .conftest import CORPUS


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


def test_chinese_is_tokenised_into_words_without_stopwords():
    tokens = tokenize("成果完成人的收益比例是多少？")
    assert "收益" in tokens and "比例" in tokens and "的" not in tokens and "？" not in tokens


def test_english_reaches_the_corpus_through_the_dictionary_not_a_glossary():
    from rag.query.english import Bridge

    corpus = "科技成果转化的收入，按比例奖励发明人。省科技厅牵头负责孵化器建设。"
    bridge = Bridge(corpus, {"收入", "比例", "发明人", "孵化器", "科技厅"}, names=load_glossary(CORPUS))
    groups = {g.english: g.chinese for g in bridge.groups("What share of income goes to the inventors?")}
    assert "收入" in groups["income"] and "发明人" in groups["inventors"]
    assert "孵化器" in bridge.expand("Which department leads incubators?")
    assert "科技厅" in bridge.expand("What does the Department of Science and Technology do?")
    assert bridge.expand("收益比例是多少") == ""


def test_a_dictionary_phrase_absent_from_the_corpus_is_an_absent_concept():
    from rag.query.english import Bridge

    bridge = Bridge("科技成果转化贷款贴息。", {"贷款", "贴息"})
    by_unit = {g.english: g for g in bridge.groups("What is the interest rate on loans?")}
    assert by_unit["interest rate"].absent and not by_unit["loans"].absent


def test_english_compounds_spellings_and_context_come_from_the_dictionary():
    from rag.query.english import Bridge

    corpus = "建设技术转移中心，设立成果转化引导基金。支持高校和科研院所开展技术转移。技术合同年交易额达到200亿元。"
    vocabulary = {"技术转移", "中心", "引导基金", "高校", "科研院所", "技术", "转移", "合同", "交易额", "转化"}
    bridge = Bridge(corpus, vocabulary)
    groups = {g.english: g.chinese for g in bridge.groups("Is there a technology transfer centre?")}
    # technology + transfer + centre joined as the documents write it (centre read as center)
    assert groups["technology"][0] == groups["centre"][0] == "技术转移中心"
    assert "中心" in groups["centre"]
    # each word keeps its own translation, for a clause that puts a word between them
    words = {g.english: g.chinese for g in bridge.groups("technology contract turnover")}
    assert "技术" in words["technology"] and "交易额" in words["turnover"]
    # a proper name's sense (Sichuan University) is no meaning of "university"
    assert not any("大学" in t and len(t) > 2 for t in
                   Bridge(corpus + "四川大学", vocabulary | {"四川大学"}).expand("university").split())
    # the sentences nearest in meaning decide among a word's translations
    near = Bridge(corpus, vocabulary, context=lambda q: "支持高校和科研院所开展技术转移。")
    assert near.groups("transfer")[0].chinese[0] == "转移"


def test_every_curated_english_term_is_one_the_dictionary_cannot_reach():
    """glossary.toml [terms] only shrinks: an entry the dictionary path reaches is redundant."""
    import tomllib

    from rag.ingest.glossary import load_departments
    from rag.query.english import Bridge, unreached

    texts = [p.read_text(encoding="utf-8").lower() for p in sorted(CORPUS.glob("*.txt"))]
    names: dict[str, list[str]] = {}
    for chinese, english in load_departments(CORPUS).items():
        for name in english:
            names.setdefault(name.lower(), []).append(chinese)
    bridge = Bridge("\n".join(texts), {t for text in texts for t in tokenize(text)}, names=names)
    with (CORPUS / "glossary.toml").open("rb") as fh:
        terms = tomllib.load(fh)["terms"]
    redundant = sorted(set(terms) - set(unreached(bridge, terms)))
    assert not redundant, f"retire these from corpus/glossary.toml [terms]: {redundant}"


@pytest.mark.slow
def test_hybrid_retrieval_finds_the_70_percent_clause_in_both_languages(indexed_settings):
    from rag.pipeline.snapshot import make_retriever

    retriever = make_retriever(indexed_settings)
    for question in ("科技成果转化收益给成果完成人的比例是多少？", "What share of income goes to the inventor?"):
        top = retriever.search(question, top_k=5)
        numbers = [(r.node.metadata["doc_id"], r.node.metadata["clause_number"]) for r in top]
        assert ("aba_2016", "四、（五）1") in numbers, (question, numbers)


@pytest.mark.slow
def test_region_filter_keeps_results_inside_the_region(indexed_settings):
    from rag.pipeline.snapshot import make_retriever

    retriever = make_retriever(indexed_settings)
    top = retriever.search("技术合同交易额目标", ["江西省"], top_k=5)
    assert top and {r.node.metadata["region"] for r in top} == {"江西省"}
    assert "100亿元" in top[0].node.text


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
    assert found.places[0] == place  # a figure asked for it must be stated for it (rag.abstention)


@pytest.mark.parametrize("question, unknown", [
    ("雅安市有什么政策？", ["雅安市"]),  # in 四川, but in none of the three Sichuan plans' regions
    ("朝阳区的技术合同登记怎么办？", ["朝阳区"]),  # 朝阳 is in Beijing, Jilin and Liaoning: not placed
])
def test_a_place_that_no_covered_region_holds_stays_unknown(catalog, question, unknown):
    found = match_regions(question, catalog.region_groups(), set())
    assert found.regions == [] and found.unknown_places == unknown


def test_the_division_table_knows_what_holds_a_place():
    from rag.places.gazetteer import containing, short_name

    assert containing("兰州市") == [["甘肃省"]]
    assert containing("仁寿") == [["眉山市", "四川省"]]
    assert len(containing("朝阳")) > 1  # several divisions of that name
    assert containing("视高") == []  # a park, no division
    assert short_name("阿坝藏族羌族自治州") == "阿坝" and short_name("城区") == "城区"
