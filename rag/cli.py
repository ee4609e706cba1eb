"""The ``rag`` command: a thin layer that parses arguments, calls the package, prints results.

Errors a user can fix print as one line on stderr with exit status 2 (no traceback).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.config import get_settings
from rag.errors import RagError


def _cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rag.ingest import discover
    from rag.pipeline import ingest_paths

    settings = get_settings()
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    total = len(discover(paths))
    with tqdm(total=total, unit="doc", desc="ingest", disable=args.quiet, file=sys.stderr) as bar:
        def progress(name: str) -> None:
            bar.set_postfix_str(name)
            bar.update(1)

        report = ingest_paths(paths, settings, progress=progress)
    for name, reason in report.skipped:
        print(f"skipped: {reason}", file=sys.stderr)
    print(report.summary())
    return 0


def _cmd_chunks(args: argparse.Namespace) -> int:
    from rag.index import ClauseStore

    store = ClauseStore(get_settings())
    nodes = store.all_chunks(args.doc)
    if args.doc and not nodes:
        known = ", ".join(d["doc_id"] for d in store.documents())
        raise RagError(f"no document {args.doc!r} in the index; known: {known}")
    for node in nodes:
        m = node.metadata
        if args.json:
            print(json.dumps({
                "id": node.node_id, "doc_id": m.get("doc_id"), "title": m.get("title"),
                "region": m.get("region"), "clause_path": m.get("clause_path"),
                "clause_number": m.get("clause_number"), "kind": m.get("kind"),
                "start_char": m.get("start_char"), "end_char": m.get("end_char"),
                "part": m.get("part"), "parts": m.get("parts"), "tokens": m.get("tokens"),
                "text": node.text,
            }, ensure_ascii=False))
        else:
            part = f" (part {m['part']}/{m['parts']})" if m.get("parts", 1) > 1 else ""
            print(f"[{m.get('doc_id')}] {m.get('clause_path')}{part}  <{m.get('kind')}>")
            print("    " + node.text.replace("\n", "\n    "))
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from rag.index import ClauseStore
    from rag.pipeline import writer_lock

    settings = get_settings()
    with writer_lock(settings):
        removed = ClauseStore(settings).remove_document(args.doc)
    if not removed:
        raise RagError(f"no document {args.doc!r} in the index")
    print(f"removed {args.doc}: {removed} chunks")
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
