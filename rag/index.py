"""The Chroma store: one collection per embedder, chunk ids that are content hashes.

Embedded default: ``chromadb.PersistentClient`` under ``RAG_DATA_DIR``. With
``RAG_CHROMA_HOST`` set, the same code talks to a ``chroma run`` server instead.
Chroma's own default embedding function is never used (it downloads an ONNX model):
vectors always come from our embedder.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery

from rag.config import Settings
from rag.embeddings import model_id
from rag.errors import IndexMissingError, StoreUnavailable

COLLECTION_PREFIX = "clauses-"
# the document-level metadata every chunk carries (rag.corpus.DocumentInfo plus the file)
DOCUMENT_FIELDS = ("doc_id", "title", "region", "region_en", "issuer", "doc_number", "date", "level",
                   "parent_region", "adopted", "issued", "effective", "amendments", "period",
                   "source_file", "source_path")
EXCLUDED_FROM_SEARCH = ("heading", "table_header")  # structure, not content to cite


def collection_name(settings: Settings) -> str:
    return (COLLECTION_PREFIX + model_id(settings.embed_model))[:63]


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


@dataclass
class SyncResult:
    added: int
    removed: int
    unchanged: int


class ClauseStore:
    """Read and write the clause chunks of one embedder's collection."""

    def __init__(self, settings: Settings, client=None, create: bool = False):
        from chromadb.errors import ChromaError, NotFoundError
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.settings = settings
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

    @property
    def location(self) -> str:
        s = self.settings
        return f"{s.chroma_host}:{s.chroma_port}" if s.uses_chroma_server else str(Path(s.data_dir) / "chroma")

    def count(self) -> int:
        return self.collection.count()

    def ids_for_doc(self, doc_id: str) -> set[str]:
        return set(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def sync_document(self, doc_id: str, nodes: list[TextNode], embed) -> SyncResult:
        """Make the stored chunks of one document equal ``nodes``.

        New chunks are embedded and added first, stale ones deleted after: a crash in
        between leaves extra chunks that the next run removes, never a missing one, and
        content-hash ids mean a re-run cannot duplicate anything.
        """
        existing = self.ids_for_doc(doc_id)
        wanted = {n.node_id for n in nodes}
        new_nodes = [n for n in nodes if n.node_id not in existing]
        if new_nodes:
            vectors = embed(new_nodes)
            for node, vector in zip(new_nodes, vectors):
                node.embedding = vector
            for start in range(0, len(new_nodes), 256):
                self.vector_store.add(new_nodes[start:start + 256])
        stale = sorted(existing - wanted)
        if stale:
            self.collection.delete(ids=stale)
        return SyncResult(added=len(new_nodes), removed=len(stale), unchanged=len(wanted & existing))

    def remove_document(self, doc_id: str) -> int:
        ids = sorted(self.ids_for_doc(doc_id))
        if ids:
            self.collection.delete(ids=ids)
        return len(ids)

    def all_chunks(self, doc_id: str | None = None) -> list[TextNode]:
        """Every stored chunk (of one document), in document order."""
        where = {"doc_id": doc_id} if doc_id else None
        got = self.collection.get(where=where, include=["documents", "metadatas"])
        nodes = [_to_node(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        nodes.sort(key=lambda n: (n.metadata.get("doc_id", ""), n.metadata.get("start_char", 0),
                                  n.metadata.get("part", 1)))
        return nodes

    def documents(self) -> list[dict]:
        """One metadata dict per stored document."""
        got = self.collection.get(include=["metadatas"])
        docs: dict[str, dict] = {}
        for meta in got["metadatas"]:
            d = docs.setdefault(meta["doc_id"], {k: meta.get(k, "") for k in DOCUMENT_FIELDS})
            d["chunks"] = d.get("chunks", 0) + 1
        return sorted(docs.values(), key=lambda d: d["doc_id"])

    def search(self, query_embedding: list[float], top_k: int, regions: Iterable[str] = ()) -> list[tuple[TextNode, float]]:
        """Vector search over citable chunks, optionally within some regions."""
        from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

        filters = [MetadataFilter(key="kind", value=list(EXCLUDED_FROM_SEARCH), operator=FilterOperator.NIN)]
        regions = list(regions)
        if regions:
            filters.append(MetadataFilter(key="region", value=regions, operator=FilterOperator.IN))
        result = self.vector_store.query(VectorStoreQuery(
            query_embedding=query_embedding, similarity_top_k=top_k,
            filters=MetadataFilters(filters=filters)))
        return list(zip(result.nodes or [], result.similarities or []))


def _to_node(node_id: str, text: str, metadata: dict) -> TextNode:
    meta = {k: v for k, v in metadata.items() if not k.startswith("_")
            and k not in ("document_id", "ref_doc_id", "doc_id_")}
    return TextNode(id_=node_id, text=text or "", metadata=meta)
