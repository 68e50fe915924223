"""The README's trust-matrix table cannot lie: every test a row names exists, and every matrix
test in tests/trust (`test_<case>_...`) has its row."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASE_TEST = re.compile(r"test_([A-J]\d\d)_\w+")
IN_PROGRESS = re.compile(r"see (section [HI]|E59) \(in progress\)")


def table_rows() -> dict[str, list[str]]:
    """Case id -> the cells of its row, from the README's "Trust matrix" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Trust matrix\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and re.fullmatch(r"[A-J]\d\d", cells[0]):
            assert cells[0] not in rows, f"{cells[0]} has two rows"
            rows[cells[0]] = cells
    return rows


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def trust_tests() -> dict[str, Path]:
    return {name: path for path in sorted((ROOT / "tests" / "trust").glob("test_*.py")) for name in defined_tests(path)}


def test_the_table_has_every_case_once():
    rows = table_rows()
    numbers = sorted(int(case[1:]) for case in rows)
    assert numbers == list(range(1, 95))
    for case, cells in rows.items():
        assert len(cells) == 4, (case, cells)


def test_every_test_the_table_names_exists():
    existing = trust_tests()
    for case, (_, _, outcome, test) in table_rows().items():
        if test.startswith("not covered:") or IN_PROGRESS.fullmatch(test):
            assert outcome, case  # a row without a test still says why
            continue
        named = re.findall(r"`([^`]+)`", test)
        assert named, f"{case}: the test column names no test: {test!r}"
        for name in named:
            if "::" in name:  # covered by a test elsewhere in tests/
                path, function = name.split("::")
                assert function in defined_tests(ROOT / path), f"{case}: {name} does not exist"
            else:
                assert name in existing, f"{case}: {name} is not a test in tests/trust"
                assert name.startswith(f"test_{case}_"), f"{case}: {name} is named after another case"


def test_every_matrix_test_is_in_the_table():
    rows = table_rows()
    for name, path in trust_tests().items():
        found = CASE_TEST.fullmatch(name)
        if not found:
            continue
        case = found.group(1)
        assert case in rows and f"`{name}`" in rows[case][3], f"{path.name}::{name} is missing from the README table"
