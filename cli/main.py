"""Command line: ``python -m metrics check|load|sample|summary|boardpack|import``.

It sits above the core, the charts and the board pack: it parses arguments, resolves the data
source with the app's resolver (`metrics.settings.configured_settings`, which reads
`.streamlit/secrets.toml` as the app does) and prints. Exit codes: 0 success; 1 the data has errors
(or the database refused); 2 usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import sqlalchemy as sa

from metrics import db, summaries
from metrics.exports import inert
from metrics.migrations import MigrationError
from metrics.validation import ReadOptions, validate_folder


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # usage errors: short message, exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _add_read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--date-order",
        choices=["auto", "dmy", "mdy"],
        default="auto",
        help="order of day and month in dates like 03/04/2026 (default: auto, inferred per "
        "column from unambiguous values; ambiguous columns are reported)",
    )
    p.add_argument(
        "--decimal",
        choices=["auto", ".", ","],
        default="auto",
        help="decimal separator in amounts (default: auto = decided by the values of each column; "
        "where none decides, ',' in semicolon files and '.' otherwise)",
    )
    p.add_argument(
        "--mapping",
        type=Path,
        default=None,
        metavar="FILE",
        help="TOML mapping of the files' columns and values to the tables' ([tables.<name>] sections; "
        "see the README, 'Mapping your own exports'); its separators and dates override --decimal and --date-order",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m metrics", description="Bridgeboard data tools: check, load and generate data.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="validate a folder of CSV files and print the findings",
        description="Validate a folder of CSV exports against the data contract. "
        "Exit 0 when there are no errors, 1 when there are.",
    )
    check.add_argument("folder", type=Path)
    check.add_argument("--format", choices=["text", "json"], default="text")
    _add_read_options(check)

    load = sub.add_parser(
        "load",
        help="validate a folder, then import it into a database (all or nothing)",
        description="Validate, then import the tables the folder holds (any of the eight) in one "
        "transaction; the database's other tables are kept, and cross-table checks use them. "
        "Refuses and changes nothing when there is any error.",
    )
    load.add_argument("folder", type=Path)
    load.add_argument(
        "--db",
        required=True,
        metavar="URL",
        help="SQLAlchemy URL, e.g. duckdb:///bridgeboard.duckdb or postgresql+psycopg://host/db",
    )
    _add_read_options(load)

    sub.add_parser(
        "preflight",
        help="say whether the app may start with this configuration (scripts/run.sh runs it first)",
        description="Exit 2 with the reason when the configuration forbids starting the app: a setting is "
        "wrong, or sign-in is required (BRIDGEBOARD_REQUIRE_SIGN_IN) and [auth] is not configured.",
    )

    sample = sub.add_parser(
        "sample",
        help="write the seeded sample data set",
        description="Write the sample tables for a fictional company.",
    )
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--seed", type=int, default=None)
    sample.add_argument("--spend-rows", type=int, default=None)

    summary = sub.add_parser(
        "summary",
        help="print the headline figures of a quarter",
        description="The Overview page's five headline figures and the quarter's story, "
        "computed by the same functions as the pages.",
    )
    _add_source_options(summary)
    summary.add_argument("--format", choices=["text", "json"], default="text")

    pack = sub.add_parser(
        "boardpack",
        help="write the board pack of a quarter (PowerPoint or PDF)",
        description="The headline figures and key charts of a quarter as a PowerPoint deck "
        "with native charts, or as a PDF.",
    )
    _add_source_options(pack)
    pack.add_argument(
        "--format", choices=["pptx", "pdf"], default=None, help="default: from the --out file's extension"
    )
    pack.add_argument("--out", type=Path, required=True, metavar="FILE")
    pack.add_argument(
        "--mask-vendors",
        action="store_true",
        help='replace vendor names by "Vendor A", "Vendor B"... everywhere in the pack',
    )
    pack.add_argument(
        "--company", default=None, help="company named on the title slide (default: $BRIDGEBOARD_COMPANY)"
    )

    importer = sub.add_parser(
        "import",
        help="import another system's export into one table",
        description="Map an export from another system to a Bridgeboard table and import it "
        "(replaces that table only).",
    )
    kinds = importer.add_subparsers(dest="kind", required=True, parser_class=_Parser)
    jira = kinds.add_parser(
        "jira",
        help="a Jira issue export (native Cloud/Server CSV, or the agile-project-dataset) into requests",
        description="Map a Jira issue export to the requests table and import it (replaces the requests "
        "table only, in one transaction). The shape is detected from the header. See docs/jira-mapping.md.",
    )
    jira.add_argument("path", type=Path)
    _add_import_target(jira)
    jira.add_argument(
        "--date-style",
        choices=["auto", "12h", "24h", "iso"],
        default=None,
        help="12h: 12/Mar/24 9:41 AM (Cloud); 24h: 12/Mar/24 09:41 (Server); iso: 2024-03-12 09:41 "
        "(default: [jira] date_style, else detected from Created)",
    )
    jira.add_argument(
        "--team-from",
        default=None,
        metavar="SOURCE",
        help="requested_by from: component (default), label:PREFIX (e.g. label:team:), reporter "
        "(through [jira.team_map]) or field:COLUMN",
    )
    focus = kinds.add_parser(
        "focus",
        help="FOCUS 1.x cloud billing (CSV or Parquet) into spend, aggregated per month",
        description="Aggregate FOCUS billing lines to month x sub-account x vendor x service x department "
        "and write them as spend lines whose total equals the file's cost to the cent. Replaces only "
        "earlier FOCUS lines (invoice_id FOCUS-...) of the file's billing months; other spend is kept.",
    )
    focus.add_argument("path", type=Path)
    _add_import_target(focus)
    focus.add_argument(
        "--department",
        default=None,
        metavar="NAME",
        help="department (Marketing, IT or Joint) of lines the mapping does not name",
    )
    focus.add_argument("--cost", choices=["BilledCost", "EffectiveCost"], default=None, help="default: BilledCost")
    database = sub.add_parser(
        "db",
        help="show or change the revision of the database's tables (Alembic migrations)",
        description="The app's tables are migrated with Alembic; the app and every command run `upgrade` "
        "on their own. Stop the app before a downgrade: it upgrades again when it next checks the database.",
    )
    actions = database.add_subparsers(dest="action", required=True, parser_class=_Parser)
    current = actions.add_parser("current", help="print the database's revision and the latest one")
    upgrade = actions.add_parser("upgrade", help="bring the tables to a revision (default: the latest)")
    upgrade.add_argument("revision", nargs="?", default="head", help="a revision id or head (default)")
    downgrade = actions.add_parser("downgrade", help="take the tables back to an earlier revision")
    downgrade.add_argument("revision", help="a revision id, -1 for one step back, or base (drops every table)")
    downgrade.add_argument(
        "--yes",
        action="store_true",
        help="confirm the downgrade: it removes what later revisions added, with its data (base: every table)",
    )
    for p in (current, upgrade, downgrade):
        p.add_argument(
            "--db",
            default=None,
            metavar="URL",
            help="SQLAlchemy URL (default: BRIDGEBOARD_DATABASE_URL, else the embedded database file)",
        )
    return parser


def _add_import_target(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="SQLAlchemy URL, e.g. duckdb:///bridgeboard.duckdb (default: the configured database)",
    )
    p.add_argument("--mapping", type=Path, default=None, metavar="FILE", help="a TOML mapping file ([jira], [focus])")
    p.add_argument("--check", action="store_true", help="read and report only; write nothing")


def _add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--quarter",
        default=None,
        metavar="QUARTER",
        help='fiscal quarter such as "FY2026 Q3" (default: the latest quarter with spend, KPI '
        "observations or requests)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="DIR",
        help="a folder of CSV files, validated and loaded into a temporary database",
    )
    where.add_argument("--db", default=None, metavar="URL", help="a SQLAlchemy database URL")
    p.epilog = (
        "Without --data or --db, the configured source (BRIDGEBOARD_DATABASE_URL, else the CSV folder "
        "BRIDGEBOARD_DATA_DIR loaded into the embedded database), as the app uses."
    )


def _reporting_currency() -> str:
    from metrics.settings import SettingsError, configured_settings

    try:
        return configured_settings().reporting_currency
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _options(args) -> ReadOptions:
    """How files are read: the command's options, with the configured reporting currency and fiscal
    start (which the checks of foreign-currency lines need)."""
    from metrics.settings import SettingsError, configured_settings

    try:
        settings = configured_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return ReadOptions(
        date_order=args.date_order,
        decimal=args.decimal,
        reporting_currency=settings.reporting_currency,
        fiscal_start_month=settings.fiscal_start_month,
    )


def _mapping(args):
    """The --mapping file, or None; a bad file is a usage error with its key and fix."""
    from metrics.mapping import MappingError, load_mapping

    if getattr(args, "mapping", None) is None:
        return None
    try:
        return load_mapping(args.mapping)
    except MappingError as e:
        print(f"error: mapping {e}", file=sys.stderr)
        raise SystemExit(2) from None


def _print_findings(report, fmt: str, out) -> None:
    if fmt == "json":
        payload = {
            "ok": report.ok,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "files": {
                n: {
                    "table": i.table,
                    "rows": i.rows,
                    "encoding": i.encoding,
                    "delimiter": i.delimiter,
                    "sha256": i.sha256,
                }
                for n, i in report.files.items()
            },
            "findings": [f.as_dict() for f in report.findings],
        }
        json.dump(payload, out, indent=2, default=str)
        out.write("\n")
        return
    for f in report.findings:
        out.write(inert(str(f), limit=None, formulas=False) + "\n")  # a name must not drive the terminal
    out.write(f"{report.summary()}\n")


def cmd_check(args, out) -> int:
    if not args.folder.is_dir():
        print(
            f"error: {args.folder} is not a folder. Give the folder that holds spend.csv, budget.csv ...",
            file=sys.stderr,
        )
        return 2
    report = validate_folder(args.folder, _options(args), mapping=_mapping(args))
    _print_findings(report, args.format, out)
    return 0 if report.ok else 1


def cmd_load(args, out) -> int:
    from metrics.sources import load_folder

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    mapping = _mapping(args)
    from metrics.settings import SettingsError, configured_settings

    try:  # budgets and targets are recorded with the fiscal calendar they are imported under
        fiscal_start = configured_settings().fiscal_start_month
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        engine = db.make_engine(args.db)
    except Exception as exc:  # malformed URL, unknown dialect
        print(f"error: cannot use database URL {db.redact_url(args.db)}: {type(exc).__name__}", file=sys.stderr)
        return 2
    try:
        outcome = load_folder(
            args.folder,
            engine,
            _options(args),
            source=str(args.folder),
            progress=lambda name, i, n: print(f"  [{i}/{n}] {name}", file=sys.stderr),
            mapping=mapping,
            fiscal_start_month=fiscal_start,
        )
    except db.ImportBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        # The transaction was rolled back; say so without leaking parameters or passwords.
        print(
            f"error: import into {db.redact_url(args.db)} failed and was rolled back; nothing changed. "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    report = outcome.report
    assert report is not None  # load_folder always validates the folder
    if not report.ok:
        _print_findings(report, "text", out)
        out.write("Import refused: fix the errors above; the database was not changed.\n")
        return 1
    imported = outcome.imported
    assert imported is not None  # load_folder imports every folder without errors
    counts = ", ".join(f"{n} {c:,}" for n, c in imported.row_counts.items())
    out.write(f"{report.summary()}\nImported batch {imported.batch_id} into {db.redact_url(args.db)}: {counts}\n")
    return 0


def cmd_sample(args, out) -> int:
    from metrics import sample

    seed = sample.DEFAULT_SEED if args.seed is None else args.seed
    rows = sample.DEFAULT_SPEND_ROWS if args.spend_rows is None else args.spend_rows
    if rows < 1:
        print("error: --spend-rows must be at least 1", file=sys.stderr)
        return 2
    counts = sample.write_sample(args.out, seed=seed, spend_rows=rows)
    out.write(
        f"Wrote sample data (seed {seed}) to {args.out}: " + ", ".join(f"{n} {c:,}" for n, c in counts.items()) + "\n"
    )
    return 0


class _UsageError(Exception):
    """Bad arguments: the message is printed and the exit code is 2."""


class _DataError(Exception):
    """The data cannot be used (errors in the files, database down): exit code 1."""


@contextmanager
def _source(args) -> Iterator[tuple]:
    """(engine, source label, settings) of --data, --db or the configured source."""
    from metrics import sources
    from metrics.settings import SettingsError, configured_settings

    try:
        settings = configured_settings()
    except SettingsError as exc:
        raise _UsageError(str(exc)) from None
    if args.data is not None:
        settings = dataclasses.replace(settings, data_dir=args.data, database_url=None)
        if not args.data.is_dir():
            raise _UsageError(f"{args.data} is not a folder. Give the folder that holds spend.csv, budget.csv ...")
        with tempfile.TemporaryDirectory(prefix="bridgeboard-") as tmp:
            engine = db.make_engine(f"duckdb:///{Path(tmp) / 'data.duckdb'}")
            try:
                outcome = sources.load_folder(
                    args.data,
                    engine,
                    sources.read_options(settings),
                    source=str(args.data),
                    fiscal_start_month=settings.fiscal_start_month,
                )
                assert outcome.report is not None  # load_folder always validates the folder
                if not outcome.report.ok:
                    raise _DataError(
                        f"{args.data} has {len(outcome.errors)} errors; see `python -m metrics check "
                        f"{args.data}`. Nothing was summarised."
                    )
                yield engine, f"CSV folder {args.data}", settings
            finally:
                engine.dispose()
        return
    if args.db:
        settings = dataclasses.replace(settings, database_url=args.db)
    url = settings.database_url
    embedded = url is None
    if url is None:
        if not settings.data_dir.is_dir():
            raise _DataError(f"the CSV folder {settings.data_dir} does not exist (set BRIDGEBOARD_DATA_DIR)")
        try:
            sources.ensure_embedded(settings)
        except sa.exc.SQLAlchemyError as exc:  # DuckDB lets one process at a time open its file
            raise _DataError(
                f"the embedded database {settings.embedded_db} could not be opened "
                f"({type(_driver_error(exc)).__name__}); if the app is running, it holds the file: use "
                "--data DIR or --db URL instead"
            ) from None
        url = sources.embedded_url(settings)
    try:
        engine = db.make_engine(url)
    except Exception as exc:  # malformed URL, unknown dialect
        raise _UsageError(f"cannot use database URL {db.redact_url(url)}: {type(exc).__name__}") from None
    try:
        try:
            sources.check_connection(engine)
        except Exception as exc:
            raise _DataError(f"the database {db.redact_url(url)} is unavailable ({type(exc).__name__})") from None
        # A new database is a first run, as in the app: its empty tables give "no data". Without
        # the right to create tables (or on a database a newer Bridgeboard migrated), the queries
        # say what is missing.
        with contextlib.suppress(sa.exc.SQLAlchemyError, MigrationError):
            db.ensure_schema(engine)
        with contextlib.suppress(sa.exc.SQLAlchemyError):  # a ledger another tool changed is summarised again
            summaries.check_all_fresh(engine)
        if embedded and db.latest_batch(engine) is None and sources.has_table_files(settings.data_dir):
            raise _DataError(
                f"the CSV files in {settings.data_dir} have errors, so nothing is loaded; see "
                f"`python -m metrics check {settings.data_dir}`"
            )
        mismatch = db.settings_mismatch(engine, settings.fiscal_start_month, settings.reporting_currency)
        if mismatch:
            raise _DataError(mismatch)
        yield engine, (f"Database {db.redact_url(url)}" if args.db else sources.source_label(settings)), settings
    finally:
        engine.dispose()


def _driver_error(exc: sa.exc.SQLAlchemyError) -> BaseException:
    """The driver's own exception behind a SQLAlchemy error when there is one, else the error."""
    orig = exc.orig if isinstance(exc, sa.exc.StatementError) else None
    return orig or exc


