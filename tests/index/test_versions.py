"""Versions of one work: which is in force, how a citation names it, what an answer says of a
replaced one. Over the two Shanghai pairs of ../shared/regulations and a pair made here."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from rag.index.versions import ENDED, IN_FORCE, NOT_YET, REPEALED, REPLACED, version_date, versions_of
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.loading import load_document
from tests.conftest import CORPUS, SHARED, index_documents

TODAY = dt.date(2026, 12, 1)
REGULATIONS = SHARED / "regulations"
PAIRS = {"上海市科学技术进步条例": ("(2010-09-17)", "(2024-05-10)"),
         "上海市促进农业科技进步若干规定": ("(2007-10-10)", "(2024-11-28)")}


def _doc(doc_id, title, **fields):
    return {"doc_id": doc_id, "title": title, **fields}


def test_the_newest_version_is_in_force_and_each_older_one_is_replaced_by_the_next():
    versions = versions_of([_doc("a", "某条例", source_file="某条例(2004-01-16).md"),
                            _doc("c", "某条例", source_file="某条例(2021-09-30).md", amendments="2015-05-01 修正；2021-09-30 修订"),
                            _doc("b", "某条例", source_file="某条例(2015-05-01).md")], TODAY)
    assert [versions[d].status for d in "abc"] == [REPLACED, REPLACED, IN_FORCE]
    assert (versions["a"].replaced_by, versions["b"].replaced_by, versions["b"].replaced_on) == ("b", "c", "2021-09-30")
    assert [versions[d].label for d in "abc"] == ["2004年", "2015年修正", "2021年修订"]


def test_a_single_version_has_no_label_and_its_status_comes_from_its_own_dates():
    versions = versions_of([_doc("plan", "某方案", period="2016-2020"), _doc("law", "某法", effective="2027-01-01"),
                            _doc("old", "某办法", declared_status="废止"), _doc("now", "某规定")], TODAY)
    assert {d: v.status for d, v in versions.items()} == {"plan": ENDED, "law": NOT_YET, "old": REPEALED, "now": IN_FORCE}
    assert all(v.label == "" and not v.others for v in versions.values())


def test_a_newer_version_not_yet_in_force_replaces_nothing_yet():
    versions = versions_of([_doc("old", "某条例", source_file="某条例(2010-01-01).md"),
                            _doc("new", "某条例", source_file="某条例(2026-11-01).md", effective="2027-03-01")], TODAY)
    assert (versions["old"].status, versions["old"].replaced_by) == (IN_FORCE, "")
    assert versions["new"].status == NOT_YET


def test_one_text_in_two_files_is_one_version_and_two_regions_titles_are_two_works():
    versions = versions_of([_doc("a.txt", "某方案", date="2016-11-11"), _doc("a.pdf", "某方案", date="2016-11-11"),
                            _doc("x", "科技创新促进条例", region="舟山市"), _doc("y", "科技创新促进条例", region="宁波市")], TODAY)
    assert all(v.status == IN_FORCE and v.label == "" for v in versions.values())
    assert versions["x"].others == ()


def test_a_year_between_two_versions_reads_the_one_in_force_that_year():
    from rag.index.versions import versions_not_read
    from rag.query.analysis import asked_years

    versions = versions_of([_doc("v2010", "某条例", source_file="某条例(2010-09-17).md"),
                            _doc("v2024", "某条例", source_file="某条例(2024-05-10).md")], TODAY)
    assert versions_not_read(versions, asked_years("2015年某条例怎么规定的？")) == {"v2024"}
    assert versions_not_read(versions, asked_years("某条例怎么规定的？")) == {"v2010"}
    # no version is that old: the one in force
    assert versions_not_read(versions, asked_years("2008年某条例怎么规定的？")) == {"v2010"}


def test_a_version_is_dated_by_its_latest_act_else_by_its_file_name():
    assert version_date({"source_file": "x(2024-05-11).md", "adopted": "1996-06-20",
                         "amendments": "2000-07-13 修正；2010-09-17 修订"}) == "2010-09-17"
    assert version_date({"source_file": "x(2010-09-17).md"}) == "2010-09-17"
    assert version_date({"date": "2016-11-11", "effective": "2017-01-01"}) == "2016-11-11"
    assert version_date({"effective": "2020-01-01"}) == "2020-01-01"


def test_the_shanghai_pairs_of_the_library_are_read_as_versions():
    catalog = CorpusCatalog.load(CORPUS)
    metadata = [load_document(REGULATIONS / f"{title}{date}.md", catalog).metadata
                for title, dates in PAIRS.items() for date in dates]
    versions = versions_of(metadata, TODAY)
    by_file = {m["source_file"]: versions[m["doc_id"]] for m in metadata}
    assert by_file["上海市科学技术进步条例(2024-05-10).md"].status == IN_FORCE
    assert by_file["上海市科学技术进步条例(2010-09-17).md"].status == REPLACED
    # the newer text's header names the 2010 act a revision
    assert by_file["上海市科学技术进步条例(2010-09-17).md"].label == "2010年修订"
    assert by_file["上海市促进农业科技进步若干规定(2024-11-28).md"].label == "2024年修订"
    assert by_file["上海市促进农业科技进步若干规定(2007-10-10).md"].status == REPLACED


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """舟山's regulation as published, and a copy amended in 2023 whose article 3 was reworded."""
    original = REGULATIONS / "舟山市科技创新促进条例(2019-12-13).md"
    text = original.read_text(encoding="utf-8")
    text = text.replace("<!-- INFO END -->", "2023年4月26日 舟山市第八届人民代表大会常务委员会第九次会议修正\n\n<!-- INFO END -->", 1)
    text = re.sub(r"第三条 [^\n]+", "第三条 科技创新促进应当坚持以企业为主体，重点围绕发展海洋经济和数字经济。", text, count=1)
    return index_documents(tmp_path_factory, "versions",
                           {original.name: original, "舟山市科技创新促进条例(2023-06-01).md": text})


