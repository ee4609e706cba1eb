"""A regulation saved as a government portal page: the law text only, its title and place."""
from __future__ import annotations

import pytest

from rag.chunking.parser import ClauseNodeParser, token_counter
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.loading import load_document
from rag.ingest.web_page import document_title
from tests.conftest import CORPUS

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>湖州市科技创新促进条例_政策法规_湖州市人民政府门户网站</title></head><body>
<div class="top"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> | <a href="/bsfw">办事服务</a> | <a href="/hd">互动交流</a></div>
<div class="nav"><ul><li><a href="/">网站首页</a></li><li><a href="/a">机构职能</a></li><li><a href="/b">政策文件</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政策法规</div>
<div class="article"><h1>湖州市科技创新促进条例</h1>
<div class="info">来源：湖州市人大常委会 发布时间：2021-06-30 浏览次数：1024 <a href="#">【打印】</a></div>
<div class="content">
<p>（2021年4月28日湖州市第九届人民代表大会常务委员会第三十次会议通过）</p>
<p><strong>第一章　总则</strong></p>
<p>第一条　为了促进科技创新，推动经济高质量发展，根据有关法律、法规，结合本市实际，制定本条例。</p>
<p>第二条　本市行政区域内的<span>科技创新</span>及其相关活动，适用本条例。</p>
<p><strong>第二章　科技成果转化</strong></p>
<p>第三条　高等学校转化职务科技成果所获收益，应当提取不低于百分之七十的比例奖励完成人。</p>
<p>第四条　通过协议定价方式转化科技成果的，应当在本单位公示，公示时间不少于十五日。</p>
<p>第五条　本条例自2021年10月1日起施行。</p>
</div><div class="share">分享到：<a>微信</a><a>微博</a></div></div>
<div class="related"><h3>相关文件</h3><ul><li><a href="/x">关于做好科技项目申报工作的通知</a></li></ul></div>
<div class="footer">主办：湖州市人民政府办公室<br>网站标识码：3305000001　浙ICP备12345678号<br>联系电话：0572-1234567</div>
</body></html>"""
FURNITURE = ("首页", "政务公开", "当前位置", "浏览次数", "打印", "分享到", "微信", "相关文件", "申报工作", "ICP", "网站标识码",
             "联系电话", "门户网站")


@pytest.fixture(scope="module")
def page_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("portal") / "湖州市科技创新促进条例.html"
    path.write_text(PAGE, encoding="utf-8")
    return load_document(path, CorpusCatalog.load(CORPUS))


def test_a_portal_page_keeps_only_the_law_text(page_document):
    chunks = ClauseNodeParser().clause_nodes(page_document, token_counter())
    text = "\n".join(chunk.text for chunk in chunks)
    assert [word for word in FURNITURE if word in text] == []
    assert "本市行政区域内的科技创新及其相关活动" in text  # an inline tag does not split a sentence
    assert [c.metadata["clause_path"] for c in chunks if c.metadata["kind"] == "clause"][:2] == [
        "第一章 总则 > 第一条", "第一章 总则 > 第二条"]


def test_a_portal_page_gets_its_title_place_and_dates_from_the_document(page_document):
    m = page_document.metadata
    assert (m["title"], m["region"], m["level"], m["parent_region"]) == ("湖州市科技创新促进条例", "湖州市", "city", "浙江省")
    assert (m["adopted"], m["effective"], m["reader"]) == ("2021-04-28", "2021-10-01", "web page")


@pytest.mark.parametrize("page_title, title", [
    ("湖州市科技创新促进条例_政策法规_湖州市人民政府", "湖州市科技创新促进条例"),
    ("湖州市人民政府门户网站 - 湖州市科技创新促进条例", "湖州市科技创新促进条例"),
    ("关于印发某某办法的通知｜某某市科技局", "关于印发某某办法的通知"),
    ("新闻中心", "新闻中心"),
])
def test_the_portal_suffix_of_a_page_title_is_dropped(page_title, title):
    assert document_title(page_title) == title


def test_a_markdown_regulation_reads_like_its_text(tmp_path):
    path = tmp_path / "示例.md"
    path.write_text("# 宁波市科技创新条例\n\n<!-- INFO END -->\n\n## 第一章　总则\n\n第一条 为了促进科技创新，制定本条例。\n",
                    encoding="utf-8")
    document = load_document(path, CorpusCatalog.load(CORPUS))
    assert (document.metadata["title"], document.metadata["region"], document.metadata["parent_region"]) == (
        "宁波市科技创新条例", "宁波市", "浙江省")
    chunks = ClauseNodeParser().clause_nodes(document, token_counter())
    assert [c.metadata["clause_path"] for c in chunks if c.metadata["kind"] == "clause"] == ["第一章 总则 > 第一条"]
    assert not any("#" in c.text or "INFO" in c.text for c in chunks)


def test_a_markdown_national_law_is_national(tmp_path):
    path = tmp_path / "促进科技成果转化法.md"
    path.write_text("# 中华人民共和国促进科技成果转化法\n\n<!-- INFO END -->\n\n## 第一章　总则\n\n第一条 为了促进科技成果转化，制定本法。\n",
                    encoding="utf-8")
    metadata = load_document(path, CorpusCatalog.load(CORPUS)).metadata
    assert (metadata["title"], metadata["region"], metadata["level"]) == ("中华人民共和国促进科技成果转化法", "", "national")