def _parse_quarter(wanted: str | None):
    from metrics.fiscal import parse_quarter

    if wanted is None:
        return None
    try:
        return parse_quarter(wanted)
    except ValueError:
        raise _UsageError(f'--quarter {wanted!r} is not a fiscal quarter; write it like "FY2026 Q3"') from None


def _quarter(engine, calendar, wanted):
    """`wanted` if it has data, else a usage error; without one, the latest quarter with data
    (spend, KPI observations or requests). A database with no dated data at all is not an error:
    the quarter asked for, or today's, is summarised as "no data"."""
    from datetime import date

    from metrics import inventory

    try:
        known = inventory.quarters_with_data(engine, calendar)
    except sa.exc.SQLAlchemyError:
        raise _DataError("the database has no Bridgeboard data; load some with `python -m metrics load`") from None
    if not known:
        return wanted or calendar.quarter_of(date.today())
    if wanted is None:
        return known[-1]
    if wanted not in known:
        raise _UsageError(
            f"{wanted.label} has no data; quarters with data run from {known[0].label} to {known[-1].label}"
        )
    return wanted


def _run_with_source(args, out, body) -> int:
    """Open the source, resolve the quarter, run `body(engine, calendar, quarter, label, settings)`;
    usage errors exit 2 and data errors 1, each with one clear line and no traceback."""
    from metrics.fiscal import FiscalCalendar

    try:
        wanted = _parse_quarter(args.quarter)
        with _source(args) as (engine, label, settings):
            calendar = FiscalCalendar(settings.fiscal_start_month)
            return body(engine, calendar, _quarter(engine, calendar, wanted), label, settings)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except _DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as exc:  # e.g. the database went away mid-way; no traceback, no password
        print(f"error: the database failed while reading ({type(exc).__name__}); nothing was written", file=sys.stderr)
        return 1


