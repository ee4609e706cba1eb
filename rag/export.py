"""Tables for people to take away: Markdown, CSV a spreadsheet cannot run, and the folder the
files go in (old exports are deleted, so a long-running app does not fill the disk)."""
from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

_FORMULA = re.compile(r"^[=+\-@\t\r]")
KEEP_SECONDS = 3600  # an export stays downloadable this long


def spreadsheet_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    text = str(value)
    return "'" + text if _FORMULA.match(text) else text


def markdown_table(title: str, header: list[str], rows: list[list[str]]) -> str:
    def cell(value) -> str:
        return str(value).replace("|", "｜").replace("\n", " ")

    lines = [f"# {cell(title)}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def csv_table(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[spreadsheet_cell(c) for c in row] for row in rows])
    return buffer.getvalue()


def export_folder(root: Path | None = None, now: float | None = None) -> Path:
    """A new folder for one export's files, under one parent in the temp folder; folders older
    than KEEP_SECONDS are removed first."""
    parent = Path(root or tempfile.gettempdir()) / "rag-exports"
    parent.mkdir(parents=True, exist_ok=True)
    now = time.time() if now is None else now
    for old in parent.iterdir():
        try:
            if now - old.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:  # another request removed it first
            continue
    folder = parent / uuid.uuid4().hex
    folder.mkdir()
    return folder
