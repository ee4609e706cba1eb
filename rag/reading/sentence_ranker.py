"""Which sentence answers: a linear ranker over what each retrieved sentence holds.

Each sentence of the retrieved clauses is described by a few numbers (how much of the question
it covers, plainly and with rare words weighing more, its closeness in meaning, whether it
holds the kind of thing asked, its clause's retrieval rank…); its score is their weighted sum.
The weights are fitted by `rag train` (rag.apps.fitting: a listwise conditional logit that puts
the sentences holding the gold evidence first, over the labelled sets) and kept in a small JSON
file beside this module. The features are a tuple in the order of FEATURES
(rag.reading.extractive.score_sentences builds it).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from rag.core.errors import RagError

RANKER_PATH = Path(__file__).with_name("sentence_ranker.json")
FEATURES = (
    "coverage",  # share of the question's characters whose terms the sentence holds
    "weighted_coverage",  # the same, each character weighing its term's rarity in the library
    "figure_for_amount",  # 1 when the question asks an amount and the sentence states a number
    "asked_kind",  # 1 when the sentence looks like what is asked (a department, a deadline)
    "similarity",  # sentence-embedding cosine to the question
    "english_similarity",  # the same, for an English question (0 for Chinese)
    "english_coverage",  # coverage, for an English question (its terms are translations)
    "clause_rank",  # retrieval rank of the sentence's clause (0 = first)
    "heading",  # 1 for a clause's short opening heading, which restates its topic
    "length",  # characters of the sentence, in hundreds
    "title_named",  # share of its document's title the question spells, by character pairs
)


@dataclass(frozen=True)
class SentenceRanker:
    names: list[str]
    weights: list[float]
    about: dict  # how the weights were set (written by `rag train`)

    def score(self, features: tuple[float, ...]) -> float:
        return sum(w * x for w, x in zip(self.weights, features))

    @classmethod
    def load(cls, path: Path = RANKER_PATH) -> SentenceRanker:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise RagError(f"cannot read the sentence ranker {path}: {exc.strerror}; fit one with `rag train`") from exc
        except json.JSONDecodeError as exc:
            raise RagError(f"{path}: not a ranker file ({exc.msg})") from exc
        if data.get("names") != list(FEATURES) or len(data.get("weights", [])) != len(FEATURES):
            raise RagError(f"{path} weighs other features ({data.get('names')}); refit it with `rag train`")
        return cls(data["names"], data["weights"], data.get("about", {}))

    def save(self, path: Path = RANKER_PATH) -> None:
        Path(path).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def fitted_ranker() -> SentenceRanker:
    """The committed ranker."""
    return SentenceRanker.load()
