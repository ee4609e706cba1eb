"""Evaluation over a question-answer set (eval/qa.jsonl): retrieval, answers, abstention, speed.

An item passes when the answer contains one string of every ``must`` group (after number
normalisation) and cites at least one clause; an ``unanswerable`` item passes when the answer
abstains. The gate (``rag eval``) fails when a metric is below ``eval/thresholds.toml``.
"""
from __future__ import annotations

import json
import re
import statistics
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rag.core.config import Settings
from rag.core.errors import RagError
from rag.core.numbers import normalise_numbers
from rag.core.vocabulary import SCOPE_WORDS, letters

UNANSWERABLE = "unanswerable"


def load_set(path: Path) -> list[dict]:
    items = []
    try:
        fh = Path(path).open(encoding="utf-8")
    except OSError as exc:
        raise RagError(f"cannot read the eval set {path}: {exc.strerror}") from exc
    with fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise RagError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    if not items:
        raise RagError(f"the eval set {path} is empty")
    return items


def load_sets(path: Path) -> list[dict]:
    """The items of a set: a JSONL file, or every JSONL file of a folder (in name order)."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files:
        raise RagError(f"no question set in {path}")
    return [item for f in files for item in load_set(f)]


def is_gold(node, item: dict) -> bool:
    return node.metadata.get("doc_id") == item["source_doc"] and item["clause"] in node.text


def retrieval_metrics(retriever, items: list[dict], mode: str = "hybrid", k: int = 5) -> dict:
    """hit@1, hit@k and MRR of the gold clause, with the pipeline's own region matching."""
    from rag.pipeline.asking import question_regions

    hit1 = hitk = rr = 0.0
    # a set written without gold clauses (only evidence passages) has no retrieval metrics
    items = [i for i in items if i["type"] != UNANSWERABLE and i.get("clause")]
    if not items:
        return {}
    for item in items:
        regions = question_regions(item["question"], retriever).regions
        results = retriever.search(item["question"], regions, top_k=k, mode=mode)
        ranks = [i for i, r in enumerate(results) if is_gold(r.node, item)]
        if ranks:
            hit1 += ranks[0] == 0
            hitk += 1
            rr += 1.0 / (ranks[0] + 1)
    n = max(len(items), 1)
    return {"hit@1": hit1 / n, f"hit@{k}": hitk / n, "mrr": rr / n}


def matches(text: str, must: list[list[str]]) -> bool:
    """One string of every group is in the text (numbers normalised, case ignored)."""
    norm = normalise_numbers(text).lower()
    return all(any(normalise_numbers(s).lower() in norm for s in group) for group in must)


@dataclass
class ItemResult:
    item: dict
    answer: dict
    latency_ms: float
    passed: bool
    supported_citations: int = 0
    strict: bool = False  # the required strings are in the direct answer (short_answer)


@dataclass
class Report:
    metrics: dict
    results: list[ItemResult] = field(default_factory=list)

    def failures(self) -> list[ItemResult]:
        return [r for r in self.results if not r.passed]


def judge(item: dict, answer: dict) -> tuple[bool, int]:
    """(passed, number of cited clauses that hold a must string)."""
    if item["type"] == UNANSWERABLE:
        return answer["abstained"], 0
    cited = answer["citations"]
    supported = sum(1 for c in cited if any(matches(c["text"], [g]) for g in item["must"]))
    passed = not answer["abstained"] and bool(cited) and matches(answer["answer"], item["must"])
    return passed, supported


def strict_judge(item: dict, answer: dict) -> bool:
    """As :func:`judge`, but the required strings must be in the direct answer, not anywhere
    in a long quote."""
    if item["type"] == UNANSWERABLE:
        return answer["abstained"]
    return (not answer["abstained"] and bool(answer["citations"])
            and matches(answer.get("short_answer", ""), item["must"]))


