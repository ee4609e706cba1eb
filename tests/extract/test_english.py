"""A clause read in English: figures, dates and departments in English, every sense of each
word for the search view, one sense a word for the gloss an English reader is shown."""
from __future__ import annotations

import pytest

from rag.extract.english import EnglishReader, english_figures, has_chinese

DEPARTMENTS = {"科技厅": ["Department of Science and Technology"], "教育厅": ["Department of Education"]}


@pytest.mark.parametrize("chinese, english", [
    ("不低于百分之七十", "no less than 70%"),
    ("十日内", "within 10 days"),
    ("五千元以上一万元以下的罚款", "5,000 to 10,000 yuan"),
    ("一亿元", "100 million yuan"),
    ("600万元以上", "6 million yuan or more"),
    ("2017年12月底前", "by the end of December 2017"),
    ("每年6月底", "the end of June"),
    ("2024年5月10日", "May 10, 2024"),
    ("第三十九条", "Article 39"),
    ("至少70%", "at least 70%"),
    ("违法所得一倍以上三倍以下", "1 to 3 times"),
])
def test_figures_dates_and_articles_are_said_in_english(chinese, english):
    assert english in english_figures(chinese)


def test_a_year_stays_a_year_and_a_count_of_years_is_years():
    assert english_figures("到2020年") == "到 2020"
    assert english_figures("5年") == "5 years"


def test_departments_take_their_official_english_names_with_the_level():
    reader = EnglishReader(DEPARTMENTS)
    gloss = reader.gloss("省教育厅（牵头）、省科技厅")
    assert gloss.startswith("Provincial Department of Education (lead), Provincial Department of Science and Technology")
    assert not has_chinese(gloss)


def test_the_view_holds_every_sense_and_the_gloss_one():
    reader = EnglishReader(DEPARTMENTS)
    view, gloss = reader.view("鼓励企业开展技术转让"), reader.gloss("鼓励企业开展技术转让")
    assert {"encourage", "enterprise", "transfer", "technology"} <= set(view.split())
    assert len(gloss.split()) < len(view.split()) and not has_chinese(gloss)


def test_a_word_the_dictionary_lacks_is_read_through_the_names_it_is_made_of():
    assert EnglishReader().gloss("中科院兰州分院").startswith("Chinese Academy of Sciences Lanzhou")


@pytest.mark.slow
def test_the_sense_shown_is_the_one_nearest_the_word_in_meaning():
    from rag.core.config import get_settings
    from rag.index.embeddings import get_embedder
    from rag.index.senses import SenseChooser

    settings = get_settings()
    reader = EnglishReader(choose=SenseChooser(get_embedder(settings.embed_model, settings.embed_threads)))
    assert reader.gloss("创新") == "innovation" and reader.gloss("支持") == "support"
    assert EnglishReader().gloss("创新") == "bring forth new ideas"  # the dictionary's first sense


def test_figures_with_a_bound_after_them_and_ranges_across_scales_read_whole():
    assert english_figures("控制在5%内").endswith("at most 5%")
    assert english_figures("五百万元以上十亿元以下") == "5 million to 1 billion yuan"
    assert EnglishReader().gloss("丈夫") == "husband"  # sb/sth are expanded as words only
