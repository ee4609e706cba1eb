"""Which dictionary sense a Chinese word means: the one nearest it in meaning.

CC-CEDICT lists a word's senses literal first (创新 "bring forth new ideas", 支持 "be in favor
of", 孵化 "breeding"); a multilingual embedder places the word nearest its common sense
(innovation, support, incubate). Used for the English gloss of a direct answer, never for the
search view (which keeps every sense). Each word is embedded once a process (the choices outlive
the retriever, which is rebuilt when the library changes).
"""
from __future__ import annotations

import threading

import numpy as np

MOST_SENSES = 4  # senses compared; later ones are rare meanings (each costs an embedding)
MOST_WORDS_KEPT = 50_000
_CHOSEN: dict[tuple[str, str], str] = {}  # (embedder, word) → the sense it means
_LOCK = threading.Lock()


class SenseChooser:
    """{word: its senses} → {word: the sense nearest the word}, with ``embedder`` (a
    llama-index embedding)."""

    def __init__(self, embedder):
        self.embedder = embedder
        self._name = str(getattr(embedder, "model_name", type(embedder).__name__))

    def __call__(self, words: dict[str, list[str]]) -> dict[str, str]:
        with _LOCK:
            new = {w: s[:MOST_SENSES] for w, s in words.items() if len(s) > 1 and (self._name, w) not in _CHOSEN}
        if new and self.embedder is not None:
            texts = [t for word, senses in new.items() for t in (word, *senses)]
            vectors = np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
            at, chosen = 0, {}
            for word, senses in new.items():
                similarity = vectors[at + 1:at + 1 + len(senses)] @ vectors[at]
                chosen[(self._name, word)] = senses[int(np.argmax(similarity))]
                at += 1 + len(senses)
            with _LOCK:
                if len(_CHOSEN) > MOST_WORDS_KEPT:
                    _CHOSEN.clear()
                _CHOSEN.update(chosen)
        with _LOCK:
            return {w: _CHOSEN.get((self._name, w), s[0]) for w, s in words.items() if s}
