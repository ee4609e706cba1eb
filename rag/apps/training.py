"""`rag train`: fit the sentence ranker and the answerability model on the labelled sets, and
measure both on documents they never saw.

The plan (eval/training.toml) names each labelled set and the libraries it is asked of; each
library is indexed once into a temporary store. Three passes over the questions:

1. asked with the committed ranker and a chain that always answers when it finds a sentence
   (rag.answering.answerability.AlwaysAnswer): every sentence ranked is a candidate, gold when
   it holds the question's evidence; the ranker is fitted on them, once on all and once per
   document without the questions that mention it;
2. asked with the ranker fitted on all: the in-sample rows (signals, answerable, passed), on
   which the answerability model is fitted;
3. each question asked with the ranker fitted without its document: the held-out rows, decided
   by an answerability model fitted on the in-sample rows of the other documents.

The rows are written to eval/answerability-rows.jsonl (ids and numbers, no question text),
the models beside their modules, the figures to eval/answerability-report.md.
"""
from __future__ import annotations

import json
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from rag.answering.answerability import ANSWER_FROM, MODEL_PATH, AlwaysAnswer, Answerability, Models
from rag.apps.evaluate import UNANSWERABLE, judge, load_sets, strict_judge
from rag.apps.fitting import (
    HELD_OUT,
    IN_SAMPLE,
    Candidate,
    Row,
    decide,
    document_keys,
    fit,
    fit_ranker,
    gold_sentence,
    held_with,
    leave_documents_out,
    metrics,
    question_of,
    ranker_hits,
    rankers_without,
    row_key,
)
from rag.core.config import PROJECT_ROOT
from rag.core.errors import RagError
from rag.reading.sentence_ranker import RANKER_PATH, SentenceRanker, fitted_ranker

ROWS_PATH = PROJECT_ROOT / "eval" / "answerability-rows.jsonl"
REPORT_PATH = PROJECT_ROOT / "eval" / "answerability-report.md"
CANDIDATES_PATH = PROJECT_ROOT / "artifacts" / "ranker-candidates.jsonl"
# the sentences of a question kept for fitting the ranker: every gold one and the best-ranked others
CANDIDATES_PER_QUESTION = 30


PLAN_PATH = PROJECT_ROOT / "eval" / "training.toml"


@dataclass(frozen=True)
class Plan:
    """One labelled set and the libraries (folders beside the corpus) it is asked of."""
    path: Path
    libraries: list[tuple[Path, ...]]


