"""Command line: ``python -m metrics check|load|sample``.

Exit codes: 0 success; 1 the data has errors (or the database refused); 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from metrics import db
from metrics.validation import ReadOptions, validate_folder


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: short message, exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _add_read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--date-order", choices=["auto", "dmy", "mdy"], default="auto",
                   help="order of day and month in dates like 03/04/2026 (default: auto, inferred per "
                        "column from unambiguous values; ambiguous columns are reported)")
    p.add_argument("--decimal", choices=["auto", ".", ","], default="auto",
                   help="decimal separator in amounts (default: auto = ',' in semicolon files, '.' otherwise)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m metrics", description="Bridgeboard data tools: check, load and generate data.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="validate a folder of CSV files and print the findings",
                           description="Validate a folder of CSV exports against the data contract. "
                                       "Exit 0 when there are no errors, 1 when there are.")
    check.add_argument("folder", type=Path)
    check.add_argument("--format", choices=["text", "json"], default="text")
    _add_read_options(check)

    load = sub.add_parser("load", help="validate a folder, then import it into a database (all or nothing)",
                          description="Validate, then import every table in one transaction. Refuses and "
                                      "changes nothing when there is any error.")
    load.add_argument("folder", type=Path)
    load.add_argument("--db", required=True, metavar="URL",
                      help="SQLAlchemy URL, e.g. duckdb:///bridgeboard.duckdb or postgresql+psycopg://host/db")
    _add_read_options(load)

    sample = sub.add_parser("sample", help="write the seeded sample data set",
                            description="Write the seven sample tables for a fictional company.")
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--seed", type=int, default=None)
    sample.add_argument("--spend-rows", type=int, default=None)
    return parser


def _options(args) -> ReadOptions:
    return ReadOptions(date_order=args.date_order, decimal=args.decimal)


def _print_findings(report, fmt: str, out) -> None:
    if fmt == "json":
        payload = {
            "ok": report.ok,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "files": {n: {"table": i.table, "rows": i.rows, "encoding": i.encoding, "delimiter": i.delimiter,
                          "sha256": i.sha256} for n, i in report.files.items()},
            "findings": [f.as_dict() for f in report.findings],
        }
        json.dump(payload, out, indent=2, default=str)
        out.write("\n")
        return
    for f in report.findings:
        out.write(f"{f}\n")
    out.write(f"{report.summary()}\n")


def cmd_check(args, out) -> int:
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder. Give the folder that holds spend.csv, budget.csv ...",
              file=sys.stderr)
        return 2
    report = validate_folder(args.folder, _options(args))
    _print_findings(report, args.format, out)
    return 0 if report.ok else 1


def cmd_load(args, out) -> int:
    from metrics.sources import load_folder

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    try:
        engine = db.make_engine(args.db)
    except Exception as exc:  # malformed URL, unknown dialect
        print(f"error: cannot use database URL {db.redact_url(args.db)}: {type(exc).__name__}", file=sys.stderr)
        return 2
    try:
        outcome = load_folder(args.folder, engine, _options(args), source=str(args.folder),
                              progress=lambda name, i, n: print(f"  [{i}/{n}] {name}", file=sys.stderr))
    except Exception as exc:
        # The transaction was rolled back; say so without leaking parameters or passwords.
        print(f"error: import into {db.redact_url(args.db)} failed and was rolled back; nothing changed. "
              f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    report = outcome.report
    if not report.ok:
        _print_findings(report, "text", out)
        out.write("Import refused: fix the errors above; the database was not changed.\n")
        return 1
    counts = ", ".join(f"{n} {c:,}" for n, c in outcome.imported.row_counts.items())
    out.write(f"{report.summary()}\nImported batch {outcome.imported.batch_id} into {db.redact_url(args.db)}: {counts}\n")
    return 0


def cmd_sample(args, out) -> int:
    from metrics import sample

    seed = sample.DEFAULT_SEED if args.seed is None else args.seed
    rows = sample.DEFAULT_SPEND_ROWS if args.spend_rows is None else args.spend_rows
    if rows < 1:
        print("error: --spend-rows must be at least 1", file=sys.stderr)
        return 2
    counts = sample.write_sample(args.out, seed=seed, spend_rows=rows)
    out.write(f"Wrote sample data (seed {seed}) to {args.out}: "
              + ", ".join(f"{n} {c:,}" for n, c in counts.items()) + "\n")
    return 0


COMMANDS = {"check": cmd_check, "load": cmd_load, "sample": cmd_sample}


def main(argv: Sequence[str] | None = None, out=None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args, out or sys.stdout)
