"""Exports people take away: no cell a spreadsheet could run, old export folders removed."""
from __future__ import annotations

from rag.features.eligibility import to_csv


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    from rag.features.eligibility import Verdict

    row = Verdict("met", "=HYPERLINK(\"http://x\")", "funding", "+1", "-2", "@3", "", "", "", "", "", False)
    line = to_csv([row]).splitlines()[1]
    assert "'=HYPERLINK" in line and "'+1" in line and "'-2" in line and "'@3" in line


def test_compare_exports_escape_formulas_and_old_export_folders_are_removed(tmp_path):
    import os
    import time

    from rag.features.compare import Row, to_csv, to_html, to_markdown
    from rag.features.export import KEEP_SECONDS, export_folder

    row = Row("=cmd|' /C calc'!A0", "某地", "@SUM(1)", "+100家", "-2020", "", "《某方案》一、")
    csv_line = to_csv([row]).splitlines()[1]
    assert csv_line.startswith("'=cmd") and "'@SUM(1)" in csv_line and "'+100家" in csv_line and "'-2020" in csv_line
    assert "｜" in to_markdown("主题", [row]).splitlines()[-1]  # a | in a cell does not split the table
    page = to_html("<主题>", [Row("某地", "某地", "<img src=x onerror=alert(1)>", "100家", "", "", "《某方案》")])
    assert "<img" not in page and "&lt;img" in page and "<script" not in page and "@media print" in page

    old = export_folder(tmp_path)
    (old / "comparison.csv").write_text("x", encoding="utf-8")
    past = time.time() - KEEP_SECONDS - 10
    os.utime(old, (past, past))
    recent = export_folder(tmp_path)
    assert not old.exists() and recent.is_dir()
    assert export_folder(tmp_path).parent == recent.parent and recent.exists()
