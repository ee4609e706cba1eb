"""Documents in article form (条例, 办法): chapters, articles, paragraphs and items.

Tested on the two real regulations in ../shared/extra-docs/ (read from there, never copied)
and on small texts written here."""
from __future__ import annotations

import re

import pytest

from rag.chunking.clauses import parse_clauses
from rag.chunking.parser import ClauseNodeParser, token_counter
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.loading import load_document
from tests.conftest import EXTRA_DOCS

REGULATIONS = ["beijing_2019.txt", "zhejiang_2021.txt"]


def nodes_of(doc, max_tokens=400):
    return ClauseNodeParser(max_tokens=max_tokens).clause_nodes(doc, token_counter())


@pytest.fixture(scope="module")
def regulations():
    missing = [n for n in REGULATIONS if not (EXTRA_DOCS / n).is_file()]
    assert not missing, f"the shared regulations are missing from {EXTRA_DOCS}: {missing}"
    empty = CorpusCatalog([])
    return {n: load_document(EXTRA_DOCS / n, empty) for n in REGULATIONS}


@pytest.mark.parametrize("name", REGULATIONS)
def test_every_chunk_of_a_regulation_has_an_article_path_and_label(regulations, name):
    doc = regulations[name]
    numbers_seen = []
    for node in nodes_of(doc):
        m = node.metadata
        if m["kind"] in ("preamble", "heading"):
            continue
        assert re.fullmatch(r"第[一二三四五六七八九十]+章 \S+ > 第[一二三四五六七八九十百]+条", m["clause_path"]), m["clause_path"]
        assert re.fullmatch(r"第[一二三四五六七八九十百]+条", m["clause_number"]), m["clause_number"]
        assert m["article"] >= 1
        if m["part"] == 1:
            numbers_seen.append(m["article"])
    assert numbers_seen == list(range(1, len(numbers_seen) + 1)), "articles must be numbered 1..N in order"
    assert len(numbers_seen) >= 45


def test_article_18_of_the_beijing_regulation_is_one_chunk_with_its_chapter(regulations):
    hits = [n for n in nodes_of(regulations["beijing_2019.txt"]) if n.metadata["article"] == 18]
    assert len(hits) == 1
    assert hits[0].metadata["clause_path"] == "第三章 转化实施 > 第十八条"
    assert hits[0].text.startswith("第十八条 政府设立的研发机构、高等院校应当建立符合本单位科技成果转化工作特点的职称分类评审")


def test_items_stay_with_their_lead_in(regulations):
    # 第二十六条: "提供下列服务：" then （一）…（n）: one chunk, the items never alone
    art = [n for n in nodes_of(regulations["beijing_2019.txt"]) if n.metadata["article"] == 26]
    assert len(art) == 1 and "下列服务" in art[0].text and "（一）" in art[0].text


def test_a_long_article_is_cut_at_items_each_piece_shown_after_its_lead_in(regulations):
    count = token_counter()
    pieces = [n for n in nodes_of(regulations["zhejiang_2021.txt"], max_tokens=150) if n.metadata["article"] == 37]
    assert len(pieces) > 1
    lead = "政府设立的研究开发机构、高等院校依法对完成、转化职务科技成果做出重要贡献的人员给予奖励时，按照下列规定执行："
    for piece in pieces:
        assert piece.metadata["clause_number"] == "第三十七条"
        if re.search(r"^（[一二三]）", piece.text, re.M):
            assert lead in piece.text, piece.text[:80]
    item_three = [p for p in pieces if "（三）自行实施" in p.text]
    assert item_three and item_three[0].text.index(lead) < item_three[0].text.index("（三）")
    assert all(count(p.text) <= 150 + count(lead) for p in pieces)


def test_article_quoted_inside_a_sentence_does_not_open_an_article():
    text = ("某市科技创新促进办法\n第一条 为了促进创新，制定本办法。\n第二条 本办法适用于本市。\n"
            "第三条规定的事项，由市科技局负责解释。\n第三条 市科技局负责组织实施。\n")
    clauses = [c for c in parse_clauses(text) if c.kind == "clause"]
    assert [c.clause_number for c in clauses] == ["第一条", "第二条", "第三条"]
    assert "第三条规定的事项" in clauses[1].text


def test_a_plan_with_an_article_form_annex_keeps_both_structures():
    text = ("一、总体要求\n（一）目标。到2020年建成10家平台。\n二、重点任务\n（一）建设平台。支持建设平台。\n"
            "附件\n某市科技成果转化奖励办法\n第一条 为了奖励转化，制定本办法。\n第二条 奖励如下：\n"
            "（一）转让的，奖励70%；\n（二）投资的，奖励70%。\n")
    by_number = {c.clause_number: c for c in parse_clauses(text) if c.kind == "clause"}
    assert "二、（一）" in by_number
    assert "（一）转让的" in by_number["第二条"].text and "奖励如下" in by_number["第二条"].text
    assert "附件" in by_number["第二条"].clause_path


def test_chapter_title_spacing_is_normalised():
    clauses = parse_clauses("第一章　总　　则\n第一条 为了规范，制定本条例。\n")
    assert clauses[-1].clause_path == "第一章 总则 > 第一条"
