"""The typed values the asking stages pass on: the Evidence a reader picked, the Citation of a
clause and the Answer with its citations. A citation names its document, clause and, for a
work with several versions, the version it quotes.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def work_title(metadata: dict) -> str:
    """《title》 as a citation names a document, with its version when the work has several
    (《上海市科学技术进步条例》（2024年修订）)."""
    version = metadata.get("version", "")
    return f"《{metadata.get('title', '')}》" + (f"（{version}）" if version else "")


@dataclass(frozen=True)
class Provenance:
    """Where a document came from: the catalog (corpus/documents.toml) or added later, by
    whom, when, from which file, and how it was read."""
    origin: str  # CATALOG or ADDED
    added_by: str
    added_at: str  # ISO 8601, UTC
    file_name: str
    file_size: int
    file_sha256: str
    reader: str  # text, markdown, docx, pdf, web page …
    encoding: str

    @classmethod
    def of(cls, metadata: dict) -> "Provenance":
        return cls(origin=metadata.get("origin", ""), added_by=metadata.get("added_by", ""),
                   added_at=metadata.get("added_at", ""), file_name=metadata.get("source_file", ""),
                   file_size=int(metadata.get("file_size") or 0), file_sha256=metadata.get("file_sha256", ""),
                   reader=metadata.get("reader", ""), encoding=metadata.get("encoding", ""))

    def as_dict(self) -> dict:
        return dict(self.__dict__)


CATALOG, ADDED = "catalog", "added"
PROVENANCE_KEYS = ("origin", "added_by", "added_at", "source_file", "file_size", "file_sha256", "reader", "encoding")
"""The chunk metadata a Provenance is read from."""


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    region: str
    clause_path: str
    clause_number: str
    text: str
    version: str = ""  # the version of a work with several ("2024年修订"), else ""
    status: str = ""  # in force, replaced, ended, repealed, not yet in force (rag.index.versions)
    provenance: Provenance | None = None

    @classmethod
    def of_node(cls, node, n: int) -> "Citation":
        """The citation of a retrieved clause (a llama-index node with our chunk metadata)."""
        m = node.metadata
        return cls(n=n, doc_id=m.get("doc_id", ""), title=m.get("title", ""), region=m.get("region", ""),
                   clause_path=m.get("clause_path", ""), clause_number=m.get("clause_number", ""),
                   text=node.text, version=m.get("version", ""), status=m.get("status", ""),
                   provenance=Provenance.of(m))

    @property
    def label(self) -> str:
        """How a person finds the clause in the paper document: 《title》四、（五）1, with the
        version when the work has several: 《title》（2024年修订）第四十二条."""
        return f"{work_title({'title': self.title, 'version': self.version})}{self.clause_number}".strip()

    def as_dict(self) -> dict:
        return {"n": self.n, "doc_id": self.doc_id, "title": self.title, "region": self.region,
                "clause_path": self.clause_path, "clause_number": self.clause_number,
                "label": self.label, "version": self.version, "status": self.status, "text": self.text,
                "provenance": self.provenance.as_dict() if self.provenance else None}


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    related: list[Citation] = field(default_factory=list)  # shown, not cited (abstention)
    flagged: list[str] = field(default_factory=list)  # sentences dropped by the number check
    question: str = ""
    language: str = "zh"
    latency_ms: float | None = None  # set by rag.pipeline.asking.answer
    coverage: float | None = None  # share of the question the best sentence covers
    short_answer: str = ""  # the direct answer (figure, department, date, items) with its [n]
    # the fitted answerability probability (rag.answering.answerability); None where a
    # definition decided (an article by number, a document's dates, a period, not a question)
    confidence: float | None = None
    signals: object | None = None  # the Signals the confidence was computed from
    ranked: list = field(default_factory=list)  # every sentence the reader ranked (Evidence), for fitting the ranker

    def as_dict(self) -> dict:
        """The record `rag ask --json`, the batch interface and the /ask endpoint share."""
        record = {"question": self.question, "answer": self.text, "short_answer": self.short_answer or (
                      self.text.split("\n")[0] if self.abstained or not self.citations else ""),
                  "abstained": self.abstained,
                  "language": self.language, "citations": [c.as_dict() for c in self.citations],
                  "related": [c.as_dict() for c in self.related], "flagged": self.flagged}
        if self.latency_ms is not None:
            record["latency_ms"] = round(self.latency_ms, 1)
        if self.coverage is not None:
            record["coverage"] = round(self.coverage, 3)
        record["confidence"] = None if self.confidence is None else round(self.confidence, 3)
        return record


@dataclass
class Evidence:
    """One sentence of one retrieved clause, with how well it answers the question."""
    rank: int  # rank of its clause in retrieval
    node: object
    sentence: str
    overlap: float  # ranking score: the sentence ranker's weighted sum of ``features``
    coverage: float = 0.0  # share of the question's terms (by length) the sentence contains
    # the opening of the compound sentence this one continues, when it says what the question
    # asks about ("服务机构…违反本条例规定的，…；" before "没有违法所得的，处以五万元…罚款")
    subject: str = ""
    features: tuple[float, ...] = ()  # what the sentence ranker scored (rag.reading.sentence_ranker)
