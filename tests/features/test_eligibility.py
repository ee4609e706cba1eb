"""Eligibility: each measure of a region's documents with a verdict for a kind of applicant."""
from __future__ import annotations

from datetime import date

import pytest

from rag.extract.measures import measure_of
from rag.features.eligibility import measures_for, to_csv, to_markdown, verdict


@pytest.mark.parametrize("sentence,kind,status", [
    ("对科技型中小企业给予贷款贴息。", "科技型中小企业", "met"),
    ("符合条件的科技型中小企业可申请补助。", "科技型中小企业", "needs checking"),
    ("鼓励高校设立技术转移机构，给予资金支持。", "科技型中小企业", "not met"),
    # a measure for a narrower kind the applicant may also be: never "met" on 企业 ⊂ 小微企业
    ("对小微企业申请发明专利进行资助。", "高新技术企业", "needs checking"),
    # a measure for enterprises covers a 高新技术企业
    ("支持企业建设重点实验室，给予资金补助。", "高新技术企业", "met"),
    # the 国有企业 pays the reward here; the inventors receive it
    ("国有企业事业单位对职务发明完成人的奖励，计入当年单位工资总额。", "高新技术企业", "not met"),
    # 企业家 are people, not enterprises
    ("支持企业家、科技人员到高校担任兼职教授或创业导师。", "科技型中小企业", "not met"),
])
def test_measure_verdict_for_an_applicant(sentence, kind, status):
    measure = measure_of(sentence)
    assert measure is not None
    assert verdict(measure.beneficiaries, measure.conditions, kind)[0] == status


def test_meishan_tech_sme_measures_come_from_meishan_clauses_with_sources(corpus_docs):
    from rag.chunking.parser import ClauseNodeParser, token_counter

    nodes = ClauseNodeParser().clause_nodes(corpus_docs["meishan_2017"], token_counter())
    measures = measures_for(nodes, "眉山市", "科技型中小企业", today=date(2026, 12, 1))
    loans = [m for m in measures if "贷款贴息" in m.text]
    assert loans and loans[0].status == "needs checking" and loans[0].label.startswith("《眉山市")
    assert any(m.status == "not met" and "学分" in m.text for m in measures)
    assert all(m.period == "2017-2020" and m.ended for m in measures)  # the plan ended in 2020
    assert "| 结论 verdict |" in to_markdown(measures, "眉山市", "科技型中小企业")
    assert to_csv(measures).splitlines()[0].startswith("status,reason")
    with pytest.raises(ValueError):
        measures_for(nodes, "眉山市", "外星人")


def test_rag_eligible_gives_verdicts_for_a_city_inside_a_covered_region(indexed_settings):
    import json
    import subprocess
    import sys

    env = {"RAG_DATA_DIR": str(indexed_settings.data_dir), "RAG_CORPUS_DIR": str(indexed_settings.corpus_dir),
           "HF_HUB_OFFLINE": "1", "PATH": ""}
    run = subprocess.run([sys.executable, "-m", "rag", "eligible", "--region", "绵阳", "--applicant", "高校",
                          "--json"], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert rows and {r["region"] for r in rows} == {"成德绵"}  # 绵阳 is a city of the 成德绵 zone
    assert {r["status"] for r in rows} <= {"met", "needs checking", "not met"}
    assert any(r["status"] == "met" and "高" in r["beneficiaries"] for r in rows)
    wrong = subprocess.run([sys.executable, "-m", "rag", "eligible", "--region", "绵阳", "--applicant", "外星人"],
                           capture_output=True, text=True, env=env)
    assert wrong.returncode == 2 and "unknown applicant kind" in wrong.stderr


def test_a_broad_eligibility_question_in_chat_gets_the_strongest_measures_as_a_cited_list(indexed_settings):
    from rag.pipeline.asking import answer

    result = answer("我们是眉山的科技型中小企业，能享受哪些支持？", settings=indexed_settings)
    assert not result.abstained and len(result.citations) >= 3
    assert all(c.region == "眉山市" for c in result.citations)
    assert result.short_answer.startswith("眉山市·科技型中小企业") and "（符合）" in result.short_answer
    assert "2017-2020（已结束" in result.text  # the plan's period, and that it has ended
    english = answer("What support can a university in Jiangxi get?", settings=indexed_settings)
    assert "(met)" in english.short_answer and {c.region for c in english.citations} == {"江西省"}
    # a question with a topic of its own is answered by the reader, not by the list
    topical = answer("眉山的科技型中小企业申请贷款贴息能享受哪些支持？", settings=indexed_settings)
    assert "（符合）" not in topical.text
