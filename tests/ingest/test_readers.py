"""Documents as they come from government sites: .docx, .pdf, .html, and one writer at a time."""
from __future__ import annotations

import pytest

from rag.chunking.parser import ClauseNodeParser, token_counter
from rag.core.errors import DocumentError
from rag.ingest.loading import extract_text, load_document


def _pdf(text: str | None) -> bytes:
    """A minimal one-page PDF; with ``text`` it has a text layer, without it the page is blank."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_docx_paragraphs_and_table_rows_become_clauses(tmp_path, catalog):
    import docx

    document = docx.Document()
    for line in ["示例市促进科技成果转移转化行动方案", "一、主要目标", "到2020年，技术合同交易额达到10亿元。",
                 "二、重点任务", "（一）完善收益分配。", "1.成果转化收益按至少70%的比例奖励成果完成人。"]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["序号", "重点任务", "责任部门"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "建设技术交易平台", "市科技局"]):
        cell.text = text
    path = tmp_path / "shili.docx"
    document.save(path)
    nodes = ClauseNodeParser().clause_nodes(load_document(path, catalog), token_counter())
    numbers = [n.metadata["clause_number"] for n in nodes]
    assert "二、（一）1" in numbers
    rows = [n for n in nodes if n.metadata["kind"] == "table_row"]
    assert rows and "市科技局" in rows[0].text


def test_pdf_with_a_text_layer_is_read_and_one_without_needs_ocr(tmp_path):
    good, scanned = tmp_path / "policy.pdf", tmp_path / "scan.pdf"
    good.write_bytes(_pdf("Article 1. The inventor team receives at least 70 percent of the income."))
    scanned.write_bytes(_pdf(None))
    assert "at least 70 percent" in extract_text(good).text
    with pytest.raises(DocumentError, match="needs OCR"):
        extract_text(scanned)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a pdf")
    with pytest.raises(DocumentError):
        extract_text(broken)


def test_html_page_furniture_is_stripped_and_table_rows_kept(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("""<html><head><title>x</title><script>track()</script><style>p{}</style></head><body>
        <nav>首页 &gt; 政策</nav><header>网站导航</header>
        <h1>示例县促进科技成果转化办法</h1><p>一、收益分配</p><p>1.收益的80%奖励成果完成人。</p>
        <table><tr><th>序号</th><th>任务</th></tr><tr><td>1</td><td>建设平台</td></tr></table>
        <footer>版权所有 ICP备案</footer></body></html>""", encoding="gb18030")
    text = extract_text(page).text
    assert "80%奖励成果完成人" in text and "1\t建设平台" in text
    assert "track()" not in text and "网站导航" not in text and "版权所有" not in text




def test_a_word_regulation_keeps_its_title_and_its_chapters_in_the_clause_paths(tmp_path, catalog):
    import docx

    from rag.chunking.parser import ClauseNodeParser, token_counter
    from rag.ingest.loading import load_document

    document = docx.Document()
    document.add_paragraph("湖州市科技创新条例", style="Title")
    document.add_paragraph("（2020年6月30日湖州市第八届人民代表大会常务委员会第二十六次会议通过）")
    document.add_heading("第一章　总则", level=1)
    document.add_paragraph("第一条　为了促进科技创新，制定本条例。")
    document.add_heading("第二章　成果转化", level=1)
    document.add_paragraph("第二条　转化收益的百分之七十以上奖励完成人。")
    path = tmp_path / "湖州市科技创新条例.docx"
    document.save(path)
    loaded = load_document(path, catalog)
    assert (loaded.metadata["title"], loaded.metadata["region"], loaded.metadata["parent_region"]) == (
        "湖州市科技创新条例", "湖州市", "浙江省")
    paths = [n.metadata["clause_path"] for n in ClauseNodeParser().clause_nodes(loaded, token_counter())
             if n.metadata["kind"] == "clause"]
    assert paths == ["第一章 总则 > 第一条", "第二章 成果转化 > 第二条"]
