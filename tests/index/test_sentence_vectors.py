"""The reader's sentence vectors on disk: one mapped file, rows read when asked, written whole."""
from __future__ import annotations

import numpy as np

from rag.index.sentence_vectors import FILE_NAME, OLD_FILE_NAME, SentenceVectors, sentence_key


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=512).astype(np.float32)
    return v / np.linalg.norm(v)


def test_vectors_survive_a_save_and_are_read_from_the_mapped_file(tmp_path):
    vectors = SentenceVectors(tmp_path)
    for i in range(50):
        vectors.put(f"第{i}条 句子。", _unit(i))
    vectors.save()
    again = SentenceVectors(tmp_path)
    assert np.array_equal(again.vector("第7条 句子。"), _unit(7))
    assert again.vector("没有的句子。") is None
    table = np.load(tmp_path / FILE_NAME, mmap_mode="r")
    assert table.shape == (50, 5 + 512)  # the key's 20 bytes, then the vector


def test_a_later_save_adds_to_the_file_and_keep_prunes_it(tmp_path):
    vectors = SentenceVectors(tmp_path)
    vectors.put("甲。", _unit(1))
    vectors.save()
    vectors.put("乙。", _unit(2))
    vectors.save()  # an added document: the earlier vectors stay
    assert SentenceVectors(tmp_path).vector("甲。") is not None
    vectors.save(keep=["乙。"])  # a full ingest keeps only the library's sentences
    reread = SentenceVectors(tmp_path)
    assert reread.vector("甲。") is None and np.array_equal(reread.vector("乙。"), _unit(2))


def test_a_folder_of_the_older_format_is_read(tmp_path):
    np.savez(tmp_path / OLD_FILE_NAME, keys=np.array([sentence_key("旧。")]), vectors=np.array([_unit(3)]))
    assert np.array_equal(SentenceVectors(tmp_path).vector("旧。"), _unit(3))


def test_nearest_ranks_file_rows_and_vectors_held_in_memory_together(tmp_path):
    sentences = ["高校院所的科技成果转化收益，按不低于70%的比例奖励成果完成人。", "省科技厅负责全省技术市场的管理。",
                 "企业购买技术成果给予补助。"]
    question = "Which department manages the technology market?"
    in_memory = SentenceVectors(tmp_path / "a")
    in_memory.add(sentences)
    mixed = SentenceVectors(tmp_path / "b")
    mixed.add(sentences[:2])
    mixed.save()
    mixed.add(sentences[2:])  # not yet in the file
    expected = sorted(sentences, key=lambda s: -float(in_memory.vector(s) @ in_memory.question_vector(question)))
    assert in_memory.nearest(question, sentences, 3) == expected == mixed.nearest(question, sentences, 3)
    assert expected[0] == sentences[1]
    assert mixed.nearest(question, sentences, 1) == expected[:1]


def test_a_vector_put_for_a_key_in_the_file_replaces_it_when_saved(tmp_path):
    vectors = SentenceVectors(tmp_path)
    vectors.put("甲。", _unit(1))
    vectors.save()
    vectors.put("甲。", _unit(2))
    assert np.array_equal(vectors.vector("甲。"), _unit(2))
    vectors.save()
    assert np.array_equal(SentenceVectors(tmp_path).vector("甲。"), _unit(2))
