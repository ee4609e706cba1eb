"""The BM25 of the retriever: bm25s's scores exactly, and a rebuild that reuses what it shares."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.core.words import tokenize
from rag.retrieval.term_index import TermIndex

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _clauses() -> list[str]:
    """Lines of the plans as stand-in chunks (no index needed)."""
    lines = [line.strip() for path in sorted(CORPUS.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if len(line) > 8]


QUESTIONS = ["科技成果转化收益奖励比例", "技术合同交易额 目标 技术合同", "高校 科研院所 技术转移机构", "孵化器 众创空间"]


def test_scores_equal_bm25s_exactly():
    import bm25s

    chunks = [tokenize(text) for text in _clauses()]
    reference = bm25s.BM25()
    reference.index(chunks, show_progress=False)
    index = TermIndex([str(i) for i in range(len(chunks))], lambda i: chunks[i])
    assert index.vocabulary == {t for chunk in chunks for t in chunk}
    for question in QUESTIONS:
        tokens = [t for t in tokenize(question) if t in index.vocabulary]
        assert tokens
        assert np.array_equal(np.asarray(reference.get_scores(tokens)), index.scores(tokens)), question


def test_a_rebuild_counts_only_new_chunks_and_scores_as_a_fresh_index():
    chunks = [tokenize(text) for text in _clauses()]
    ids = [f"c{i}" for i in range(len(chunks))]
    old = TermIndex(ids[:-40], lambda i: chunks[i])
    asked: list[int] = []
    kept = ids[20:]  # 20 chunks removed, 40 added

    def terms(i: int) -> list[str]:
        asked.append(i)
        return chunks[20 + i]

    rebuilt = TermIndex(kept, terms, previous=old)
    fresh = TermIndex(kept, lambda i: chunks[20 + i])
    assert sorted(asked) == list(range(len(kept) - 40, len(kept)))
    assert rebuilt.vocabulary == fresh.vocabulary
    for question in QUESTIONS:
        tokens = [t for t in tokenize(question) if t in fresh.vocabulary]
        assert np.array_equal(rebuilt.scores(tokens), fresh.scores(tokens)), question


def test_an_empty_index_scores_nothing():
    index = TermIndex([], lambda i: [])
    assert index.scores(["技术"]).shape == (0,) and not index.vocabulary
