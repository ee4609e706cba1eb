"""New documents of any shape: identity, metadata read from the text, regions that nest,
and readers (UTF-16 without BOM, inline HTML, docx order, PDF page furniture).

Real files, real stores, real embedder; small documents written here."""
from __future__ import annotations

import shutil

import pytest

from rag.core.config import PROJECT_ROOT, Settings
from rag.ingest.catalog import CorpusCatalog, infer_info
from rag.ingest.loading import doc_id_for, extract_text, load_document
from rag.ingest.metadata import read_facts
from rag.places.regions import level_of
from tests.conftest import EXTRA_DOCS

CITY_PLAN = ("示例市促进科技成果转化行动方案（2018—2020年）\n一、主要目标\n"
             "（一）到2020年，全市技术合同交易额达到5亿元。\n")
PROVINCE_RULES = ("示例省促进科技成果转化若干措施\n一、收益分配\n"
                  "（一）职务科技成果转化净收入，按不低于80%的比例奖励成果完成人及其团队。\n")
CATALOG = """
[[document]]
id = "shili_city"
file = "city.txt"
title = "示例市促进科技成果转化行动方案（2018—2020年）"
region = "示例市"
level = "city"
parent_region = "示例省"
aliases = ["示例"]

[[region]]
name = "示例省"
level = "province"
aliases = ["示省"]
"""


def _corpus(tmp_path, files: dict[str, str], catalog: str = CATALOG):
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    (folder / "documents.toml").write_text(catalog, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copy(PROJECT_ROOT / "corpus" / "glossary.toml", folder)  # domain vocabulary, no document
    return folder


def _settings(tmp_path, corpus) -> Settings:
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data")


# --- metadata read from the text -------------------------------------------------------------

def test_regulation_metadata_is_read_from_its_text():
    facts = read_facts((EXTRA_DOCS / "zhejiang_2021.txt").read_text(encoding="utf-8"))
    assert facts.title == "浙江省促进科技成果转化条例"
    assert facts.issuer == "浙江省人民代表大会常务委员会"
    assert facts.adopted == "2004-01-16" and facts.effective == "2017-10-01"
    assert facts.amendments == ("2017-03-30 修订", "2021-09-29 修正")
    beijing = read_facts((EXTRA_DOCS / "beijing_2019.txt").read_text(encoding="utf-8"))
    assert (beijing.adopted, beijing.effective) == ("2019-11-27", "2020-01-01")


def test_notice_title_gives_the_plan_title_region_number_date_and_period():
    text = ("南昌市人民政府办公厅关于印发《南昌市促进科技成果转移转化行动方案（2017—2020年）》的通知\n"
            "洪府厅发〔2017〕12号\n各县（区）人民政府：\n现将《南昌市促进科技成果转移转化行动方案（2017—2020年）》"
            "印发给你们，请认真贯彻执行。\n南昌市人民政府办公厅\n2017年3月1日\n一、总体要求\n（一）目标。到2020年……\n")
    info = infer_info("nanchang.txt", text, CorpusCatalog([]))
    assert info.title == "南昌市促进科技成果转移转化行动方案（2017—2020年）"
    assert info.region == "南昌市" and info.level == "city"
    assert info.region_en == "Nanchang City"  # as official usage writes places: pinyin and level
    assert info.issuer == "南昌市人民政府办公厅" and info.doc_number == "洪府厅发〔2017〕12号"
    assert info.issued == "2017-03-01" and info.period == "2017-2020"


def test_a_cited_document_number_is_not_the_documents_own():
    facts = read_facts("某省促进科技成果转移转化行动方案\n为贯彻《国务院办公厅关于印发…的通知》（国办发〔2016〕28号），制定本方案。\n")
    assert facts.doc_number == ""


def test_a_regions_english_name_is_its_pinyin_with_its_level():
    from rag.places.regions import english_region

    assert english_region("浙江省") == "Zhejiang Province" and english_region("北京市") == "Beijing"
    assert english_region("") == "" and english_region("Hunan") == ""


def test_levels_come_from_the_names_and_a_national_law_has_no_region():
    assert level_of("甘肃省") == "province" and level_of("北京市") == "province"
    assert level_of("眉山市") == "city" and level_of("阿坝州") == "city"
    info = infer_info("law.txt", "中华人民共和国促进科技成果转化法\n第一条 为了促进科技成果转化，制定本法。\n",
                      CorpusCatalog([]))
    assert info.region == "" and info.level == "national"


def test_a_one_character_alias_does_not_claim_a_city_for_its_province():
    catalog = CorpusCatalog.load(PROJECT_ROOT / "corpus")  # 江西省 has the alias 赣
    info = infer_info("ganzhou.txt", "赣州市促进科技成果转化实施方案\n一、目标\n", catalog)
    assert info.region == "赣州市"


# --- identity --------------------------------------------------------------------------------

def test_doc_ids_keep_the_whole_file_name(tmp_path):
    names = ["2016年甘肃省方案.txt", "2016年江西省方案.docx", "policy.txt", "policy.pdf"]
    ids = [doc_id_for(tmp_path / n) for n in names]
    assert len(set(ids)) == 4 and ids[0] == "2016年甘肃省方案.txt"


@pytest.mark.slow
def test_same_name_in_another_folder_is_refused_and_catalog_entries_stay_with_the_corpus(tmp_path):
    from rag.pipeline.writing import ingest_paths

    corpus = _corpus(tmp_path, {"city.txt": CITY_PLAN})
    settings = _settings(tmp_path, corpus)
    assert ingest_paths([corpus], settings).documents == 1
    elsewhere = tmp_path / "uploads"
    elsewhere.mkdir()
    (elsewhere / "city.txt").write_text(PROVINCE_RULES, encoding="utf-8")  # the catalog's file name
    report = ingest_paths([elsewhere / "city.txt"], settings)
    assert report.documents == 1 and not report.skipped  # another document: city.txt, not shili_city
    from rag.index.store import ClauseStore

    docs = {d["doc_id"]: d for d in ClauseStore(settings).documents()}
    assert docs["shili_city"]["title"].startswith("示例市") and docs["city.txt"]["title"] == "示例省促进科技成果转化若干措施"
    other = tmp_path / "other"
    other.mkdir()
    (other / "city.txt").write_text(PROVINCE_RULES + "（二）另一份文件。\n", encoding="utf-8")
    clash = ingest_paths([other / "city.txt"], settings)
    assert clash.documents == 0 and "already indexed from" in clash.skipped[0][1]


@pytest.mark.slow
def test_metadata_edit_reaches_the_index_and_deleted_files_are_pruned(tmp_path):
    from rag.index.store import ClauseStore
    from rag.pipeline.writing import ingest_paths

    corpus = _corpus(tmp_path, {"city.txt": CITY_PLAN, "rules.txt": PROVINCE_RULES})
    settings = _settings(tmp_path, corpus)
    ingest_paths([corpus], settings)
    (corpus / "documents.toml").write_text(CATALOG.replace('title = "示例市促进', 'title = "修订后示例市促进'),
                                           encoding="utf-8")
    (corpus / "rules.txt").unlink()
    report = ingest_paths([corpus], settings)
    assert report.pruned == ["rules.txt"] and "pruned 1" in report.summary()
    titles = {n.metadata["title"] for n in ClauseStore(settings).all_chunks()}
    assert titles == {"修订后示例市促进科技成果转化行动方案（2018—2020年）"}


def test_two_uploads_with_one_name_are_not_merged(tmp_path):
    from rag.apps import views as ui

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)
    (settings.data_dir / "uploads").mkdir(parents=True)
    (settings.data_dir / "uploads" / "方案.txt").write_text(CITY_PLAN, encoding="utf-8")
    newer = tmp_path / "方案.txt"
    newer.write_text(PROVINCE_RULES, encoding="utf-8")
    status = ui.ingest_upload([str(newer)], settings)
    assert "refused" in status and "differs" in status
    assert (settings.data_dir / "uploads" / "方案.txt").read_text(encoding="utf-8") == CITY_PLAN


