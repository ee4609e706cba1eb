"""What `rag train` fits, and how it is measured on documents the fit never saw.

Two small models: the sentence ranker (rag.reading.sentence_ranker), a listwise conditional
logit that puts the sentences holding the gold evidence first among those the chain ranked for
each question; and the answerability model (rag.answering.answerability), a logistic regression of "this
question is answerable" over the signals of the chain's best reading. The outcome of any
answerability decision on a row is known without asking again: an answer passes as the
chain's answer did, an abstention passes when the question is unanswerable.

Leave-documents-out: a question is decided by models fitted without any question that mentions
one of its documents (a comparison of two documents: without either's questions). The held-out
rows are asked with a ranker fitted that way, while the answerability model of their fold is
fitted on in-sample rows, whose ranking score came from the ranker fitted on all: an
approximation that spares asking every question once per fold.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rag.answering.answerability import ANSWER_FROM, Answerability, Signals
from rag.core.errors import RagError
from rag.reading.sentence_ranker import FEATURES, SentenceRanker

# a model fitted on fewer rows than this, or on one class, is not a model
MIN_ROWS = 20
IN_SAMPLE, HELD_OUT = "in_sample", "held_out"


@dataclass
class Row:
    """One labelled question as the chain read it (no question text: the sets stay where they are)."""
    id: str
    set: str
    library: str  # the folders indexed beside the corpus when it was asked ("corpus" for none)
    lang: str
    type: str
    documents: list[str]  # keys of the documents it is about (the same file under two names is one key)
    answerable: bool
    signals: list[float] | None  # None: a definition decided (an article, a period, not a question)
    passed: bool  # the chain's answer (or the definition's) passes the judge
    strict: bool
    abstained: bool  # the chain's answer abstained (no sentence found, or a definition did)
    # asked with the ranker fitted on every set (in_sample) or on the sets without this row's
    # document (held_out)
    fold: str = IN_SAMPLE

    def outcome(self, answers: bool) -> tuple[bool, bool, bool]:
        """(passed, strict, abstained) when the model answers or abstains on this row."""
        if self.signals is None or self.abstained or answers:
            return self.passed, self.strict, self.abstained
        return not self.answerable, not self.answerable, True


@dataclass
class Candidate:
    """One sentence the chain ranked for a question, and whether it holds the gold evidence."""
    question: str  # set:id
    documents: list[str]
    features: list[float]
    gold: bool


def gold_sentence(sentence: str, gold: str, window: int = 12) -> bool:
    """The sentence holds the gold text: it contains it, or shares a run of ``window``
    characters with it (whitespace ignored)."""
    sentence, gold = re.sub(r"\s+", "", sentence), re.sub(r"\s+", "", gold)
    if not gold or not sentence:
        return False
    if gold in sentence or (len(sentence) >= window and sentence in gold):
        return True
    size = min(window, len(gold))
    return any(gold[i:i + size] in sentence for i in range(0, len(gold) - size + 1))


def document_keys(roots: list[Path]) -> Callable[[object], list[str]]:
    """source_doc (a name, a list of names or nothing) → document keys: a file's content hash
    where a file of that name is found under ``roots`` (a blind set names a corpus plan by
    another file name), else the name itself."""
    by_name: dict[str, Path] = {}
    for root in roots:
        for path in sorted(Path(root).rglob("*")) if Path(root).is_dir() else []:
            if path.is_file():
                by_name.setdefault(path.name, path)
                by_name.setdefault(path.stem, path)

    def keys(source) -> list[str]:
        names = [n for n in ([source] if isinstance(source, str) else list(source or [])) if n]
        out = []
        for name in names:
            path = by_name.get(name)
            out.append(hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path else name)
        return out
    return keys


def fit(rows: list[Row]) -> Answerability:
    """A logistic regression of answerable on the signals of the rows the model decides."""
    from sklearn import __version__ as sklearn_version
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    used = [r for r in rows if r.signals is not None and not r.abstained]
    labels = {r.answerable for r in used}
    if len(used) < MIN_ROWS or len(labels) < 2:
        raise RagError(f"cannot fit on {len(used)} rows of {len(labels)} class(es): "
                       "the sets need answerable and unanswerable questions")
    x = [r.signals for r in used]
    y = [int(r.answerable) for r in used]
    scaler = StandardScaler().fit(x)
    scale = [float(s) if s > 0 else 1.0 for s in scaler.scale_]
    model = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x), y)
    about = {"rows": len(used), "answerable": sum(y), "sets": sorted({r.set for r in used}),
             "scikit-learn": sklearn_version, "method": "LogisticRegression(C=1.0) on standardised signals"}
    return Answerability(Signals.names(), [float(m) for m in scaler.mean_], scale,
                         [float(c) for c in model.coef_[0]], float(model.intercept_[0]), about)


def decide(model: Answerability, row: Row) -> bool:
    return row.signals is None or model.probability_of(row.signals) >= ANSWER_FROM


# L2 penalty on the standardised weights of the ranker: the usual default, one question's
# sentences never pull a weight far
RANKER_PENALTY = 1.0


def fit_ranker(candidates: list[Candidate], about: dict | None = None) -> SentenceRanker:
    """Weights of the sentence features, fitted listwise: a conditional logit over each
    question's sentences, maximising the probability that the best-scored one is gold (the
    softmax mass on its gold sentences), with an L2 penalty; fitted on standardised features,
    rescaled to the raw ones the ranker adds."""
    import numpy as np
    from scipy import __version__ as scipy_version
    from scipy.optimize import minimize

    by_question: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_question.setdefault(c.question, []).append(c)
    lists = [(np.array([c.features for c in group], dtype=float), np.array([c.gold for c in group], dtype=float))
             for group in by_question.values() if any(c.gold for c in group) and not all(c.gold for c in group)]
    if len(lists) < MIN_ROWS:
        raise RagError(f"cannot fit the ranker on {len(candidates)} sentences: {len(lists)} questions "
                       "with a gold and another sentence")
    scale = np.vstack([x for x, _ in lists]).std(axis=0)
    scale[scale == 0] = 1.0
    lists = [(x / scale, gold) for x, gold in lists]

    def loss(w):
        total, grad = RANKER_PENALTY * w @ w, 2 * RANKER_PENALTY * w
        for x, gold in lists:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            on_gold = p * gold
            mass = on_gold.sum() + 1e-12  # the gold sentences' share of the softmax
            total -= np.log(mass)
            grad -= x.T @ (on_gold / mass) - x.T @ p
        return total, grad

    fitted = minimize(loss, np.zeros(len(scale)), jac=True, method="L-BFGS-B")
    if not fitted.success or not np.all(np.isfinite(fitted.x)):
        raise RagError(f"the sentence ranker's fit did not converge: {fitted.message}")
    weights = [float(w) for w in fitted.x / scale]
    return SentenceRanker(list(FEATURES), weights, {
        "method": f"listwise conditional logit (softmax over each question's sentences, gold mass), "
                  f"L2 {RANKER_PENALTY} on standardised features", "questions": len(lists),
        "sentences": sum(len(g) for _, g in lists), "gold": int(sum(g.sum() for _, g in lists)),
        "scipy": scipy_version, **(about or {})})


def held_with(documents: list[str], question: str) -> frozenset[str]:
    """What a question's fold leaves out of fitting: every document it mentions, or, for a
    question about none, the question itself (in every library it was asked of)."""
    return frozenset(documents) if documents else frozenset({f"question:{question}"})


def fitted_on(documents: list[str], question: str, held: frozenset[str]) -> bool:
    """A row or candidate may be fitted on in the fold that holds ``held`` out."""
    return not (held & set(documents)) and f"question:{question}" not in held


def rankers_without(candidates: list[Candidate]) -> dict[frozenset[str], SentenceRanker]:
    """For each question's documents, the ranker fitted on the questions that mention none of them."""
    folds = dict.fromkeys(held_with(c.documents, question_of(c)) for c in candidates if c.documents)
    return {held: fit_ranker([c for c in candidates if fitted_on(c.documents, question_of(c), held)])
            for held in folds}


