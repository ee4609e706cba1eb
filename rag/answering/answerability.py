"""Answer or abstain: one fitted model weighs the signals the reader finds.

The chain reads the best sentence it can find for every question; whether that sentence
answers it is decided by a logistic regression over the signals below (fitted by `rag train`
on the labelled sets, rag.apps.training), not by a threshold per signal. The model is a small
JSON file beside this module; its probability is the answer's ``confidence``, and the chain
abstains when it is below one half (less likely answerable than not).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from rag.core.errors import RagError
from rag.reading.sentence_ranker import SentenceRanker, fitted_ranker

MODEL_PATH = Path(__file__).with_name("answerability.json")
# the chain answers when the model gives the question at least even chances of being answerable
ANSWER_FROM = 0.5
# an answer the model gives fewer than three chances in four of answering the question is
# shown with a line saying so (the chain still answers from one half up)
SURE = 0.75
# (no figure in the line: every figure of an answer is a document's; the probability itself is
# the answer's ``confidence`` in `rag ask --json` and /ask)
NOT_CERTAIN = {
    "zh": "（把握不大：上述条款未必回答了这一问题，请核对原文。）",
    "en": "(Not certain: the clauses above may not answer this; check the source.)",
}


@dataclass(frozen=True)
class Signals:
    """What the chain knows about its best reading of a question, as numbers."""
    english: float  # 1 for an English question (its terms are dictionary translations)
    coverage: float  # share of the question's terms (by characters) the best sentence holds
    score: float  # the best sentence's score from the sentence ranker
    similarity: float  # sentence-embedding cosine of the best sentence to the question
    unknown_share: float  # share of the question's concepts no indexed clause mentions
    figure_unstated: float  # 1 for an amount question whose sentences state no such figure
    asks_amount: float  # 1 for a question asking how much, how many, what share
    region_named: float  # 1 when the question names a region of the library
    clause_rank: float  # retrieval rank of the best sentence's clause (0 = first)
    terms: float  # log(1 + number of the question's terms)
    second_document: float  # 1 when another document's best sentence covers as much

    def vector(self) -> list[float]:
        values = asdict(self)
        # English questions match by translation: their coverage and unknown share mean less
        return [values[f.name] for f in fields(self)] + [self.english * self.coverage,
                                                         self.english * self.unknown_share]

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)] + ["english_coverage", "english_unknown_share"]


@dataclass(frozen=True)
class Answerability:
    """A logistic regression over standardised signals."""
    names: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    about: dict  # how and on what it was fitted (written by `rag train`)

    def probability(self, signals: Signals) -> float:
        return self.probability_of(signals.vector())

    def probability_of(self, x: list[float]) -> float:
        """The probability for a signal vector (Signals.vector)."""
        z = self.intercept + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, signals: Signals) -> bool:
        return self.probability(signals) >= ANSWER_FROM

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Answerability:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise RagError(f"cannot read the answerability model {path}: {exc.strerror}; "
                           "fit one with `rag train`") from exc
        except json.JSONDecodeError as exc:
            raise RagError(f"{path}: not a model file ({exc.msg})") from exc
        if data.get("names") != Signals.names():
            raise RagError(f"{path} was fitted on other signals ({data.get('names')}); refit it with `rag train`")
        if not len(data.get("mean", [])) == len(data.get("scale", [])) == len(data.get("coef", [])) == len(data["names"]):
            raise RagError(f"{path}: a weight, mean and scale for each of its {len(data['names'])} signals are needed")
        return cls(data["names"], data["mean"], data["scale"], data["coef"], data["intercept"], data.get("about", {}))

    def save(self, path: Path = MODEL_PATH) -> None:
        Path(path).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def doubt(confidence: float, language: str) -> str:
    """The "not certain" line for an answer below SURE, else ""."""
    return NOT_CERTAIN[language] if confidence < SURE else ""


class AlwaysAnswer:
    """Answers whenever a sentence was found: the chain's candidates, for fitting a model."""

    def probability(self, signals: Signals) -> float:
        return 1.0

    def answers(self, signals: Signals) -> bool:
        return True


@lru_cache(maxsize=1)
def fitted() -> Answerability:
    """The committed model."""
    return Answerability.load()


@dataclass(frozen=True)
class Models:
    """The fitted parts of the answer chain: which sentence answers best (the ranker) and
    whether it answers at all (the answerability model)."""
    ranker: SentenceRanker
    answerability: Answerability | AlwaysAnswer

    @classmethod
    def committed(cls) -> Models:
        return cls(fitted_ranker(), fitted())