@pytest.mark.slow
def test_an_article_is_answered_from_the_version_in_force_and_the_other_versions_wording_is_compared(two_versions):
    from rag.pipeline.asking import answer

    now = answer("舟山市科技创新促进条例第三条是怎么规定的？", settings=two_versions)
    assert "数字经济" in now.text and now.citations[0].label == "《舟山市科技创新促进条例》（2023年修正）第三条"
    assert now.citations[0].status == IN_FORCE and "2019年版本的第三条内容不同" in now.text
    same = answer("舟山市科技创新促进条例第二条是怎么规定的？", settings=two_versions)
    assert "2019年版本的第二条与此相同" in same.text


@pytest.mark.slow
def test_a_question_naming_a_year_is_answered_from_that_version_and_told_it_was_replaced(two_versions):
    from rag.pipeline.asking import answer

    old = answer("2019年的舟山市科技创新促进条例第三条是怎么规定的？", settings=two_versions)
    assert "数字经济" not in old.text and old.citations[0].label == "《舟山市科技创新促进条例》（2019年）第三条"
    assert old.citations[0].status == REPLACED
    assert "已被2023年4月26日的版本取代" in old.text.split("\n")[-1]
    english = answer("What does article 3 of the 2019 Zhoushan regulation on science and technology innovation say?",
                     settings=two_versions)
    assert english.citations and english.citations[0].status == REPLACED and "replaced by the version of" in english.text


@pytest.mark.slow
def test_an_answer_from_an_ended_plan_says_its_period_ended(indexed_settings):
    from rag.pipeline.asking import answer

    result = answer("阿坝州到2020年技术合同交易额累计要达到多少？", settings=indexed_settings)
    assert result.citations[0].status == ENDED
    assert result.text.split("\n")[-1] == "注意：[1]所引《阿坝州促进科技成果转移转化行动方案（2016—2020年）》的实施期限为2016—2020年，已于2020年底结束。"


@pytest.fixture(scope="module")
def shanghai_pairs(tmp_path_factory):
    """The two Shanghai works of the library, each in both its versions, indexed."""
    files = [f"{title}{date}.md" for title, dates in PAIRS.items() for date in dates]
    return index_documents(tmp_path_factory, "shanghai", {name: REGULATIONS / name for name in files})


@pytest.mark.slow
def test_answers_over_the_shanghai_pairs_cite_the_version_in_force_by_its_name(shanghai_pairs):
    from rag.pipeline.asking import answer

    for question in ("上海市科学技术进步条例第四十二条是什么？", "上海市科学技术进步条例对科研诚信有什么要求？",
                     "上海市促进农业科技进步若干规定对农业科技人员有什么激励？"):
        result = answer(question, settings=shanghai_pairs)
        assert result.citations, question
        assert all(c.status == IN_FORCE and c.version.startswith("2024年") for c in result.citations), question
    article = answer("上海市科学技术进步条例第四十二条是什么？", settings=shanghai_pairs)
    assert article.citations[0].label == "《上海市科学技术进步条例》（2024年修订）第四十二条"
    assert article.text.endswith("2010年修订版本的第四十二条内容不同。")
    old = answer("2010年版上海市科学技术进步条例第四十二条是什么？", settings=shanghai_pairs)
    assert old.citations[0].version == "2010年修订" and "已被2024年5月10日的版本取代" in old.text
