"""English accuracy with and without the glossary's general domain terms ([terms]).

Runs `rag eval` on a question set twice against the same index: once with corpus/ as it is,
once with a copy of corpus/ whose glossary keeps only the official names ([departments]), so
English reaches the documents through CC-CEDICT alone. Prints both metric lines.

    .venv/bin/python bench/english_bridge.py --set ../shared/eval-blind/questions.jsonl
(run `rag ingest corpus ../shared/extra-docs` first for the blind set; RAG_DATA_DIR is honoured)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(question_set: str, corpus: Path) -> dict:
    env = dict(os.environ, RAG_CORPUS_DIR=str(corpus))
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "rag"), "eval", "--set", question_set, "--thresholds", "",
                          "--json"], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default=str(ROOT / "eval" / "qa.jsonl"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        names_only = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "corpus", names_only)
        glossary = names_only / "glossary.toml"
        text = glossary.read_text(encoding="utf-8")
        glossary.write_text(re.split(r"(?m)^\[terms\]", text)[0], encoding="utf-8")
        for label, corpus in (("dictionary + names + domain terms", ROOT / "corpus"),
                              ("dictionary + official names only", names_only)):
            m = run(args.set, corpus)
            print(f"{label:36} accuracy {m['accuracy']}  en {m.get('accuracy_en')}  zh {m.get('accuracy_zh')}  "
                  f"strict {m.get('strict_accuracy')}  abstention P/R {m['abstention_precision']}/"
                  f"{m['abstention_recall']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
