"""Reading a question the way its writer meant it, and reading the clause that answers it:
homophone typos, a rule's cases read with the rule's subject, rare words ranked above the
words every clause has, figures with their ranges and day counts, and English words whose
only translation is one character.

A small regulation written here, a real store and embedder."""
from __future__ import annotations

import shutil

import pytest

from rag.core.config import PROJECT_ROOT, Settings
from rag.core.numbers import arabic_numerals
from rag.query.english import Bridge
from rag.query.spelling import Homophones, corrected
from rag.reading.extractive import key_figure

REGULATION = """示例市促进科技成果转化条例

第一条 为了促进科技成果转化，制定本条例。
第二条 奖励情况应当在所在单位公示，公示时间不少于十五日。
第三条 研发机构、高等院校及相关人员违反本条例规定，在科技成果转化活动中弄虚作假的，由有关部门责令改正，没收违法所得，并处以违法所得一倍以上三倍以下的罚款；没有违法所得的，处以二万元以上五万元以下的罚款。
第四条 本条例有关研发机构、高等院校的规定，适用于政府设立的医疗卫生机构。
第五条 研发机构、高等院校开展科技成果转化活动，应当建立科技成果转化管理制度。
第六条 研发机构、高等院校可以将科技成果转移到本单位设立的科技成果转化机构实施转化。
第七条 落户园区的孵化器经认定后，享受房产税、城镇土地使用税优惠政策。
第八条 每年培育孵化器10家，对孵化器提供场地和创业辅导服务。
第九条 对入驻孵化器的企业给予补贴，具体办法另行制定。
"""
CATALOG = """
[[document]]
id = "shili_rules"
file = "rules.txt"
title = "示例市促进科技成果转化条例"
region = "示例市"
level = "city"
aliases = ["示例"]
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    from rag.pipeline.writing import ingest_paths

    root = tmp_path_factory.mktemp("reading")
    folder = root / "corpus"
    folder.mkdir()
    (folder / "documents.toml").write_text(CATALOG, encoding="utf-8")
    (folder / "rules.txt").write_text(REGULATION, encoding="utf-8")
    shutil.copy(PROJECT_ROOT / "corpus" / "glossary.toml", folder)
    settings = Settings(corpus_dir=folder, data_dir=root / "data")
    ingest_paths([folder], settings)
    return settings


def test_a_homophone_typo_is_read_as_the_corpus_word_and_the_answer_says_so(settings):
    from rag.pipeline.asking import answer

    result = answer("示例市奖励公视至少几天？", settings=settings)
    assert not result.abstained
    assert "15日" in result.short_answer
    assert "“公视”为“公示”" in result.text


def test_words_the_dictionary_knows_are_never_corrected():
    homophones = Homophones({"公示", "医疗", "机构"}, "公示 医疗卫生机构")
    assert corrected("公立医院能否适用", homophones) == ("公立医院能否适用", {})
    assert corrected("奖励公视至少几天", homophones)[1] == {"公视": "公示"}


def test_a_case_of_a_rule_is_quoted_with_the_rule_it_belongs_to(settings):
    from rag.pipeline.asking import answer

    result = answer("示例市弄虚作假但没有违法所得的，罚款是多少？", settings=settings)
    assert "2万元以上5万元以下" in result.short_answer
    quote = result.text.split("\n")[1]
    assert "弄虚作假" in quote and "没有违法所得的，处以二万元以上五万元以下的罚款" in quote


def test_a_rare_word_of_the_question_outranks_the_words_every_clause_has(settings):
    from rag.pipeline.asking import answer

    result = answer("示例市的医疗卫生机构搞科技成果转化，能适用研发机构、高等院校的规定吗？", settings=settings)
    assert result.citations[0].clause_number == "第四条"


def test_figures_keep_their_ranges_day_counts_and_written_scale():
    assert key_figure(arabic_numerals("处以五万元以上十万元以下的罚款"), ["罚款"]) == "5万元以上10万元以下"
    assert key_figure(arabic_numerals("公示时间不少于十五日"), ["公示"]) == "不少于15日"
    assert key_figure("2020年1月15日起施行，期限30日", ["期限"]) == "30日"
    assert arabic_numerals("两千万元") == "2000万元" and arabic_numerals("一亿元") == "1亿元"


def test_an_english_word_with_a_one_character_translation_finds_the_compounds():
    corpus = "享受房产税、城镇土地使用税优惠政策。税收优惠。提高效率，率先开展，率领团队。"
    bridge = Bridge(corpus, {"房产税", "使用税", "税收", "效率", "率先", "率领", "优惠"})
    taxes = bridge.groups("taxes")[0]
    assert "房产税" in taxes.chinese and "税收" not in taxes.chinese
    assert bridge._compounds({"率"}) == []  # 率 begins more corpus words than it ends


def test_an_amount_is_answered_only_by_a_figure_of_the_thing_asked(settings):
    from rag.pipeline.asking import answer

    counted = answer("示例市每年培育多少家孵化器？", settings=settings)
    assert "10家" in counted.short_answer
    # the clauses speak of 孵化器, 场地 and 补贴, but the only figure counts incubators
    subsidy = answer("示例市孵化器企业的场地补贴标准是多少？", settings=settings)
    assert subsidy.abstained and "10家" not in subsidy.text.split("\n")[0]


def test_a_document_number_is_not_a_figure():
    from rag.answering.abstention import has_figure

    assert not has_figure("根据《国务院关于印发…的通知》（国发〔2016〕16号）精神，制定本方案。")
    assert has_figure("培育示范企业16家。")


@pytest.mark.parametrize("question, kind", [
    ("Which Beijing authority reviews the reports?", "department"),
    ("眉山这项任务的牵头部门是哪个？", "department"),
    ("江西的目标是多少？", "figure"),
    ("浙江条例允许用哪些方式定价？", "list"),
])
def test_what_is_asked_is_read_from_the_wording(question, kind):
    from rag.query.analysis import asked_kind

    assert asked_kind(question) == kind


def test_the_figure_given_is_the_one_beside_the_asked_thing_in_the_asked_unit(settings):
    from llama_index.core.schema import TextNode

    from rag.core.model import Evidence
    from rag.reading.direct_answer import value_of

    sentence = "全州培育高新技术企业达到7家以上，创新型企业达到30家，高新技术产业产值占比超过30%。"
    ev = Evidence(0, TextNode(text=sentence), sentence, 1.0, 1.0)
    counted = value_of(ev, "figure", ["创新型企业", "企业"])
    assert "30家" in counted and "7家" not in counted
    assert value_of(ev, "figure", ["高新技术", "产值"], units=("%",)) == "超过30%"


def _evidence(sentence: str):
    from llama_index.core.schema import TextNode

    from rag.core.model import Evidence

    return Evidence(0, TextNode(text=sentence), sentence, 1.0, 1.0)


def test_a_figure_is_given_for_each_unit_asked():
    from rag.query.analysis import asked_units
    from rag.reading.direct_answer import value_of

    question = "全市要培育多少家科技型企业？其中高新技术企业占比多少？"
    assert asked_units(question) == ("家", "%")
    ev = _evidence("全市培育科技型企业50家以上，其中高新技术企业占比达到20%以上。")
    assert value_of(ev, "figure", ["科技型企业", "高新技术企业", "占比"], question,
                    asked_units(question)) == "50家以上，达到20%以上"


def test_how_long_is_answered_by_the_time_span_and_when_by_the_date():
    from rag.reading.direct_answer import short_answer

    ev = _evidence("协议定价的，应当在本单位公示，公示时间不得少于十五日。")
    how_long = short_answer([(ev, 1)], "deadline", "en", ["公示"], question="How long does the notice stay up?")
    assert how_long == ": No fewer than 15 days (不得少于15日) [1]"
    # "when" as a conjunction asks no time: the question below asks a share
    from rag.query.analysis import asked_kind
    assert asked_kind("When an institute sells a patent, what share do the inventors keep?") == "figure"
    assert asked_kind("When must the platform be built?") == "deadline"
    assert asked_kind("By when should the service centre open?") == "deadline"
    assert asked_kind("the new fund - when does it start?") == "deadline"


def test_a_direct_answer_keeps_the_clause_its_fragment_depends_on():
    from rag.reading.direct_answer import best_fragments

    condition = "落户试验区的孵化器等成果转化机构经认定后，享受房产税、城镇土地使用税优惠政策。"
    assert best_fragments(condition, ["孵化器"]).endswith("城镇土地使用税优惠政策")
    joined = "科技型小微企业招收高校毕业生达到一定比例的，可申请一定额度的小额贷款，并享受财政贴息。另有规定。"
    assert best_fragments(joined, ["小额贷款"]).endswith("并享受财政贴息")


def test_items_said_in_parallel_sentences_are_listed_each():
    from rag.reading.direct_answer import parallel_fragments

    quote = ("加强生态保护，打造甲地生态示范区；探索特色产业发展，打造乙地食品产业示范区；"
             "推进农业融合发展，打造丙地农业示范区。")
    items = parallel_fragments(quote, ["打造", "示范区"], "要打造哪些示范区？")
    assert items == ["打造甲地生态示范区", "打造乙地食品产业示范区", "打造丙地农业示范区"]
    # one sentence: its fragments are not items
    assert parallel_fragments("以甲园区、乙园区为载体，建设技术转移中心。", ["园区"], "依托哪些园区？") == []


@pytest.mark.slow
def test_a_list_question_gets_every_parallel_item_of_the_clause(indexed_settings):
    from rag.pipeline.asking import answer

    result = answer("甘肃省规划打造哪些特色产业科技创新示范区？", settings=indexed_settings)
    for place in ("临夏", "定西", "陇南", "敦煌"):
        assert place in result.short_answer