def load_plan(path: Path = PLAN_PATH, shared: Path | None = None) -> list[Plan]:
    """The plan's sets and libraries; a path starting "shared/" is under ``shared`` (the
    settings' shared folder), any other is from the project root."""
    import tomllib

    from rag.core.config import get_settings

    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RagError(f"cannot read the training plan {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RagError(f"{path}: {exc}") from exc
    shared = shared or get_settings().shared_dir

    def resolved(name: str) -> Path:
        return shared / name.removeprefix("shared/") if name.startswith("shared/") else PROJECT_ROOT / name

    return [Plan(resolved(s["path"]), [tuple(resolved(d) for d in lib) for lib in s.get("libraries", [[]])])
            for s in data.get("set", [])]


def library_name(folders: tuple[Path, ...]) -> str:
    return "+".join(["corpus", *(Path(f).name for f in folders)])


def set_name(path: Path) -> str:
    """eval/qa.jsonl → qa; a folder (or its questions.jsonl) → the folder's name."""
    path = Path(path)
    return path.name if path.is_dir() else path.parent.name if path.stem == "questions" else path.stem


def collect(items: list[dict], set_name: str, library: str, ask: Callable[[str], object],
            keys: Callable[[object], list[str]], fold: str = IN_SAMPLE, progress: bool = False
            ) -> tuple[list[Row], list[Candidate]]:
    """The rows of one set asked of one library, and the sentences each question's reading
    ranked. ``ask``: item → Answer."""
    from tqdm import tqdm

    rows, candidates = [], []
    for item in tqdm(items, desc=f"{set_name} ({library})", unit="q", disable=not progress, leave=False):
        answer = ask(item)
        record = answer.as_dict()
        passed, _ = judge(item, record)
        documents = keys(item.get("source_doc"))
        # six decimals: the rows file stays small and refits to the same model
        signals = [round(v, 6) for v in answer.signals.vector()] if answer.signals is not None else None
        rows.append(Row(item["id"], set_name, library, item["lang"], item["type"], documents,
                        item["type"] != UNANSWERABLE, signals, passed, strict_judge(item, record),
                        answer.abstained, fold))
        gold = item.get("evidence") or item.get("clause") or ""
        if item["type"] != UNANSWERABLE and gold:
            ranked = [(ev, gold_sentence(ev.sentence, gold)) for ev in answer.ranked]
            kept = [pair for i, pair in enumerate(ranked) if pair[1] or i < CANDIDATES_PER_QUESTION]
            candidates += [Candidate(f"{set_name}:{item['id']}@{library}", documents,
                                     [round(v, 6) for v in ev.features], is_gold)
                           for ev, is_gold in kept]
    return rows, candidates


def train(plan: list[Plan], settings, progress: bool = False) -> dict:
    """The three passes, the fits and the figures; writes the models, the rows and the report."""
    from rag.pipeline.asking import answer
    from rag.pipeline.writing import ingest_paths

    # the extractive chain is what is fitted, whatever generator the user's settings name
    settings = settings.with_overrides(generator="extractive")
    libraries = list(dict.fromkeys(lib for p in plan for lib in p.libraries))
    # a set names a document by its file name under the shared folder (a corpus plan as
    # shared/seeds/000_….txt) or by its corpus id: the same file is one document
    keys = document_keys([settings.corpus_dir, settings.shared_dir, *{f for lib in libraries for f in lib}])
    work = [(library, p, load_sets(p.path)) for library in libraries for p in plan if library in p.libraries]
    with ExitStack() as stack:
        stores = {}
        for library in libraries:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rag-train-")))
            stores[library] = settings.with_overrides(data_dir=folder, chroma_host="")
            done = ingest_paths([settings.corpus_dir, *library], stores[library])
            print(f"{library_name(library)}: {done.summary()}", file=sys.stderr)

        def asked(models_for: Callable[[dict], Models], fold: str) -> tuple[list[Row], list[Candidate]]:
            rows, candidates = [], []
            for library, p, items in work:
                store = stores[library]
                got = collect(items, set_name(p.path), library_name(library),
                              lambda item: answer(item["question"], settings=store, models=models_for(item)),
                              keys, fold, progress)
                rows += got[0]
                candidates += got[1]
            return rows, candidates

        always = AlwaysAnswer()
        previous = fitted_ranker()  # the committed ranker chooses which sentences are candidates
        _, candidates = asked(lambda item: Models(previous, always), IN_SAMPLE)
        save_candidates(candidates)
        ranker = fit_ranker(candidates)
        without = rankers_without(candidates)

        def held_out_ranker(documents: list[str], question: str) -> SentenceRanker:
            return without.get(held_with(documents, question), ranker) if documents else ranker

        rows, _ = asked(lambda item: Models(ranker, always), IN_SAMPLE)
        held, _ = asked(lambda item: Models(held_out_ranker(keys(item.get("source_doc")), ""), always), HELD_OUT)
    ranker.about["gold_first"] = {
        IN_SAMPLE: ranker_hits(candidates, lambda c: ranker),
        "leave_documents_out": ranker_hits(candidates, lambda c: held_out_ranker(c.documents, question_of(c))),
        "previous_ranker": ranker_hits(candidates, lambda c: previous)}
    ranker.save(RANKER_PATH)
    save_rows(rows + held)
    return refit(rows + held, ranker, "rag train")


def refit(rows: list[Row], ranker: SentenceRanker, command: str) -> dict:
    """Fit the answerability model on the in-sample rows, measure it, save it and the report."""
    model = fit([r for r in rows if r.fold == IN_SAMPLE])
    # the ranking score is one of its signals: the model belongs to this ranker
    model.about["ranker_weights"] = ranker.weights
    figures = report(rows, model)
    model.about["leave_documents_out"] = {name: f["leave_documents_out"] for name, f in figures.items()}
    model.save(MODEL_PATH)
    REPORT_PATH.write_text(markdown(figures, model, ranker, command), encoding="utf-8")
    return figures


def report(rows: list[Row], model: Answerability) -> dict[str, dict]:
    """Per set and library, and over all: in-sample and leave-documents-out metrics."""
    held_out = leave_documents_out(rows)
    out = {}
    for name in sorted({f"{r.set}@{r.library}" for r in rows}) + ["all"]:
        chosen = [r for r in rows if name in ("all", f"{r.set}@{r.library}")]
        inside = metrics([r for r in chosen if r.fold == IN_SAMPLE], lambda r: decide(model, r))
        outside = metrics([r for r in chosen if r.fold == HELD_OUT], lambda r: held_out[row_key(r)])
        out[name] = {"in_sample": inside, "leave_documents_out": outside}
    return out


def save_candidates(candidates: list[Candidate], path: Path = CANDIDATES_PATH) -> None:
    """The ranker's sentences (features and gold), for study; not committed (artifacts/)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in candidates), encoding="utf-8")


def save_rows(rows: list[Row], path: Path = ROWS_PATH) -> None:
    path.write_text("".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def load_rows(path: Path = ROWS_PATH) -> list[Row]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RagError(f"cannot read the training rows {path}: {exc.strerror}; run `rag train`") from exc
    return [Row(**json.loads(line)) for line in lines if line.strip()]


def markdown(figures: dict[str, dict], model: Answerability, ranker: SentenceRanker, command: str) -> str:
    """The training report: what was fitted, the weights and the figures per set."""
    hits = ranker.about.get("gold_first", {})
    lines = ["# The fitted answer chain: training report", "",
             f"Written by `{command}` (the plan: `eval/training.toml`); the rows the answerability model is "
             "fitted on are `eval/answerability-rows.jsonl`.", "",
             "## Sentence ranker (`rag/reading/sentence_ranker.json`)", "",
             f"{ranker.about.get('method')}; {ranker.about.get('sentences')} sentences of "
             f"{ranker.about.get('questions')} questions ({ranker.about.get('gold')} gold), "
             f"scipy {ranker.about.get('scipy')}.", "",
             "| feature | weight |", "|---|---|"]
    lines += [f"| {n} | {w:+.4f} |" for n, w in zip(ranker.names, ranker.weights)]
    lines += ["", "Share of the questions (with a gold sentence among those ranked) whose best-ranked sentence "
              f"is gold: the previously committed ranker {hits.get('previous_ranker')}, fitted in-sample {hits.get(IN_SAMPLE)}, "
              f"leave-documents-out {hits.get('leave_documents_out')}.", "",
              "## Answerability model (`rag/answering/answerability.json`)", "",
              f"{model.about.get('method')}, {model.about.get('rows')} rows "
              f"({model.about.get('answerable')} answerable), scikit-learn {model.about.get('scikit-learn')}; "
              f"the chain answers from a probability of {ANSWER_FROM}.", "",
              "| signal | weight (standardised) |", "|---|---|"]
    lines += [f"| {n} | {c:+.3f} |" for n, c in zip(model.names, model.coef)] + [f"| (intercept) | {model.intercept:+.3f} |"]
    lines += ["", "Each set in-sample (the committed model) and leave-documents-out (each document's questions",
              "decided by a model fitted without them):", "",
              "| set | n | accuracy | zh | en | strict | abstention P / R |", "|---|---|---|---|---|---|---|"]
    for name, both in figures.items():
        for kind, m in both.items():
            lines.append(f"| {name} ({kind.replace('_', ' ')}) | {m['n']} | {m['accuracy']} | {m.get('accuracy_zh')} | "
                         f"{m.get('accuracy_en')} | {m['strict_accuracy']} | "
                         f"{m['abstention_precision']} / {m['abstention_recall']} |")
    return "\n".join(lines) + "\n"


def held_out_figures(path: Path) -> dict[str, float | None]:
    """The committed model's leave-documents-out accuracy on a labelled set, per library it was
    asked of (from the model file, written by `rag train`); {} for a set it was not fitted on."""
    from rag.answering.answerability import fitted

    name = set_name(path)
    figures = fitted().about.get("leave_documents_out", {})
    return {key.partition("@")[2]: f.get("accuracy") for key, f in figures.items() if key.partition("@")[0] == name}
