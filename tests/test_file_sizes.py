"""No module in portal/ is over ~500 lines without a reason written at its top.

A long module says why in its first ten lines ("Long because: ..." in its docstring), so the
next engineer knows whether it is a room still to be split or one story that belongs together.
"""

from __future__ import annotations

from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
MAX_LINES = 500
REASON = "Long because:"


def long_modules_without_reason(root: Path) -> list[str]:
    """Each .py file under `root` over MAX_LINES lines with no REASON in its first ten lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES and not any(REASON in line for line in lines[:10]):
            found.append(f"{path.relative_to(root.parent)}: {len(lines)} lines")
    return found


def test_every_long_module_in_portal_says_why():
    assert long_modules_without_reason(PORTAL) == [], (
        f"split these along a seam, or write '{REASON} ...' in the first ten lines")


def test_the_check_finds_a_long_module_and_accepts_its_reason(tmp_path):
    root = tmp_path / "portal"
    root.mkdir()
    body = "x = 1\n" * (MAX_LINES + 1)
    (root / "short.py").write_text("x = 1\n" * MAX_LINES)
    (root / "long.py").write_text(body)
    (root / "explained.py").write_text(f'"""A module.\n\n{REASON} one story."""\n' + body)
    (root / "late_reason.py").write_text(body + f"# {REASON} too late\n")
    assert long_modules_without_reason(root) == [f"portal/late_reason.py: {MAX_LINES + 2} lines",
                                                 f"portal/long.py: {MAX_LINES + 1} lines"]
