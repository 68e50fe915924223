"""The loader under libFuzzer (atheris), run by `test_J94_fuzz_loader` as its own process:

    python tests/trust/fuzz_loader.py CORPUS_DIR -max_total_time=30 -timeout=10 -rss_limit_mb=3072

Each input is read as every table's file through the public entry point
(`metrics.validation.read_table`), which reports findings and must never raise: any exception is a
crash (libFuzzer writes the input to crash-*), an input that takes over `-timeout` seconds a hang,
and one that takes over `-rss_limit_mb` a memory blow-up."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["metrics"]):
    from metrics import contract
    from metrics.validation import ReadOptions, read_table

TABLES = contract.TABLE_ORDER
OPTIONS = (ReadOptions(), ReadOptions(decimal=","), ReadOptions(date_order="dmy"))


def one_input(data: bytes) -> None:
    if not data:
        return
    # The first byte picks the table and the options, the rest is the file.
    table = TABLES[data[0] % len(TABLES)]
    options = OPTIONS[(data[0] // len(TABLES)) % len(OPTIONS)]
    frame, findings, info = read_table(table, f"{table}.csv", data[1:], options)
    assert info is not None
    for finding in findings:
        assert finding.severity in ("error", "warning") and finding.problem and finding.fix, finding


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