def cmd_summary(args, out) -> int:
    from metrics import review
    from metrics.headline import load_headline
    from metrics.summary import RESTATED_KEY, data_as_of, summary_figures, summary_text

    def body(engine, calendar, quarter, _label, settings) -> int:
        headline = load_headline(engine, calendar, quarter, currency=settings.money_symbol)
        as_of = data_as_of(engine)
        figures = summary_figures(headline, as_of, settings.reporting_currency)
        restated = review.load_restated(
            engine, calendar, quarter, figures, reporting_currency=settings.reporting_currency
        )
        if args.format == "json":
            figures[RESTATED_KEY] = restated.as_json() if restated else None
            json.dump(figures, out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            out.write(summary_text(headline, as_of, calendar))
            for line in restated.sentences(settings.money_symbol) if restated else ():
                out.write(inert(line, limit=None, formulas=False) + "\n")
        return 0

    return _run_with_source(args, out, body)


def cmd_boardpack(args, out) -> int:
    from boardpack import FORMATS, build_pack

    fmt = args.format or args.out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print(
            f"error: say --format pptx or --format pdf (cannot tell from the file name {args.out.name!r})",
            file=sys.stderr,
        )
        return 2
    if not args.out.parent.is_dir():
        print(f"error: the folder {args.out.parent} does not exist", file=sys.stderr)
        return 2

    def body(engine, calendar, quarter, label, settings) -> int:
        started = time.perf_counter()
        pack = build_pack(
            engine,
            calendar,
            quarter,
            fmt,
            source=label,
            company=args.company or settings.board_company,
            mask_vendors=args.mask_vendors,
            reporting_currency=settings.reporting_currency,
        )
        args.out.write_bytes(pack.data)
        if pack.charts_note:
            print(f"warning: {pack.charts_note}; the PDF was built without them.", file=sys.stderr)
        out.write(
            f"Wrote the {quarter.label} board pack ({FORMATS[fmt]}{', vendors masked' if args.mask_vendors else ''}, "
            f"{len(pack.data) / 1024:,.0f} KB) to {args.out} in {time.perf_counter() - started:.1f} s\n"
        )
        return 0

    return _run_with_source(args, out, body)


def cmd_import(args, out) -> int:
    from metrics.importers import focus, jira
    from metrics.importers.common import ImportRefused

    if not args.path.is_file():
        print(f"error: {args.path} is not a file", file=sys.stderr)
        return 2
    if args.mapping is not None and not args.mapping.is_file():
        print(f"error: the mapping file {args.mapping} does not exist", file=sys.stderr)
        return 2
    url = args.db
    if url is None and not args.check:
        from metrics.settings import SettingsError, configured_settings

        try:
            url = configured_settings().database_url
        except SettingsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if url is None:
            print(
                "error: no database to import into: give --db URL (or set BRIDGEBOARD_DATABASE_URL), or --check",
                file=sys.stderr,
            )
            return 2
    data = args.path.read_bytes()
    try:
        if args.kind == "jira":
            options = jira.options_from_mapping(args.mapping, date_style=args.date_style, team_from=args.team_from)
            mapped = jira.read_jira(data, args.path.name, options)
            report = mapped.report()
            out.write(mapped.summary() + "\n")
            write = lambda engine, fp: jira.import_requests(engine, mapped, fp)  # noqa: E731
        else:
            fopts = focus.options_from_mapping(args.mapping, cost=args.cost, department=args.department)
            fmapped = focus.read_focus(data, args.path.name, fopts)
            report = fmapped.report()
            reporting = _reporting_currency()
            write = lambda engine, fp: focus.import_spend(engine, fmapped, fp, reporting)  # noqa: E731
    except ImportRefused as exc:
        for f in exc.findings:
            print(f"{f}", file=sys.stderr)
        print(f"error: {args.path} was not imported; nothing was written.", file=sys.stderr)
        return 1
    for line in report.lines():
        out.write(line + "\n")
    for f in report.findings:
        out.write(f"{f}\n")
    if args.check:
        out.write("Checked only (--check): nothing was written.\n")
        return 0
    import hashlib

    engine = db.make_engine(url)
    try:
        result = write(engine, f"{args.kind}:{hashlib.sha256(data).hexdigest()}")
    except db.ImportBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except db.ImportRefused as exc:
        print(f"error: {inert(str(exc), limit=None, formulas=False)}. Nothing was written.", file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as exc:
        print(
            f"error: import into {db.redact_url(url)} failed and was rolled back; nothing changed "
            f"({type(_driver_error(exc)).__name__})",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    counts = ", ".join(f"{n} {c:,}" for n, c in result.row_counts.items())
    out.write(f"Imported batch {result.batch_id} into {db.redact_url(url)}: {counts}\n")
    return 0


def cmd_db(args, out) -> int:
    from metrics import migrations, sources
    from metrics.settings import SettingsError, configured_settings

    if args.action == "downgrade" and not args.yes:
        print(
            "error: a downgrade removes what the later revisions added, with its data (down to base: every "
            "table, with the targets, notes and audits users entered). Back the database up first (README, "
            "Databases), stop the app, then add --yes.",
            file=sys.stderr,
        )
        return 2
    try:
        settings = configured_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    url = args.db or settings.database_url or sources.embedded_url(settings)
    try:
        engine = db.make_engine(url)
    except Exception as exc:  # malformed URL, unknown dialect
        print(f"error: cannot use database URL {db.redact_url(url)}: {type(exc).__name__}", file=sys.stderr)
        return 2
    where = db.redact_url(url)
    try:
        before = migrations.current_revision(engine)
        head = migrations.head_revision()
        if args.action == "current":
            out.write(f"{where}: {_revision_words(before, head)}\n")
            return 0
        if args.action == "upgrade":
            migrations.upgrade(engine, args.revision)
        else:
            migrations.downgrade(engine, args.revision)
        after = migrations.current_revision(engine)
    except migrations.MigrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except sa.exc.SQLAlchemyError as exc:  # no traceback, no password
        print(
            f"error: the database {where} failed ({type(_driver_error(exc)).__name__}); nothing was changed",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    if after == before:
        out.write(f"{where}: already at {_revision_words(after, head)}\n")
    else:
        out.write(f"{where}: {before or 'no revision'} -> {_revision_words(after, head)}\n")
    return 0


def _revision_words(revision: str | None, head: str | None) -> str:
    if revision is None:
        return "no revision (no Bridgeboard tables, or made before migrations: `db upgrade` creates or adopts them)"
    if revision == head:
        return f"revision {revision} (the latest)"
    return f"revision {revision}; the latest is {head}: run `python -m metrics db upgrade`"


def cmd_preflight(args, out) -> int:
    """Before the server starts: a shared deployment without sign-in does not start at all (each page
    would refuse too, but a running server invites the next person to "fix" it by hand)."""
    from metrics.access import start_refusal
    from metrics.settings import SettingsError, configured_settings, read_secrets

    try:
        secrets = read_secrets()
        refusal = start_refusal(configured_settings().require_sign_in, secrets)
    except SettingsError as exc:
        refusal = f"Bridgeboard is not configured correctly: {exc}."
    if refusal:
        print(f"Bridgeboard will not start. {refusal}", file=sys.stderr)
        return 2
    out.write("Configuration checked: Bridgeboard may start.\n")
    return 0


COMMANDS = {
    "preflight": cmd_preflight,
    "check": cmd_check,
    "load": cmd_load,
    "sample": cmd_sample,
    "summary": cmd_summary,
    "boardpack": cmd_boardpack,
    "import": cmd_import,
    "db": cmd_db,
}


def main(argv: Sequence[str] | None = None, out=None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args, out or sys.stdout)
