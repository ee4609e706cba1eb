"""The house itself: stages as folders of small modules, one vocabulary, no private names
crossing modules, app.py only a starter. (The one-way flow between stages is checked by
lint-imports with .importlinter, in scripts/test.)"""
from __future__ import annotations

import ast
import re

import pytest

from rag.core.config import PROJECT_ROOT

RAG = PROJECT_ROOT / "rag"
MODULES = sorted(RAG.rglob("*.py"))
STAGES = ("core", "ingest", "chunking", "extract", "index", "places", "query", "retrieval", "reading",
          "verify", "answering", "llm", "features", "pipeline", "apps")


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]


def test_the_listing_shows_the_stages_as_folders_and_no_module_sits_loose():
    folders = {p.name for p in RAG.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert folders == set(STAGES)
    assert {p.name for p in RAG.glob("*.py")} == {"__init__.py", "__main__.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(RAG)))
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_no_private_name_is_imported_from_another_module():
    sources = MODULES + sorted((PROJECT_ROOT / "tests").rglob("*.py")) + sorted((PROJECT_ROOT / "bench").glob("*.py"))
    crossing = [f"{path.relative_to(PROJECT_ROOT)}: {node.module}.{alias.name}"
                for path in sources for node in imports_of(path) if node.module.startswith("rag")
                for alias in node.names if alias.name.startswith("_")]
    assert crossing == []


def test_app_py_only_starts_the_page_of_the_apps_layer():
    modules = {node.module for node in imports_of(PROJECT_ROOT / "app.py")}
    assert modules == {"rag.apps.page"}


# pieces of the shared vocabulary as they were once spelled out in several stages
SPELLED_OUT = [r"至少|不低于", r"[（(][一二三四五六七八九十", r"20\d\d", r"全省|全市", r"多少|几[",
               r"[^。；！？\n]", r"个项家名次天年月人所件", "import jieba\n", r"\[(\d+)\]"]


@pytest.mark.parametrize("spelling", SPELLED_OUT)
def test_the_shared_vocabulary_is_spelled_out_only_in_its_own_module(spelling):
    owners = {"vocabulary.py", "words.py"}
    if spelling == r"\[(\d+)\]":
        owners.add("page.py")  # the page's JavaScript finds the markers in the browser
    found = [str(p.relative_to(RAG)) for p in MODULES if p.name not in owners and spelling in p.read_text(encoding="utf-8")]
    assert found == []


def test_each_vocabulary_entry_says_what_it_matches():
    tree = ast.parse((RAG / "core" / "vocabulary.py").read_text(encoding="utf-8"))
    body = tree.body
    for i, node in enumerate(body):
        if isinstance(node, ast.Assign) and re.fullmatch(r"[A-Z_]+", node.targets[0].id):
            following = body[i + 1] if i + 1 < len(body) else None
            assert isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant), node.targets[0].id
