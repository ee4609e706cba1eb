"""Markdown as law repositories publish it: the title from its "# " line, chapters from its
headings, comments and markup gone, every offset still pointing into the file."""
from __future__ import annotations

from rag.ingest.markdown import plain_text

SOURCE = """# 示例市科技创新条例

2020年6月30日 示例市第八届人民代表大会常务委员会第二十六次会议通过

<!-- INFO END -->

## 第一章　总则

第一条 为了**促进科技创新**，根据[《科学技术进步法》](https://example.org/law)，制定本条例。

| 序号 | 任务 |
|---|---|
| 1 | 建设平台 |
"""


def test_markup_is_blanked_in_place_and_the_title_is_the_first_level_one_heading():
    text, title = plain_text(SOURCE)
    assert title == "示例市科技创新条例"
    assert len(text) == len(SOURCE) and text.count("\n") == SOURCE.count("\n")
    for mark in ("#", "<!--", "INFO END", "**", "](", "https://", "|", "---"):
        assert mark not in text, mark
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    assert lines[0] == "示例市科技创新条例" and "第一章　总则" in lines
    assert "第一条 为了  促进科技创新  ，根据  《科学技术进步法》" in text
    rows = [[cell.strip() for cell in line.split("\t")] for line in text.split("\n") if "\t" in line]
    assert rows == [["序号", "任务"], ["1", "建设平台"]]


def test_offsets_of_the_plain_text_are_offsets_of_the_source():
    text, _ = plain_text(SOURCE)
    start = text.index("第一条")
    assert SOURCE[start:start + 3] == "第一条"
