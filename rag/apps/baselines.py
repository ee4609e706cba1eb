"""Baselines for `rag eval --compare`: the same questions, the same answerer, other retrieval.

(a) llama-index defaults: ``SentenceSplitter(chunk_size=512)`` chunks in a ``VectorStoreIndex``
    with the same embedder, no region filter; (b) BM25 only and (c) vector only, both over
    this pipeline's clause chunks with its region filter; (d) this pipeline (hybrid).
Each baseline answers through the same extractive generator, so the difference is retrieval
and chunking only.
"""
from __future__ import annotations

from llama_index.core.schema import NodeWithScore, TextNode

from rag.apps.evaluate import evaluate
from rag.core.config import Settings

SUMMARY_KEYS = ("hit@1", "hit@5", "mrr", "accuracy", "accuracy_zh", "accuracy_en",
                "abstention_precision", "abstention_recall")


class _OneSignal:
    """The pipeline's retriever restricted to one ranking (bm25 or vector)."""

    def __init__(self, hybrid, mode: str):
        self.hybrid, self.mode = hybrid, mode

    def __getattr__(self, name):  # region_groups, vocabulary, glossary, top_k, corpus_text, parts_of
        return getattr(self.hybrid, name)

    def search(self, question, regions=None, top_k=None, mode=None) -> list[NodeWithScore]:
        return self.hybrid.search(question, regions, top_k, mode=self.mode)

    def evidence(self, question, regions=None, top_k=None) -> list[TextNode]:
        return [r.node for r in self.search(question, regions, top_k)]


class _LlamaIndexDefaults:
    """SentenceSplitter(chunk_size=512) + VectorStoreIndex (in memory) + the same embedder."""

    def __init__(self, settings: Settings, hybrid):
        from llama_index.core import VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        from rag.index.embeddings import get_embedder
        from rag.ingest.catalog import CorpusCatalog
        from rag.ingest.loading import discover, load_document

        catalog = CorpusCatalog.load(settings.corpus_dir)
        docs = [load_document(p, catalog) for p in discover([settings.corpus_dir])]
        self.nodes = SentenceSplitter(chunk_size=512).get_nodes_from_documents(docs)
        for node in self.nodes:
            node.metadata.setdefault("clause_number", "")
            node.metadata.setdefault("clause_path", "")
            node.metadata["kind"] = "chunk"
        embedder = get_embedder(settings.embed_model, settings.embed_threads)
        self.index = VectorStoreIndex(self.nodes, embed_model=embedder, show_progress=False)
        self.hybrid, self.top_k = hybrid, settings.top_k

    def __getattr__(self, name):
        # the corpus knowledge (regions, dictionary bridge, vocabulary, rarity, homophones,
        # sentence vectors) is the pipeline's, shared fairly: only the chunks and search differ
        return getattr(self.hybrid, name)

    def search(self, question, regions=None, top_k=None, mode=None) -> list[NodeWithScore]:
        return self.index.as_retriever(similarity_top_k=top_k or self.top_k).retrieve(question)

    def evidence(self, question, regions=None, top_k=None) -> list[TextNode]:
        return [r.node for r in self.search(question, regions, top_k)]

    def parts_of(self, node):
        return [node]


def compare(items: list[dict], settings: Settings, pipeline_metrics: dict, progress: bool = False) -> dict:
    """Summary metrics of every baseline and of this pipeline, on the same items, in one run."""
    from rag.answering.chain import answer_question
    from rag.pipeline.snapshot import make_retriever

    hybrid = make_retriever(settings)
    baselines = {
        "llama-index defaults (SentenceSplitter 512, vector)": _LlamaIndexDefaults(settings, hybrid),
        "BM25 only (clause chunks)": _OneSignal(hybrid, "bm25"),
        "vector only (clause chunks)": _OneSignal(hybrid, "vector"),
    }
    table = {}
    for name, retriever in baselines.items():
        def ask(question: str, retriever=retriever) -> dict:
            return answer_question(question, retriever, max_chars=settings.max_question_chars).as_dict()

        report = evaluate(items, retriever, ask, progress=progress)
        table[name] = {k: report.metrics.get(k) for k in SUMMARY_KEYS}
    table["this pipeline (hybrid clause chunks)"] = {k: pipeline_metrics.get(k) for k in SUMMARY_KEYS}
    return table


def markdown_table(table: dict) -> str:
    lines = ["| pipeline | " + " | ".join(SUMMARY_KEYS) + " |", "|---" * (len(SUMMARY_KEYS) + 1) + "|"]
    for name, row in table.items():
        cells = [f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k]) for k in SUMMARY_KEYS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
