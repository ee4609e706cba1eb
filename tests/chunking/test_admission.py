"""An upload must be a policy document: Chinese text, a title of its own, numbered clauses."""
from __future__ import annotations

from llama_index.core.schema import Document

from rag.chunking.admission import not_a_policy_document
from tests.conftest import EXAMPLE_REGULATION


def _document(text: str, title: str, file_name: str = "upload.txt") -> Document:
    return Document(text=text, metadata={"title": title, "source_file": file_name})


def test_a_regulation_is_admitted():
    assert not_a_policy_document(_document(EXAMPLE_REGULATION, "示例市促进科技成果转化条例", "rules.txt")) == ""


def test_english_notes_are_refused_as_mostly_non_chinese():
    notes = "Meeting notes\n\nWe agreed to revisit the budget.\n1. Send the draft.\n2. Book a room.\n"
    assert "mostly non-Chinese text" in not_a_policy_document(_document(notes, "Meeting notes"))


def test_a_text_named_only_by_its_file_is_refused_for_no_title():
    text = "小明今天去公园散步，看见很多花开了。\n他很高兴，回家写了一篇日记。\n"
    assert "no title" in not_a_policy_document(_document(text, "diary", "diary.txt"))


def test_prose_with_a_title_but_no_numbered_clauses_is_refused():
    text = "关于春游的说明\n\n小明今天去公园散步，看见很多花开了。\n他很高兴，回家写了一篇日记。\n"
    assert "no clause structure" in not_a_policy_document(_document(text, "关于春游的说明"))
