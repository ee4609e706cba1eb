"""The ``rag`` command: a thin layer that parses arguments, calls the package, prints results.

Errors a user can fix print as one line on stderr with exit status 2 (no traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from rag.core.config import PROJECT_ROOT, get_settings
from rag.core.errors import RagError
from rag.core.model import Provenance


def _cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rag.ingest.loading import discover
    from rag.pipeline.snapshot import prepare_serving_state
    from rag.pipeline.writing import ingest_paths

    settings = get_settings()
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    total = len(discover(paths))
    with tqdm(total=total, unit="doc", desc="ingest", disable=args.quiet, file=sys.stderr) as bar:
        started = time.perf_counter()

        def rate(done, name: str = "") -> None:
            per_second = done.chunks / max(time.perf_counter() - started, 1e-6)
            bar.set_postfix_str(f"{done.chunks} chunks, {per_second:.1f} chunks/s{', ' + name if name else ''}")

        def progress(name: str, done) -> None:
            rate(done, name)
            bar.update(1)

        report = ingest_paths(paths, settings, progress=progress)
        rate(report)
    for name, reason in report.skipped:
        print(f"skipped: {reason}", file=sys.stderr)
    print(report.summary())
    if warning := prepare_serving_state(settings):  # what the next serving process starts from
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _cmd_chunks(args: argparse.Namespace) -> int:
    from rag.index.store import ClauseStore
    from rag.index.versions import versions_of

    with ClauseStore(get_settings()) as store:
        nodes = store.all_chunks(args.doc)
        documents = store.documents()
    versions = versions_of(documents)
    known = ", ".join(d["doc_id"] for d in documents) if args.doc and not nodes else ""
    if args.doc and not nodes:
        raise RagError(f"no document {args.doc!r} in the index; known: {known}")
    for node in nodes:
        m = node.metadata
        if args.json:
            print(json.dumps({
                "id": node.node_id, "doc_id": m.get("doc_id"), "title": m.get("title"),
                "region": m.get("region"), "level": m.get("level"), "parent_region": m.get("parent_region", ""),
                "clause_path": m.get("clause_path"), **versions[m["doc_id"]].as_dict(),
                "clause_number": m.get("clause_number"), "kind": m.get("kind"),
                "start_char": m.get("start_char"), "end_char": m.get("end_char"),
                "article": m.get("article", 0), "part": m.get("part"), "parts": m.get("parts"),
                "tokens": m.get("tokens"), "facts": json.loads(m.get("facts") or "{}"),
                "measures": json.loads(m.get("measures") or "[]"),
                "flagged": json.loads(m.get("flagged") or "[]"),
                "targets": json.loads(m.get("targets") or "[]"),
                "text": node.text, "english": m.get("english", ""), "provenance": Provenance.of(m).as_dict(),
            }, ensure_ascii=False))
        else:
            part = f" (part {m['part']}/{m['parts']})" if m.get("parts", 1) > 1 else ""
            print(f"[{m.get('doc_id')}] {m.get('clause_path')}{part}  <{m.get('kind')}>")
            print("    " + node.text.replace("\n", "\n    "))
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from rag.pipeline.writing import remove_document

    removed = remove_document(args.doc)
    print(f"removed {args.doc}: {removed} chunks")
    return 0


def _print_answer(record: dict) -> None:
    print(record["answer"])
    if record["citations"]:
        print("\n来源 / Sources:")
        for c in record["citations"]:
            print(f"  [{c['n']}] {c['label']}（{c['region']}）")
    if record["related"]:
        print("\n相关条款（仅供参考，未作引用）/ Related clauses (not cited):")
        for c in record["related"]:
            print(f"  - {c['label']}（{c['region']}）")


def _answer_record(question: str, region: str | None, history: list | None = None) -> dict:
    from rag.pipeline.asking import answer

    return answer(question, region=region, history=history).as_dict()


def _cmd_ask(args: argparse.Namespace) -> int:
    if args.batch:
        return _ask_batch(args)
    if args.question is None:
        raise RagError("give a question, or --batch FILE.jsonl")
    record = _answer_record(args.question, args.region)
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        _print_answer(record)
    return 0


def _ask_batch(args: argparse.Namespace) -> int:
    """One JSON object a line in, one a line out; models load once. A bad line gets an
    ``error`` record and the rest go on; the exit status is 1 when any line failed."""
    from rag.core.errors import QuestionError

    source = sys.stdin if args.batch == "-" else _open_text(args.batch)
    failed = 0
    with source:
        for n, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                    raise QuestionError("each line must be a JSON object with a string `question`")
                record = _answer_record(item["question"], item.get("region") or args.region, item.get("history"))
            except json.JSONDecodeError as exc:
                failed += 1
                record = {"line": n, "error": f"not valid JSON ({exc.msg})"}
            except QuestionError as exc:
                failed += 1
                record = {"line": n, "question": item.get("question") if isinstance(item, dict) else None,
                          "error": str(exc)}
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def _open_text(path: str):
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise RagError(f"cannot read {path}: {exc.strerror}") from exc


def _cmd_eval(args: argparse.Namespace) -> int:
    from rag.apps.evaluate import load_sets

    settings = get_settings()
    items = load_sets(Path(args.set))
    if not args.docs:
        return _run_eval(args, items, settings)
    # the set's documents go into a store of their own, removed afterwards: an eval never
    # changes the user's index
    from rag.pipeline.writing import ingest_paths

    with tempfile.TemporaryDirectory(prefix="rag-eval-") as folder:
        settings = settings.with_overrides(data_dir=Path(folder), chroma_host="")
        report = ingest_paths([settings.corpus_dir, *map(Path, args.docs)], settings)
        print(f"indexed for this set (temporary store): {report.summary()}", file=sys.stderr)
        return _run_eval(args, items, settings)


def _run_eval(args: argparse.Namespace, items: list[dict], settings) -> int:
    from rag.apps.evaluate import below_thresholds, evaluate, load_thresholds, write_report
    from rag.pipeline.asking import answer
    from rag.pipeline.snapshot import make_retriever

    retriever = make_retriever(settings)
    report = evaluate(items, retriever, lambda q: answer(q, settings=settings).as_dict(),
                      progress=not args.json)
    if args.docs:  # the items about the added documents, each once
        from rag.apps.evaluate import accuracy_about
        from rag.ingest.loading import discover

        added = {path.name for path in discover([Path(p) for p in args.docs])}
        report.metrics["accuracy_added_docs"] = accuracy_about(report.results, added)
    from rag.apps.training import held_out_figures

    # beside this run's in-sample figures: how the committed models did on this set's documents
    # when fitted without them, as `rag train` measured it (recorded in the model file, by set name)
    report.metrics["leave_documents_out"] = held_out_figures(Path(args.set))
    from rag.apps.evaluate import gold_chunks, load_gold, measure_metrics, target_metrics

    for name, metrics in (("measures.jsonl", measure_metrics), ("targets.jsonl", target_metrics)):
        gold = PROJECT_ROOT / "eval" / name  # extraction against the hand-made gold files
        if gold.is_file():
            lines = load_gold(gold)
            report.metrics.update(metrics(lines, gold_chunks(lines, PROJECT_ROOT, settings)))
    if args.compare:
        from rag.apps.baselines import compare

        report.metrics["baselines"] = compare(items, settings, report.metrics, progress=not args.json)
    if args.report:
        path = write_report(report, Path(args.report), f"Eval: {Path(args.set).name}")
        print(f"report: {path}", file=sys.stderr)
    failures = below_thresholds(report.metrics, load_thresholds(Path(args.thresholds))) if args.thresholds else []
    if args.json:
        print(json.dumps(report.metrics, ensure_ascii=False))
    else:
        baselines = report.metrics.pop("baselines", None)
        _print_metrics(report)
        if baselines:
            from rag.apps.baselines import markdown_table

            print("\nBaselines (same set, same answerer, same run):\n" + markdown_table(baselines))
    for line in failures:
        print(f"below threshold: {line}", file=sys.stderr)
    return 1 if failures else 0


def _cmd_train(args: argparse.Namespace) -> int:
    from rag.apps import training

    if args.from_rows:
        from rag.reading.sentence_ranker import fitted_ranker

        figures = training.refit(training.load_rows(), fitted_ranker(), "rag train --from-rows")
    else:
        plan = training.load_plan(Path(args.plan)) if args.plan else training.load_plan()
        figures = training.train(plan, get_settings(), progress=not args.json)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for name, both in figures.items():
            for kind, m in both.items():
                print(f"{name:12} {kind:20} " + " ".join(f"{k}={v}" for k, v in m.items()))
        print(f"models: {training.RANKER_PATH}, {training.MODEL_PATH}; report: {training.REPORT_PATH}",
              file=sys.stderr)
    return 0


def _print_metrics(report) -> None:
    m = report.metrics
    for key, value in m.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"  {k:28} {v}")
        else:
            print(f"{key:30} {value}")
    for r in report.failures():
        print(f"FAIL {r.item['id']}: {r.item['question']}\n     → {r.answer['answer'][:160]!r}")


def _cmd_llm_server(args: argparse.Namespace) -> int:
    import threading

    from rag.llm.writer import LOCAL_MODEL, local_model_path, start_local_server

    settings = get_settings()
    path = local_model_path(settings)
    url = start_local_server(path, host=args.host, port=args.port, threads=args.threads,
                             parallel=args.parallel)
    name = path.name if settings.local_model_path else LOCAL_MODEL.name
    print(f"serving {name} at {url}/v1 (OpenAI-compatible); Ctrl-C stops", flush=True)
    threading.Event().wait()
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import runpy

    app = PROJECT_ROOT / "app.py"
    if not app.is_file():
        raise RagError(f"{app} is missing; run `rag serve` from a checkout of the project")
    sys.argv = [str(app)] + (["--editor"] if args.editor else [])
    runpy.run_path(str(app), run_name="__main__")
    return 0


def _cmd_eligible(args) -> int:
    from rag.features.eligibility import period_note
    from rag.pipeline.asking import eligible

    for x in eligible(args.region, args.applicant, args.field):
        if args.json:
            print(json.dumps(asdict(x), ensure_ascii=False))
        else:
            print(f"[{x.status}] {x.reason}\n    {x.text}\n    {x.label} · {period_note(x)}")
    return 0


def _cmd_compare(args) -> int:
    from rag.pipeline.asking import compare_regions

    for row in compare_regions(args.topic, args.regions):
        if args.json:
            print(json.dumps(row.as_dict(), ensure_ascii=False))
        else:
            where = row.region if row.area == row.region else f"{row.region} · {row.area}"
            print(f"{where}: {row.figure} {row.topic} {row.period} {row.note}".rstrip() + (f"\n    {row.label}" if row.label else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Cited QA over policy documents")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index documents (default: the corpus folder)")
    p.add_argument("paths", nargs="*", help="files or folders")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("chunks", help="print the indexed clause chunks")
    p.add_argument("doc", nargs="?", help="a document id (all documents when left out)")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    p.set_defaults(func=_cmd_chunks)

    p = sub.add_parser("remove", help="remove one document from the index")
    p.add_argument("doc", help="document id")
    p.set_defaults(func=_cmd_remove)

    p = sub.add_parser("ask", help="answer a question with citations")
    p.add_argument("question", nargs="?", help="the question, Chinese or English")
    p.add_argument("--region", help="only this region's documents (e.g. 甘肃省, Gansu)")
    p.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    p.add_argument("--batch", metavar="FILE.jsonl",
                   help="answer every line ({\"question\": …}) of a JSONL file ('-' = stdin); JSON out")
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser("eligible", help="the measures for an applicant in a region, each met / needs checking / not met")
    p.add_argument("--region", required=True, help="a region or city (眉山, Gansu, 绵阳)")
    p.add_argument("--applicant", required=True, help="the applicant's kind (高新技术企业, 高校, 科研人员, …)")
    p.add_argument("--field", default="", help="a field to list first (生物医药)")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    p.set_defaults(func=_cmd_eligible)

    p = sub.add_parser("compare", help="the figure each region's documents set for a topic")
    p.add_argument("topic", help="what is counted, Chinese or English (技术合同交易额, incubators)")
    p.add_argument("--regions", nargs="+", help="only these regions (names or aliases); default all")
    p.add_argument("--json", action="store_true", help="one JSON object a row")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("eval", help="measure retrieval and answers on a question-answer set")
    p.add_argument("--set", default=str(PROJECT_ROOT / "eval" / "qa.jsonl"),
                   help="the question-answer set (a JSONL file, or a folder of them)")
    p.add_argument("--thresholds", default=str(PROJECT_ROOT / "eval" / "thresholds.toml"),
                   help="minimum metrics; exit 1 below them ('' = no gate)")
    p.add_argument("--docs", nargs="+", metavar="PATH",
                   help="also index these files or folders (beside the corpus) before the set runs")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--report", metavar="DIR", help="write report.md and accuracy.png there")
    p.add_argument("--compare", action="store_true",
                   help="also run the baselines (SentenceSplitter 512, BM25 only, vector only)")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("train", help="fit the sentence ranker and the answerability model on the labelled sets "
                                     "and report them leave-documents-out")
    p.add_argument("--plan", default=None,
                   help="the labelled sets and the libraries each is asked of (default eval/training.toml)")
    p.add_argument("--from-rows", action="store_true",
                   help="refit from the committed rows (eval/answerability-rows.jsonl) without asking")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("llm-server", help="serve the local GGUF model as an OpenAI-compatible server "
                                          "(needs the [llm] extra)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--parallel", type=int, default=1, help="requests decoded at once")
    p.set_defaults(func=_cmd_llm_server)

    p = sub.add_parser("serve", help="start the reader web app (app.py) on RAG_SERVER_HOST:GRADIO_SERVER_PORT")
    p.add_argument("--editor", action="store_true", help="the editor app instead (upload, remove), behind "
                   "RAG_EDITORS logins, on RAG_EDITOR_HOST:RAG_EDITOR_PORT (default 127.0.0.1:7861)")
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `rag chunks | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
