"""The clause chunker on the five real documents and on small texts written here."""
from __future__ import annotations

import re

import pytest
from llama_index.core.schema import Document, MetadataMode

from rag.chunking.clauses import heading_kind, parse_clauses
from rag.chunking.parser import ClauseNodeParser, token_counter
from rag.chunking.tables import WS

# Counts read off the documents by hand: top-level 一、, (一), 1., (1), "--" bullets, annex rows.
EXPECTED_LEVELS = {
    "aba_2016": {"cn": 5, "cn_paren": 14, "arabic": 20, "arabic_paren": 12, "bullet": 0, "rows": 0},
    "chengdemian": {"cn": 3, "cn_paren": 12, "arabic": 24, "arabic_paren": 0, "bullet": 0, "rows": 9},
    "gansu_2016": {"cn": 3, "cn_paren": 14, "arabic": 24, "arabic_paren": 0, "bullet": 5, "rows": 22},
    "jiangxi_2017": {"cn": 3, "cn_paren": 8, "arabic": 17, "arabic_paren": 0, "bullet": 0, "rows": 0},
    "meishan_2017": {"cn": 5, "cn_paren": 12, "arabic": 13, "arabic_paren": 0, "bullet": 0, "rows": 14},
}


def nodes_of(doc, max_tokens=400):
    return ClauseNodeParser(max_tokens=max_tokens).clause_nodes(doc, token_counter())


def level_counts(clauses):
    counts = {k: 0 for k in ("cn", "cn_paren", "arabic", "arabic_paren", "bullet", "rows")}
    for c in clauses:
        if c.kind == "table_row":
            counts["rows"] += 1
        elif c.kind in ("clause", "heading"):
            last = c.path[-1]
            found = heading_kind(last if not c.numbers[-1].startswith("“") else "--" + last)
            if found:
                counts[found[0]] += 1
    return counts


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_LEVELS))
def test_clause_counts_per_level(corpus_docs, doc_id):
    assert level_counts(parse_clauses(corpus_docs[doc_id].text)) == EXPECTED_LEVELS[doc_id]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_LEVELS))
def test_no_chunk_holds_two_numbered_clauses(corpus_docs, doc_id):
    for node in nodes_of(corpus_docs[doc_id]):
        if node.metadata["kind"].startswith("table"):
            continue
        numbered = [ln for ln in node.text.split("\n") if heading_kind(ln.strip(WS))]
        assert len(numbered) <= 1, node.text[:200]
        if numbered:
            assert node.text.startswith(numbered[0]), node.metadata["clause_path"]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_LEVELS))
def test_every_character_of_the_cleaned_body_lands_in_exactly_one_chunk(corpus_docs, doc_id):
    text = corpus_docs[doc_id].text
    owner = [0] * len(text)
    for node in nodes_of(corpus_docs[doc_id]):
        for i in range(node.metadata["start_char"], node.metadata["end_char"]):
            owner[i] += 1
    for i, ch in enumerate(text):
        if ch.strip(WS + "\n"):
            assert owner[i] == 1, f"{doc_id} offset {i} {text[max(0, i - 10):i + 10]!r} in {owner[i]} chunks"


def test_the_70_percent_sentence_sits_in_the_incentive_clause(corpus_docs):
    hits = [n for n in nodes_of(corpus_docs["aba_2016"]) if "按至少70%的比例划归成果完成人及其团队所有" in n.text]
    assert len(hits) == 1
    meta = hits[0].metadata
    assert meta["clause_path"] == "四、重点任务 > （五）强化科技成果转化人才队伍建设 > 1.完善科技成果转移转化激励机制"
    assert meta["clause_number"] == "四、（五）1"
    assert meta["region"] == "阿坝州"


def test_annex_row_becomes_one_chunk_that_names_its_columns(corpus_docs):
    rows = [n for n in nodes_of(corpus_docs["gansu_2016"]) if n.metadata["kind"] == "table_row"]
    assert len(rows) == 22
    row2 = [n for n in rows if n.metadata["clause_path"].endswith("序号2")][0]
    assert row2.text == ("序号: 2 | 重点任务: 建立全省科技成果信息系统 | "
                         "责任部门: 省科技厅、省财政厅、中科院兰州分院等 | 时间进度: 2017年12月底前建成")
    assert row2.metadata["clause_path"] == "附件 > 重点任务分工及进度安排表 > 序号2"


def test_cell_per_line_table_rows_are_labelled(corpus_docs):
    rows = [n for n in nodes_of(corpus_docs["chengdemian"]) if n.metadata["kind"] == "table_row"]
    assert rows[0].text == "序号: 1 | 指标内容: 推进军民科技成果双向转移转化1000项 | 成都市: 600项 | 绵阳市: 300项 | 德阳市: 100项"