def question_of(candidate: Candidate) -> str:
    """set:id of a candidate's question (without the library it was asked of)."""
    return candidate.question.partition("@")[0]


def ranker_hits(candidates: list[Candidate], ranker_for: Callable[[Candidate], SentenceRanker]) -> float | None:
    """Share of the questions with a gold sentence among their candidates whose best-scored
    candidate is gold."""
    by_question: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_question.setdefault(c.question, []).append(c)
    tops = [max(cs, key=lambda c: ranker_for(c).score(c.features)).gold
            for cs in by_question.values() if any(c.gold for c in cs)]
    return round(sum(tops) / len(tops), 4) if tops else None


def leave_documents_out(rows: list[Row]) -> dict[str, bool]:
    """Row key → whether a model fitted on the in-sample rows that mention none of the row's
    documents (nor, for a row about none, the same question in any library) answers its
    held-out row (asked with the ranker fitted the same way)."""
    decided: dict[str, bool] = {}
    fitted_without: dict[frozenset[str], Answerability] = {}
    for row in [r for r in rows if r.fold == HELD_OUT]:
        if row.signals is None:
            decided[row_key(row)] = True
            continue
        held = held_with(row.documents, f"{row.set}:{row.id}")
        if held not in fitted_without:
            fitted_without[held] = fit([r for r in rows if r.fold == IN_SAMPLE
                                        and fitted_on(r.documents, f"{r.set}:{r.id}", held)])
        decided[row_key(row)] = decide(fitted_without[held], row)
    return decided


def row_key(row: Row) -> str:
    return f"{row.set}:{row.id}@{row.library}"


def metrics(rows: list[Row], answers: Callable[[Row], bool]) -> dict:
    """Accuracy (answerable rows), per language, strict, abstention precision and recall."""
    outcomes = [(r, *r.outcome(answers(r))) for r in rows]
    answerable = [o for o in outcomes if o[0].answerable]

    def share(values) -> float | None:
        values = list(values)
        return round(sum(values) / len(values), 4) if values else None

    out = {"n": len(rows), "accuracy": share(o[1] for o in answerable)}
    for lang in sorted({r.lang for r in rows}):
        out[f"accuracy_{lang}"] = share(o[1] for o in answerable if o[0].lang == lang)
    out["strict_accuracy"] = share(o[2] for o in answerable)
    abstained = [o for o in outcomes if o[3]]
    out["abstention_precision"] = share(not o[0].answerable for o in abstained)
    out["abstention_recall"] = share(o[3] for o in outcomes if not o[0].answerable)
    return out


