"""Reading a question the way its writer meant it, and reading the clause that answers it:
homophone typos, a rule's cases read with the rule's subject, rare words ranked above the
words every clause has, figures with their ranges and day counts, and English words whose
only translation is one character.

A small regulation written here, a real store and embedder."""
from __future__ import annotations

import pytest

from rag.core.numbers import arabic_numerals
from rag.reading.extractive import key_figure


def test_a_case_of_a_rule_is_quoted_with_the_rule_it_belongs_to(example_settings):
    from rag.pipeline.asking import answer

    result = answer("示例市弄虚作假但没有违法所得的，罚款是多少？", settings=example_settings)
    assert "2万元以上5万元以下" in result.short_answer
    quote = result.text.split("\n")[1]
    assert "弄虚作假" in quote and "没有违法所得的，处以二万元以上五万元以下的罚款" in quote


def test_a_rare_word_of_the_question_outranks_the_words_every_clause_has(example_settings):
    from rag.pipeline.asking import answer

    result = answer("示例市的医疗卫生机构搞科技成果转化，能适用研发机构、高等院校的规定吗？", settings=example_settings)
    assert result.citations[0].clause_number == "第四条"


def test_figures_keep_their_ranges_day_counts_and_written_scale():
    assert key_figure(arabic_numerals("处以五万元以上十万元以下的罚款"), ["罚款"]) == "5万元以上10万元以下"
    assert key_figure(arabic_numerals("公示时间不少于十五日"), ["公示"]) == "不少于15日"
    assert key_figure("2020年1月15日起施行，期限30日", ["期限"]) == "30日"
    assert arabic_numerals("两千万元") == "2000万元" and arabic_numerals("一亿元") == "1亿元"




def test_an_amount_is_answered_only_by_a_figure_of_the_thing_asked(example_settings):
    from rag.pipeline.asking import answer

    counted = answer("示例市每年培育多少家孵化器？", settings=example_settings)
    assert "10家" in counted.short_answer
    # the clauses speak of 孵化器, 场地 and 补贴, but the only figure counts incubators
    subsidy = answer("示例市孵化器企业的场地补贴标准是多少？", settings=example_settings)
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


def test_the_figure_given_is_the_one_beside_the_asked_thing_in_the_asked_unit(example_settings):
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
