"""The Chroma store: one collection per embedder, chunk ids that are content hashes.

Embedded default: ``chromadb.PersistentClient`` under ``RAG_DATA_DIR``. With
``RAG_CHROMA_HOST`` set, the same code talks to a ``chroma run`` server instead.
Chroma's own default embedding function is never used (it downloads an ONNX model):
vectors always come from our embedder.

Versions never mix: beside the chunks, a manifest collection holds one record per document,
the ids of its committed chunks. A writer adds a document's new chunks, then replaces its
manifest record (one atomic upsert), then deletes the stale chunks; a reader's
:meth:`ClauseStore.snapshot` keeps only the chunks the manifest lists, read between two
identical reads of the manifest, so it sees each document before or after a change, never
half. A ``generation`` record (server mode) and ``index.version`` (the embedded store,
replaced by rename) tell serving processes when to read a new snapshot.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from llama_index.core.schema import TextNode

from rag.core.config import Settings
from rag.core.errors import IndexMissingError, StoreUnavailable
from rag.core.model import PROVENANCE_KEYS
from rag.index.embeddings import model_id

COLLECTION_PREFIX = "clauses-"
MANIFEST_PREFIX = "manifest-"
GENERATION_ID = "__generation__"  # the manifest record that stamps each committed change
SNAPSHOT_TRIES = 20  # manifest reads a snapshot may retry while a writer commits
READ_BATCH = 5000  # chunk ids asked of Chroma at once
# the document-level metadata every chunk carries (rag.ingest.catalog.DocumentInfo plus the file)
DOCUMENT_FIELDS = ("doc_id", "title", "region", "region_en", "issuer", "doc_number", "date", "level",
                   "parent_region", "adopted", "issued", "effective", "amendments", "period",
                   "source_file", "source_path", "declared_status") + PROVENANCE_KEYS
EXCLUDED_FROM_SEARCH = ("heading", "table_header")  # structure, not content to cite


def collection_name(settings: Settings) -> str:
    return (COLLECTION_PREFIX + model_id(settings.embed_model))[:63]


def manifest_name(settings: Settings) -> str:
    return (MANIFEST_PREFIX + model_id(settings.embed_model))[:63]


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import ChromaError

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.uses_chroma_server:
        where = f"{settings.chroma_host}:{settings.chroma_port}"
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        except ValueError as exc:  # chromadb: "Could not connect to a Chroma server"
            raise StoreUnavailable(f"the Chroma server at {where} does not answer ({exc}); start it "
                                   "(`chroma run --path …`) or unset RAG_CHROMA_HOST") from exc
    path = Path(settings.data_dir) / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except PermissionError as exc:
        raise StoreUnavailable(f"cannot open the index at {path}: permission denied ({exc.strerror}); "
                               "set RAG_DATA_DIR to a folder you can write") from exc
    except (OSError, ChromaError, sqlite3.DatabaseError) as exc:
        raise StoreUnavailable(f"the index at {path} cannot be read ({type(exc).__name__}: {exc}); it may be "
                               "damaged: move the folder away and run `rag ingest` again") from exc


@dataclass(frozen=True)
class Snapshot:
    """One consistent version of every document: its chunks in document order, their vectors
    (the rows of one float32 matrix, not a list of floats on every chunk) and what the manifest
    had committed (doc_id → chunk ids). ``whole``: every chunk belongs to a document of the
    manifest, so the next read may take unchanged documents from this one. A snapshot shares the
    chunks of unchanged documents with the one it was read after: whoever changes a chunk of a
    snapshot copies it first (rag.retrieval.hybrid)."""
    nodes: list[TextNode]
    vectors: np.ndarray
    committed: dict[str, frozenset[str]]
    whole: bool
    # doc_id → its manifest record's summary as text ("" for a record without one): a document
    # removed and added again with the same text keeps its chunk ids, not its provenance
    stamps: dict[str, str] = field(default_factory=dict)


@dataclass
class SyncResult:
    added: int
    removed: int
    unchanged: int


class ClauseStore:
    """Read and write the clause chunks of one embedder's collection. A context manager: the
    client it opened is closed on exit, so the next store opened in this process reads the
    folder afresh (Chroma keeps one system per folder while any client holds it)."""

    def __init__(self, settings: Settings, client=None, create: bool = False):
        from chromadb.errors import ChromaError, NotFoundError
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.settings = settings
        self._owns_client = client is None
        self.client = client or make_client(settings)
        name = collection_name(settings)
        if create:
            self.collection = self.client.get_or_create_collection(
                name, embedding_function=None, metadata={"hnsw:space": "cosine"})
        else:
            try:
                self.collection = self.client.get_collection(name, embedding_function=None)
            except NotFoundError as exc:
                raise IndexMissingError(
                    f"no index for embedder {settings.embed_model!r} in {self.location}; run `rag ingest` first"
                ) from exc
            except (ChromaError, sqlite3.DatabaseError, OSError) as exc:
                raise StoreUnavailable(f"the index in {self.location} cannot be read "
                                       f"({type(exc).__name__}: {exc})") from exc
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)
        self.manifest = self.client.get_or_create_collection(manifest_name(settings), embedding_function=None)

    def __enter__(self) -> "ClauseStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_client and hasattr(self.client, "close"):
            self.client.close()  # idempotent: the context manager's exit may close it again

    @property
    def location(self) -> str:
        s = self.settings
        return f"{s.chroma_host}:{s.chroma_port}" if s.uses_chroma_server else str(Path(s.data_dir) / "chroma")

    def count(self) -> int:
        return self.collection.count()

    def ids_for_doc(self, doc_id: str) -> set[str]:
        return set(self._get_all([], {"doc_id": doc_id})["ids"])

    def sync_document(self, doc_id: str, nodes: list[TextNode], embed) -> SyncResult:
        """Make the stored chunks of one document equal ``nodes``.

        New chunks are embedded and added first, stale ones deleted after: a crash in
        between leaves extra chunks that the next run removes, never a missing one, and
        content-hash ids mean a re-run cannot duplicate anything.
        """
        stored = self._get_all(["metadatas"], {"doc_id": doc_id})
        existing = set(stored["ids"])
        wanted = {n.node_id for n in nodes}
        new_nodes = [n for n in nodes if n.node_id not in existing]
        if new_nodes:
            vectors = embed(new_nodes)
            for node, vector in zip(new_nodes, vectors):
                node.embedding = vector
            for start in range(0, len(new_nodes), 256):
                self.vector_store.add(new_nodes[start:start + 256])
        kept = [m for i, m in zip(stored["ids"], stored["metadatas"]) if i in wanted]
        summary = _summary(doc_id, kept + [n.metadata for n in new_nodes])
        self._commit(doc_id, wanted, summary)  # readers switch to the new version here, at once
        stale = sorted(existing - wanted)
        if stale:
            self.collection.delete(ids=stale)
        return SyncResult(added=len(new_nodes), removed=len(stale), unchanged=len(wanted & existing))

    def remove_document(self, doc_id: str) -> int:
        ids = sorted(self.ids_for_doc(doc_id))
        self.manifest.delete(ids=[doc_id])  # gone for readers before its chunks are deleted
        if ids:
            self.collection.delete(ids=ids)
        return len(ids)

    def _commit(self, doc_id: str, ids: set[str], summary: dict) -> None:
        """The document's committed chunks, and its summary (what :meth:`documents` lists)."""
        self.manifest.upsert(ids=[doc_id], documents=[json.dumps(sorted(ids))], embeddings=[[0.0]],
                             metadatas=[summary])

    def stamp_generation(self, stamp: str) -> None:
        self.manifest.upsert(ids=[GENERATION_ID], documents=[stamp], embeddings=[[0.0]])

    def generation(self) -> str:
        got = self.manifest.get(ids=[GENERATION_ID], include=["documents"])
        return got["documents"][0] if got["documents"] else ""

    def _manifest(self) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
        """Each document's committed chunk ids, and its summary as text (its stamp)."""
        got = self.manifest.get(include=["documents", "metadatas"])
        records = [(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]) if i != GENERATION_ID]
        return ({i: frozenset(json.loads(d)) for i, d, _ in records},
                {i: json.dumps(m, sort_keys=True, ensure_ascii=False) if m else "" for i, _, m in records})

    def snapshot(self, previous: Snapshot | None = None) -> Snapshot:
        """Every committed chunk with its vector, in document order: one consistent version of
        each document (see the module's docstring). A document indexed before manifests existed
        is taken whole. Given the ``previous`` snapshot, a document whose committed chunks are
        unchanged is taken from it (its chunks shared, not copied) and only changed documents
        are read from the store."""
        before, stamps = self._manifest()
        # the chunks of no manifest record: of a store written before manifests, which a whole
        # snapshot proves this one is not (this code commits every document it writes)
        legacy = previous is None or not previous.whole
        for _ in range(SNAPSHOT_TRIES):
            kept = {d for d, ids in before.items() if previous is not None and previous.whole
                    and previous.committed.get(d) == ids and previous.stamps.get(d, "") == stamps.get(d, "")}
            wanted = [i for d, ids in before.items() if d not in kept for i in ids]
            got = self._read(wanted + (self._unlisted(before) if legacy else []))
            after, after_stamps = self._manifest()
            # every committed chunk read (another process's write may not be visible yet)
            if after == before and after_stamps == stamps and set(wanted) <= set(got["ids"]):
                break
            before, stamps = after, after_stamps  # a writer committed meanwhile: read again
        else:
            raise StoreUnavailable(f"the index in {self.location} kept changing while it was read; try again")
        nodes, rows = [], []
        shared: dict[str, str] = {}  # one copy of each document-level value, not one a chunk
        for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"]):
            ids = before.get(m.get("doc_id", ""))
            if ids is None or i in ids:
                for key in DOCUMENT_FIELDS:
                    value = m.get(key)
                    if isinstance(value, str):
                        m[key] = shared.setdefault(value, value)
                nodes.append(_to_node(i, d, m))
                rows.append(np.asarray(e, dtype=np.float32))
        if kept:
            for node, row in zip(previous.nodes, previous.vectors):
                if node.metadata.get("doc_id") in kept:
                    nodes.append(node)
                    rows.append(row)
        order = sorted(range(len(nodes)), key=lambda k: _document_order(nodes[k]))
        width = len(rows[0]) if rows else 0
        vectors = np.array([rows[k] for k in order], dtype=np.float32).reshape(len(order), width)
        whole = all(n.metadata.get("doc_id", "") in before for n in nodes)
        return Snapshot([nodes[k] for k in order], vectors, before, whole, stamps)

    def _unlisted(self, committed: dict[str, frozenset[str]]) -> list[str]:
        """The ids of chunks whose document has no manifest record (indexed before manifests):
        none when the collection holds exactly as many chunks as the manifest commits: a writer adds a chunk
        before it commits it, so then every chunk is committed, and the library's metadata
        need not be scanned."""
        if self.collection.count() == sum(len(ids) for ids in committed.values()):
            return []
        where = {"doc_id": {"$nin": sorted(committed)}} if committed else None
        return self._get_all([], where)["ids"]

    def _read(self, ids: list[str]) -> dict:
        """These chunks with text, metadata and vectors, asked in batches (Chroma refuses a
        query with too many ids at once)."""
        include = ["documents", "metadatas", "embeddings"]
        got: dict = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
        for start in range(0, len(ids), READ_BATCH):
            part = self.collection.get(ids=ids[start:start + READ_BATCH], include=include)
            for key in got:
                got[key].extend(part[key] if part[key] is not None else [])
        return got

    def _get_all(self, include: list[str], where: dict | None = None) -> dict:
        """Every chunk (matching ``where``), page by page: one get of a large library exceeds
        SQLite's limit on a query's variables."""
        got: dict = {"ids": [], **{key: [] for key in include}}
        while True:
            part = self.collection.get(where=where, include=include, limit=READ_BATCH, offset=len(got["ids"]))
            for key in got:
                got[key].extend(part[key] if part[key] is not None else [])
            if len(part["ids"]) < READ_BATCH:
                return got

    def all_chunks(self, doc_id: str | None = None) -> list[TextNode]:
        """Every stored chunk (of one document), in document order."""
        where = {"doc_id": doc_id} if doc_id else None
        got = self._get_all(["documents", "metadatas"], where)
        return _in_document_order([_to_node(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])])

    def documents(self, fill: bool = False) -> list[dict]:
        """One metadata dict per stored document: the summaries the manifest keeps, unless some
        document has none (written by older code) or some chunk is of no committed document;
        then every chunk's metadata is read. ``fill`` (a writer): the missing summaries are
        written then, so the next call reads only the manifest."""
        records = self.manifest.get(include=["metadatas"])
        summaries = {i: m for i, m in zip(records["ids"], records["metadatas"]) if i != GENERATION_ID}
        if all(m and "chunks" in m for m in summaries.values()) \
                and self.collection.count() == sum(m["chunks"] for m in summaries.values()):
            return sorted((dict(m) for m in summaries.values()), key=lambda d: d["doc_id"])
        got = self._get_all(["metadatas"])
        by_doc: dict[str, list[dict]] = {}
        for meta in got["metadatas"]:
            by_doc.setdefault(meta["doc_id"], []).append(meta)
        docs = {doc_id: _summary(doc_id, metas) for doc_id, metas in by_doc.items()}
        missing = [d for d, m in summaries.items() if not (m and "chunks" in m) and d in docs]
        if fill and missing:
            self.manifest.update(ids=missing, metadatas=[docs[d] for d in missing])
        return sorted(docs.values(), key=lambda d: d["doc_id"])