def run_answers(items: list[dict], ask: Callable[[str], dict], progress: bool = False) -> list[ItemResult]:
    from tqdm import tqdm

    out = []
    for item in tqdm(items, desc="eval", unit="q", disable=not progress, leave=False):
        started = time.perf_counter()
        answer = ask(item["question"])
        latency = (time.perf_counter() - started) * 1000
        passed, supported = judge(item, answer)
        out.append(ItemResult(item, answer, latency, passed, supported, strict_judge(item, answer)))
    return out


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


# what an English direct answer may leave in Chinese: a quote and the original beside a gloss
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」|\([^)]*\)|（[^）]*）|\[\d+\]")


def mostly_english(text: str) -> bool:
    """Outside quotes and parentheses, Latin letters outnumber Chinese characters."""
    bare = _QUOTED.sub("", text)
    han, latin = letters(bare)
    return latin > han


def answer_metrics(results: list[ItemResult]) -> dict:
    answerable = [r for r in results if r.item["type"] != UNANSWERABLE]
    metrics: dict = {"n": len(results), "answerable": len(answerable)}
    metrics["accuracy"] = _share([r.passed for r in answerable])
    for lang in sorted({r.item["lang"] for r in results}):
        metrics[f"accuracy_{lang}"] = _share([r.passed for r in answerable if r.item["lang"] == lang])
    metrics["strict_accuracy"] = _share([r.strict for r in answerable])
    english = [r for r in results if r.item["lang"] == "en" and not r.answer["abstained"]]
    metrics["english_direct_answers"] = _share([mostly_english(r.answer.get("short_answer", "")) for r in english])
    metrics["by_type"] = {t: _share([r.passed for r in results if r.item["type"] == t])
                          for t in sorted({r.item["type"] for r in results})}
    metrics["by_type_lang"] = {f"{t}/{lang}": _share(v) for (t, lang), v in sorted(_group(results).items())}
    metrics["by_document"] = by_document(results)
    cited = sum(len(r.answer["citations"]) for r in answerable)
    metrics["citation_precision"] = round(sum(r.supported_citations for r in answerable) / cited, 4) if cited else None
    predicted = [r for r in results if r.answer["abstained"]]
    actual = [r for r in results if r.item["type"] == UNANSWERABLE]
    true_pos = sum(1 for r in predicted if r.item["type"] == UNANSWERABLE)
    metrics["abstention_precision"] = round(true_pos / len(predicted), 4) if predicted else None
    metrics["abstention_recall"] = round(true_pos / len(actual), 4) if actual else None
    latencies = sorted(r.latency_ms for r in results)
    metrics["latency_p50_ms"] = round(statistics.median(latencies), 1)
    metrics["latency_p95_ms"] = round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1)
    english_latencies = [r.latency_ms for r in results if r.item["lang"] == "en"]
    if english_latencies:
        metrics["latency_p50_ms_en"] = round(statistics.median(english_latencies), 1)
    return metrics


def by_document(results: list[ItemResult]) -> dict:
    """Share passed of the items about each source document (an item naming two counts for both)."""
    groups: dict[str, list[bool]] = {}
    for r in results:
        sources = r.item.get("source_doc") or []
        for source in [sources] if isinstance(sources, str) else sources:
            if source:
                groups.setdefault(source, []).append(r.passed)
    return {doc: _share(v) for doc, v in sorted(groups.items())}


def accuracy_about(results: list[ItemResult], documents: set[str]) -> float | None:
    """Share passed of the answerable items about any of ``documents`` (file names), each item
    once: the accuracy on documents indexed beside the corpus for a set (``rag eval --docs``)."""
    about = [r.passed for r in results if r.item["type"] != UNANSWERABLE
             and set([r.item.get("source_doc")] if isinstance(r.item.get("source_doc"), str)
                     else r.item.get("source_doc") or []) & documents]
    return _share(about)


def _group(results: list[ItemResult]) -> dict:
    groups: dict = {}
    for r in results:
        groups.setdefault((r.item["type"], r.item["lang"]), []).append(r.passed)
    return groups


def evaluate(items: list[dict], retriever, ask: Callable[[str], dict], progress: bool = False,
             mode: str = "hybrid") -> Report:
    results = run_answers(items, ask, progress)
    metrics = retrieval_metrics(retriever, items, mode=mode) if retriever is not None else {}
    metrics.update(answer_metrics(results))
    return Report(metrics, results)


