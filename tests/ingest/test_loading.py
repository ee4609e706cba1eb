"""Loading files: strict decoding, furniture, metadata from the catalog or from the text."""
from __future__ import annotations

import pytest

from rag.core.errors import DocumentError
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.loading import decode_bytes, load_document
from tests.conftest import CORPUS

SAMPLE = "一、总体要求\n（一）目标。到2020年，技术合同交易额达到200亿元。\n"


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                             ("gbk", b""), ("gb18030", b""), ("utf-16", b"")])
def test_text_in_any_common_encoding_decodes_to_the_same_text(encoding, prefix):
    loaded = decode_bytes(prefix + SAMPLE.encode(encoding))
    assert loaded.text.lstrip("\ufeff") == SAMPLE


def test_gbk_file_chunks_exactly_like_its_utf8_original(tmp_path, catalog):
    from rag.chunking.parser import ClauseNodeParser, token_counter

    source = (CORPUS / "gansu_2016.txt").read_text(encoding="utf-8")
    (tmp_path / "gansu_2016.txt").write_bytes(source.encode("gbk", errors="strict"))
    (tmp_path / "gansu_bom.txt").write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    parser, count = ClauseNodeParser(), token_counter()
    original = [n.text for n in parser.clause_nodes(load_document(CORPUS / "gansu_2016.txt", catalog), count)]
    gbk_doc = load_document(tmp_path / "gansu_2016.txt", catalog)
    assert gbk_doc.metadata["encoding"] == "gb18030"
    assert [n.text for n in parser.clause_nodes(gbk_doc, count)] == original
    bom_doc = load_document(tmp_path / "gansu_bom.txt", catalog)
    assert not bom_doc.text.startswith("\ufeff")
    assert [n.text for n in parser.clause_nodes(bom_doc, count)] == original


@pytest.mark.parametrize("data,reason", [(b"", "empty"), (b"  \n\t\n", "empty"),
                                         (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "binary"),
                                         (b"\x80\x81\xfe\xff\xfd\xfc" * 50, "UTF-8"),
                                         (b"\xff\xfe" + bytes(range(0xd8, 0xdc)) * 40, "utf-16")])
def test_unreadable_input_is_rejected_with_a_reason(data, reason):
    with pytest.raises(DocumentError, match=reason):
        decode_bytes(data, "x.txt")


def test_document_without_catalog_entry_takes_title_and_region_from_its_text(tmp_path, catalog):
    path = tmp_path / "new_policy.txt"
    path.write_text("江西省促进技术转移若干措施\n一、总则\n（一）目标。支持技术转移。\n", encoding="utf-8")
    doc = load_document(path, catalog)
    assert doc.metadata["title"] == "江西省促进技术转移若干措施"
    assert doc.metadata["region"] == "江西省"  # matched through the catalog's aliases
    assert doc.node_id == "new_policy.txt"


def test_catalog_maps_english_and_city_aliases_to_regions(catalog):
    names = catalog.region_names()
    assert names["gansu"] == "甘肃省"
    assert names["mianyang"] == "成德绵" and names["成都"] == "成德绵"
    assert names["aba"] == "阿坝州" and names["meishan"] == "眉山市"
    assert {e.region for e in catalog.entries} == {"阿坝州", "成德绵", "眉山市", "甘肃省", "江西省"}


def test_catalog_entries_carry_document_numbers_found_in_the_texts(catalog):
    for entry in catalog.entries:
        text = (CORPUS / entry.file).read_text(encoding="utf-8")
        if entry.doc_number:
            assert entry.doc_number in text
        assert entry.date == "" or entry.date.replace("-", "")[:4] in text


def test_empty_catalog_when_no_metadata_file(tmp_path):
    assert CorpusCatalog.load(tmp_path).entries == []
