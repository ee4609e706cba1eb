"""The facts layer: figures with unit, qualifier, scope and period; responsible units with the
lead first; deadlines; enumerations; table cells under their headers — stored with each
chunk at ingest and read by the direct answer."""
from __future__ import annotations

import json
import subprocess
import sys

from rag.extract.facts import Cell, cells_for_places, facts_of, figures


def test_a_figure_has_its_unit_qualifier_scope_and_period():
    found = figures("到2020年，全省技术合同交易额突破700亿元，累计培育示范企业50家以上。")
    assert [f.text for f in found] == ["突破700亿元", "50家以上"]  # the year is a date, not a figure
    assert (found[0].unit, found[0].qualifier, found[0].scope) == ("亿元", "突破", "全省")
    assert found[1].period == "累计" and found[1].qualifier == "以上"


def test_the_lead_unit_comes_first_and_is_marked():
    facts = facts_of("加强技术转移人才培养。（省教育厅牵头，省科技厅、省人社厅参与）")
    assert facts.units[0] == "省教育厅（牵头）" and "省科技厅" in facts.units


def test_units_listed_before_deng_bumen_are_each_a_unit_and_banli_is_no_office():
    facts = facts_of("市公安、外国专家等部门应当在办理入境签证时简化程序。")
    assert facts.units == ["市公安", "外国专家"]


def test_deadlines_and_enumerations_are_read():
    facts = facts_of("2017年底前建成平台，重点依托漩口、土门、松潘等园区建设技术转移中心。")
    assert "2017年底前" in facts.deadlines
    assert facts.items == ["漩口", "土门", "松潘"]
    numbered = facts_of("开展下列工作：（一）成果登记；（二）技术评估；（三）交易服务。")
    assert numbered.items == ["成果登记", "技术评估", "交易服务"]


def test_a_table_row_keeps_each_cell_under_its_header_and_a_named_city_finds_its_cell():
    row = "序号: 3 | 指标内容: 布局建设10个环高校知识经济圈 | 成都市: 8个 | 绵阳市: 1个 | 德阳市: 1个"
    cells = facts_of(row, "table_row").cells
    assert Cell("成都市", "8个") in cells
    assert cells_for_places(cells, "绵阳要建几个？") == [Cell("绵阳市", "1个")]
    assert cells_for_places(cells, "How many will Mianyang build?") == [Cell("绵阳市", "1个")]


def test_a_city_question_is_answered_by_its_cell_of_the_breakdown_table(indexed_settings):
    from rag.pipeline.asking import answer

    result = answer("环高校知识经济圈，绵阳要布局建设几个？", settings=indexed_settings)
    assert "绵阳市 1个" in result.short_answer


def test_rag_chunks_json_shows_each_chunks_facts(indexed_settings):
    env = {"RAG_DATA_DIR": str(indexed_settings.data_dir), "RAG_CORPUS_DIR": str(indexed_settings.corpus_dir),
           "HF_HUB_OFFLINE": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-m", "rag", "chunks", "chengdemian", "--json"],
                         capture_output=True, text=True, env=env, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    table = [r for r in rows if r["kind"] == "table_row"]
    assert table and all(r["facts"]["cells"] for r in table)
    assert any(f["unit"] == "亿元" for r in rows for f in r["facts"]["figures"])