def load_gold(path: Path) -> list[dict]:
    """A hand-made gold file, one line per clause annotated — doc (a corpus id, or a file under
    ``source``), clause (its number) and everything of one kind in it:
    eval/measures.jsonl lists each measure (the words it contains, the beneficiary kinds, []
    when it names none, the benefit kind, "" when unstated, and the condition);
    eval/targets.jsonl each target (topic, figure, qualifier, scope — the region's name for its
    own figure —, period: a year, annual, cumulative or ""). A clause with none has []."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RagError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        return [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError as exc:
        raise RagError(f"{path}: not JSON lines ({exc})") from exc


def _gold_matches(gold: dict, measure) -> bool:
    return (gold["contains"] in measure.text
            and (not gold["beneficiaries"] or bool(set(gold["beneficiaries"]) & set(measure.beneficiaries)))
            and (not gold.get("benefit") or gold["benefit"] in measure.benefits))


def measure_metrics(gold: list[dict], chunks: dict[tuple[str, str], list]) -> dict:
    """Measure extraction against the hand-made gold, over the annotated clauses only.

    ``chunks``: (doc, clause number) → that clause's chunks as the ingest makes them. Precision: the extracted measures that are a gold measure (its words, a beneficiary
    kind and the benefit kind right); recall: the gold measures extracted; wrong_met: verdicts
    "met" for an applicant kind that is none of the gold beneficiaries (nor below one)."""
    from rag.extract.measures import KINDS, PROJECTS, lineage, measures_from_json
    from rag.features.eligibility import verdict

    extracted = hits = found = total = wrong = conditions = with_condition = 0
    for line in gold:
        measures = [m for node in chunks.get((line["doc"], line["clause"]), [])
                    for m in measures_from_json(node.metadata.get("measures", "[]"))]
        extracted += len(measures)
        hits += sum(1 for m in measures if any(_gold_matches(g, m) for g in line["measures"]))
        for g in line["measures"]:
            total += 1
            matched = [m for m in measures if _gold_matches(g, m)]
            found += bool(matched)
            if g.get("condition"):
                with_condition += 1
                conditions += any(g["condition"] in c for m in matched for c in m.conditions)
            for m in matched if g["beneficiaries"] else []:
                wrong += sum(1 for kind in KINDS if kind != PROJECTS and verdict(m.beneficiaries, m.conditions, kind)[0] == "met"
                             and not set(lineage(kind)) & set(g["beneficiaries"]))
    return {"measure_precision": round(hits / extracted, 4) if extracted else None,
            "measure_recall": round(found / total, 4) if total else None,
            "measure_condition_recall": round(conditions / with_condition, 4) if with_condition else None,
            "measure_wrong_met": wrong, "measures_gold": total}


OWN_SCOPES = ("",) + tuple(w for w in SCOPE_WORDS if w.startswith("全") and w != "全国")  # a plan's own region


def target_metrics(gold: list[dict], chunks: dict[tuple[str, str], list]) -> dict:
    """Target extraction against the hand-made gold, over the annotated clauses only: an
    extracted target is right when a gold target of its clause has the same figure and a topic
    one contains; ``target_scope_period_right`` is the share of those whose area and period
    are right too."""
    extracted = hits = strict = found = total = 0
    for line in gold:
        nodes = chunks.get((line["doc"], line["clause"]), [])
        region = nodes[0].metadata.get("region", "") if nodes else ""
        targets = [t for node in nodes for t in json.loads(node.metadata.get("targets", "[]"))]
        extracted += len(targets)
        for t in targets:
            same = [g for g in line["targets"] if _same_target(g, t)]
            hits += bool(same)
            scope = region if t["scope"] in OWN_SCOPES else t["scope"]
            strict += any(g["scope"] == scope and g["period"] == t["period"] for g in same)
        total += len(line["targets"])
        found += sum(1 for g in line["targets"] if any(_same_target(g, t) for t in targets))
    return {"target_precision": round(hits / extracted, 4) if extracted else None,
            "target_recall": round(found / total, 4) if total else None,
            "target_scope_period_right": round(strict / hits, 4) if hits else None, "targets_gold": total}


def _same_target(gold: dict, target: dict) -> bool:
    return gold["figure"] == target["figure"] and (gold["topic"] in target["topic"] or target["topic"] in gold["topic"])


def load_thresholds(path: Path) -> dict[str, float]:
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise RagError(f"cannot read thresholds {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RagError(f"{path}: {exc}") from exc
    return {k: float(v) for k, v in data.get("minimum", {}).items()}


def below_thresholds(metrics: dict, thresholds: dict[str, float]) -> list[str]:
    """Human-readable failures: a metric under its minimum, or missing."""
    out = []
    for name, minimum in thresholds.items():
        value = metrics.get(name)
        if value is None or value < minimum:
            out.append(f"{name} = {value} < {minimum}")
    return out


def write_report(report: Report, directory: Path, title: str = "Eval report") -> Path:
    """Markdown with the metrics and every failure, plus a PNG of accuracy by type and language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    m = report.metrics
    groups = _group(report.results)
    types = sorted({t for t, _ in groups})
    langs = sorted({lang for _, lang in groups})
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(1, len(langs))
    for i, lang in enumerate(langs):
        values = [(_share(groups.get((t, lang), [])) or 0.0) for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=lang)
    ax.set_xticks([x + width * (len(langs) - 1) / 2 for x in range(len(types))], types, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share passed")
    ax.set_title("Answer accuracy by question type and language")
    ax.legend()
    fig.tight_layout()
    fig.savefig(directory / "accuracy.png", dpi=110)
    plt.close(fig)

    lines = [f"# {title}", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in m.items() if not isinstance(v, dict)]
    lines += ["", "## By type and language", "", "| type/lang | accuracy |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in m["by_type_lang"].items()]
    lines += ["", "![accuracy by type and language](accuracy.png)", "", "## Failures", ""]
    lines += _listed(report.failures(), "answer")
    # passed, but the direct answer above the quotes lacks what was asked for (the strict judge)
    lines += ["", "## Passed, but not in the direct answer", ""]
    lines += _listed([r for r in report.results if r.passed and not r.strict], "short_answer")
    path = directory / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _listed(results: list[ItemResult], shown: str) -> list[str]:
    lines = []
    for r in results:
        lines.append(f"- **{r.item['id']}** ({r.item['type']}, {r.item['lang']}) {r.item['question']}")
        lines.append(f"  - expected: {r.item.get('must')}; abstained: {r.answer['abstained']}")
        lines.append(f"  - {shown}: " + (r.answer.get(shown) or "").replace("\n", " / ")[:400])
    return lines or ["None."]


def gold_chunks(gold: list[dict], root: Path, settings: Settings | None = None) -> dict:
    """(doc, clause number) → the chunks the ingest makes of that clause, for the documents a
    gold file annotates: each file chunked as ``rag ingest`` chunks it (a corpus id is
    corpus/<id>.txt; ``source`` is a path from the project root)."""
    from rag.chunking.parser import ClauseNodeParser, token_counter
    from rag.core.config import get_settings
    from rag.ingest.catalog import CorpusCatalog
    from rag.ingest.loading import load_document

    settings = settings or get_settings()
    catalog = CorpusCatalog.load(settings.corpus_dir)
    out: dict[tuple[str, str], list] = {}
    for doc_id, relative in dict.fromkeys((line["doc"], line.get("source", "")) for line in gold):
        path = Path(root) / relative if relative else settings.corpus_dir / f"{doc_id}.txt"
        if not path.is_file():
            raise RagError(f"gold file: {path} not found (the document it annotates)")
        for node in ClauseNodeParser().clause_nodes(load_document(path, catalog), token_counter()):
            key = (doc_id, node.metadata.get("clause_number") or node.metadata.get("clause_path", ""))
            out.setdefault(key, []).append(node)
    return out