def _summary(doc_id: str, metadatas: list[dict]) -> dict:
    """A document's summary from its chunks' metadata: the document-level fields, how many
    chunks, and the provenance of its last adding (a changed document's newest chunks; of two
    addings in the same second, the later in the list: chunks are listed in the order added)."""
    first = metadatas[0] if metadatas else {}
    out = {k: first.get(k, "") for k in DOCUMENT_FIELDS}
    out["doc_id"] = doc_id
    for meta in metadatas:
        if str(meta.get("added_at", "")) >= str(out.get("added_at", "")):
            out.update({k: meta.get(k, "") for k in PROVENANCE_KEYS})
    out["chunks"] = len(metadatas)
    return {k: v for k, v in out.items() if v is not None}


def _in_document_order(nodes: list[TextNode]) -> list[TextNode]:
    return sorted(nodes, key=_document_order)


def _document_order(node: TextNode) -> tuple:
    return node.metadata.get("doc_id", ""), node.metadata.get("start_char", 0), node.metadata.get("part", 1)


def _to_node(node_id: str, text: str, metadata: dict) -> TextNode:
    meta = {k: v for k, v in metadata.items() if not k.startswith("_")
            and k not in ("document_id", "ref_doc_id", "doc_id_")}
    return TextNode(id_=node_id, text=text or "", metadata=meta)