# --- regions nest ----------------------------------------------------------------------------

@pytest.mark.slow
def test_a_provincial_document_answers_a_city_question_with_its_level_named(tmp_path):
    from rag.pipeline.asking import answer
    from rag.pipeline.writing import ingest_paths

    corpus = _corpus(tmp_path, {"city.txt": CITY_PLAN, "province.txt": PROVINCE_RULES})
    settings = _settings(tmp_path, corpus)
    ingest_paths([corpus], settings)
    result = answer("示例市成果完成人的奖励比例是多少？", settings=settings)
    assert "80%" in result.text and "省级文件" in result.text
    assert result.citations[0].region == "示例省"
    english = answer("What share of the income goes to the inventors in Shili City? 示例市", settings=settings)
    assert "provincial document" in english.text
    own = answer("示例市技术合同交易额目标是多少？", settings=settings)
    assert "5亿元" in own.text and "省级文件" not in own.text


# --- readers ---------------------------------------------------------------------------------

def test_utf16_without_bom_is_detected(tmp_path):
    for enc in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{enc}.txt"
        path.write_bytes(CITY_PLAN.encode(enc))
        assert extract_text(path).text == CITY_PLAN


def test_inline_html_tags_do_not_break_a_sentence(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>一、目标</p><p>到2020年，<span>技术合同</span>交易额达到"
                    "<a href='#'>5亿元</a>。</p><div>二、任务</div></body></html>", encoding="utf-8")
    lines = [ln for ln in extract_text(path).text.split("\n") if ln.strip()]
    assert lines == ["一、目标", "到2020年，技术合同交易额达到5亿元。", "二、任务"]


def test_docx_tables_stay_in_body_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("一、目标")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "5亿元"
    document.add_paragraph("二、任务")
    path = tmp_path / "order.docx"
    document.save(path)
    text = extract_text(path).text
    assert text.index("一、目标") < text.index("指标\t5亿元") < text.index("二、任务")


def test_pdf_page_numbers_and_running_headers_are_not_text():
    from rag.ingest.readers import strip_page_furniture

    pages = [f"示例市人民政府文件\n第{i}段正文。\n— {i} —" for i in range(1, 5)] + ["示例市人民政府文件\n结尾。\n第 5 页"]
    kept = "\n".join(strip_page_furniture(pages))
    assert "— 3 —" not in kept and "第 5 页" not in kept and "示例市人民政府文件" not in kept
    assert "第3段正文。" in kept


@pytest.mark.slow
def test_one_unreadable_file_is_one_reason_and_the_rest_go_on(tmp_path):
    from rag.pipeline.writing import ingest_paths

    corpus = _corpus(tmp_path, {"city.txt": CITY_PLAN})
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    report = ingest_paths([corpus], _settings(tmp_path, corpus))
    assert report.documents == 1
    reasons = dict(report.skipped)
    assert set(reasons) == {"broken.docx", "broken.pdf"}
    assert all("\n" not in r and r.startswith(name) for name, r in reasons.items())


def test_a_catalog_entry_is_filled_from_the_text_where_it_is_empty(catalog):
    doc = load_document(PROJECT_ROOT / "corpus" / "jiangxi_2017.txt", catalog)
    assert doc.metadata["period"] == "2017-2020" and doc.metadata["title"].startswith("江西省")