def test_space_separated_table_with_merged_cells_keeps_departments_and_dates(corpus_docs):
    rows = [n for n in nodes_of(corpus_docs["meishan_2017"]) if n.metadata["kind"] == "table_row"]
    assert len(rows) == 14
    row11 = [n for n in rows if n.metadata["clause_path"].endswith("序号11")][0]
    assert "责任部门(排第一位为牵头部门): 市科技局、相关园区管委会" in row11.text
    assert row11.text.endswith("时间安排: 2017年启动,持续推进")


def test_web_furniture_never_becomes_a_chunk(corpus_docs):
    text = "\n".join(n.text for n in nodes_of(corpus_docs["meishan_2017"]))
    for furniture in ("当前位置", "关闭窗口", "扫一扫", "ICP备", "热线", "本页面执行时间", "索 引 号"):
        assert furniture not in text
    assert "眉山市人民政府办公室关于印发眉山市促进科技成果转移转化行动方案" in text


def test_embedded_text_is_title_path_and_clause_shown_text_is_the_clause(corpus_docs):
    node = [n for n in nodes_of(corpus_docs["aba_2016"]) if "70%" in n.text][0]
    embedded = node.get_content(MetadataMode.EMBED)
    assert embedded.startswith("阿坝州促进科技成果转移转化行动方案（2016—2020年）\n四、重点任务 > ")
    assert embedded.endswith(node.text)
    assert node.text.startswith("1.完善科技成果转移转化激励机制。")


def test_long_clause_is_split_at_sentence_ends_and_parts_share_the_path(corpus_docs):
    parts = [n for n in nodes_of(corpus_docs["jiangxi_2017"], max_tokens=150) if n.metadata["parts"] > 1]
    assert parts
    count = token_counter()
    by_path = {}
    for n in parts:
        assert count(n.text) <= 150
        # a piece ends at a sentence end, or at a comma when one sentence alone is over the limit
        assert n.text.rstrip()[-1] in "。；，）)" or n.metadata["part"] == n.metadata["parts"]
        by_path.setdefault(n.metadata["clause_path"], []).append(n.metadata["part"])
    for numbers in by_path.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_heading_level_follows_place_not_frequency():
    text = ("一、总则\n（一）目标。内容。\n1.甲。内容甲。\n2.乙。内容乙。\n（二）任务。内容。\n"
            "1.丙。内容丙。\n二、保障\n（一）组织。内容。\n")
    paths = [c.clause_path for c in parse_clauses(text)]
    # 1. opens below （一） although it is the most frequent pattern; （二） closes it again
    assert "一、总则 > （一）目标 > 2.乙" in paths
    assert "一、总则 > （二）任务 > 1.丙" in paths
    assert paths[-1] == "二、保障 > （一）组织"


def test_half_and_full_width_numbering_are_the_same_level():
    clauses = parse_clauses("一、总则\n(一)甲。内容甲。\n（二）乙。内容乙。\n1.丙。内容丙。\n1．丁。内容丁。\n")
    assert [c.clause_number for c in clauses] == ["一、", "一、(一)", "一、（二）", "一、（二）1", "一、（二）1"]


def test_heading_alone_on_its_line_takes_the_following_paragraphs_as_body():
    clauses = parse_clauses("一、目标\n1．发布目录。\n\n围绕产业需求发布目录。\n\n2．共享信息。\n\n建设信息系统。\n")
    bodies = {c.clause_number: c.text for c in clauses}
    assert bodies["一、1"] == "1．发布目录。\n围绕产业需求发布目录。"
    assert bodies["一、2"] == "2．共享信息。\n建设信息系统。"


def test_numbers_with_decimals_are_not_headings():
    assert heading_kind("3.5件发明专利") is None
    assert heading_kind("1.5亿元用于补助") is None
    assert heading_kind("3.壮大队伍") == ("arabic", "3.")


def test_document_without_headings_is_one_preamble_chunk():
    doc = Document(text="这是一段没有编号的说明文字。第二句话。", id_="plain", metadata={"title": "说明"})
    nodes = nodes_of(doc)
    assert len(nodes) == 1 and nodes[0].metadata["kind"] == "preamble"


def test_chunk_ids_are_stable_content_hashes(corpus_docs):
    first = [n.node_id for n in nodes_of(corpus_docs["gansu_2016"])]
    second = [n.node_id for n in nodes_of(corpus_docs["gansu_2016"])]
    assert first == second and len(set(first)) == len(first)
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in first)
