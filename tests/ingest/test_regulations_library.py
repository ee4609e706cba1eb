"""The 69 real regulations of ../shared/regulations (Markdown as a law repository publishes
them) against eval/regulations_metadata.jsonl, written by hand from the files."""
from __future__ import annotations

import json

import pytest

from rag.core.config import PROJECT_ROOT
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.loading import load_document
from tests.conftest import CORPUS, SHARED

REGULATIONS = SHARED / "regulations"
GOLD = [json.loads(line) for line in (PROJECT_ROOT / "eval" / "regulations_metadata.jsonl").open(encoding="utf-8")]


@pytest.fixture(scope="module")
def read():
    assert REGULATIONS.is_dir(), f"the shared regulations are missing: {REGULATIONS}"
    catalog = CorpusCatalog.load(CORPUS)
    return {g["file"]: load_document(REGULATIONS / g["file"], catalog).metadata for g in GOLD}


def _share(read, right) -> float:
    return sum(right(read[g["file"]], g) for g in GOLD) / len(GOLD)


def test_the_gold_covers_every_regulation_of_the_library():
    assert sorted(p.name for p in REGULATIONS.glob("*.md") if p.name != "README.md") == [g["file"] for g in GOLD]


def test_titles_carry_no_markup_and_match_the_gold(read):
    assert not [m["title"] for m in read.values() if "#" in m["title"]]
    assert _share(read, lambda m, g: m["title"] == g["title"]) >= 0.97


def test_region_level_and_parent_match_the_gold(read):
    assert _share(read, lambda m, g: (m["region"], m["level"]) == (g["region"], g["level"])) >= 0.97
    assert _share(read, lambda m, g: m["parent_region"] == g["parent_region"]) >= 0.97


def test_adoption_and_effective_dates_match_the_gold_where_the_text_states_them(read):
    assert _share(read, lambda m, g: m["adopted"] == g["adopted"]) >= 0.95
    assert _share(read, lambda m, g: m["effective"] == g["effective"]) >= 0.95
