"""Tables for people to take away: Markdown, CSV a spreadsheet cannot run, a printable page, and the folder the
files go in (old exports are deleted, so a long-running app does not fill the disk)."""
from __future__ import annotations

import csv
import html
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


_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #888; padding: 4px 6px; vertical-align: top; text-align: left; }}
th {{ background: #eee; }}
@media print {{ body {{ margin: 0; font-size: 10pt; }} tr {{ break-inside: avoid; }} }}
</style></head>
<body><h1>{title}</h1>
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table></body></html>
"""


def printable_page(title: str, header: list[str], rows: list[list]) -> str:
    """A self-contained HTML page of the table for printing: every cell escaped, no script,
    no link or image from the documents."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return _PAGE.format(title=html.escape(title), head=head, body=body)
