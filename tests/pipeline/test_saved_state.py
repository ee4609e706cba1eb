"""The serving state saved beside the index: a fresh process starts from it and reads only what
changed since; a file of other code, or a damaged one, is ignored, never trusted."""
from __future__ import annotations

import logging

import pytest

from rag.core.config import Settings
from rag.pipeline.saved_state import load_state, save_state, saved_signal, state_file
from rag.pipeline.snapshot import build_retriever, make_retriever, version_file
from rag.pipeline.writing import ingest_paths

PLAN = "{name}科技政策\n一、目标\n（一）高校技术转移机构。到2020年达到{figure}家。\n（二）省科技厅每年奖励科技成果转化5项。\n"


@pytest.fixture()
def library(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)
    for name, figure in (("a", 10), ("b", 20), ("c", 40)):
        (tmp_path / f"{name}.txt").write_text(PLAN.format(name=name, figure=figure), encoding="utf-8")
    ingest_paths([tmp_path / f"{name}.txt" for name in "abc"], settings)
    return settings


def test_a_serving_process_saves_its_state_for_the_next(library):
    retriever = make_retriever(library)
    assert state_file(library).exists()
    assert saved_signal(library) == version_file(library).read_text().strip()
    state, signal = load_state(library)
    assert [n.node_id for n in state.snapshot.nodes] == [n.node_id for n in retriever.snapshot.nodes]


def test_a_start_from_the_saved_state_reads_only_the_changed_document(library, monkeypatch):
    from rag.index.store import ClauseStore

    save_state(library, build_retriever(library).reusable(), "old")
    (library.corpus_dir / "b.txt").write_text(PLAN.format(name="b", figure=30), encoding="utf-8")
    ingest_paths([library.corpus_dir / "b.txt"], library)
    asked: list[str] = []
    read = ClauseStore._read

    def counted(store, ids):
        asked.extend(ids)
        return read(store, ids)

    monkeypatch.setattr(ClauseStore, "_read", counted)
    state, _ = load_state(library)
    started = build_retriever(library, state)
    b_chunks = {n.node_id for n in started.snapshot.nodes if n.metadata["source_file"] == "b.txt"}
    assert asked and set(asked) == b_chunks  # a and c came from the file
    fresh = build_retriever(library)
    assert [n.node_id for n in started.nodes] == [n.node_id for n in fresh.nodes]
    question = "高校技术转移机构达到多少家？"
    assert started.rankings(question, []) == fresh.rankings(question, [])


def test_a_start_from_a_state_of_the_present_generation_does_not_open_the_store(library, monkeypatch):
    from rag.index.store import ClauseStore
    from rag.pipeline import snapshot

    built = make_retriever(library)  # and saved at the present generation
    monkeypatch.setattr(snapshot, "_retrievers", {})  # as a new process
    opened = []
    monkeypatch.setattr(ClauseStore, "__init__", lambda self, *a, **k: opened.append(a) or 1 / 0)
    started = make_retriever(library)
    assert not opened and started is not built
    assert [n.node_id for n in started.nodes] == [n.node_id for n in built.nodes]
    question = "高校技术转移机构达到多少家？"
    assert started.rankings(question, []) == built.rankings(question, [])


def test_a_state_of_other_code_or_another_embedder_is_not_used(library, monkeypatch):
    from rag.pipeline import saved_state

    save_state(library, build_retriever(library).reusable(), "1")
    assert load_state(library) is not None
    assert load_state(library.with_overrides(embed_model="use")) is None
    monkeypatch.setattr(saved_state, "_code_hash", lambda: "other code")
    assert load_state(library) is None and saved_signal(library) is None


def test_a_damaged_state_is_ignored_and_written_again(library, caplog):
    save_state(library, build_retriever(library).reusable(), "1")
    path = state_file(library)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with caplog.at_level(logging.WARNING):
        assert load_state(library) is None
    assert "cannot be read" in caplog.text
    retriever = make_retriever(library)  # built from the store, and the file replaced
    state, _ = load_state(library)
    assert [n.node_id for n in state.snapshot.nodes] == [n.node_id for n in retriever.snapshot.nodes]


def test_a_document_removed_and_added_again_with_the_same_text_is_read_afresh(library):
    from rag.pipeline.writing import remove_document

    save_state(library, build_retriever(library).reusable(), "old")
    remove_document("a.txt", library)
    ingest_paths([library.corpus_dir / "a.txt"], library, added_by="second")  # same text, same chunk ids
    state, _ = load_state(library)
    started = build_retriever(library, state)
    assert {n.metadata["added_by"] for n in started.snapshot.nodes if n.metadata["doc_id"] == "a.txt"} == {"second"}


def test_a_change_of_official_names_reads_the_store_again(library):
    state = build_retriever(library).reusable()
    changed = type(state)(**{**state.__dict__, "departments": {"某厅": ["Some Department"]}})
    again = build_retriever(library, changed, read_store=False)
    fresh = build_retriever(library)
    assert again.english_lines == fresh.english_lines
