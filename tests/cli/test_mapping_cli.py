"""`check` and `load` with `--mapping`: a finance system's spend export (semicolon-separated, dot
decimals, its own headers, cost centres for departments) loads into DuckDB and PostgreSQL with
the right totals to the cent."""

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from cli import main
from metrics import db

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "mapping"
MAPPING = FIXTURES / "finance.toml"
# Hand-computed from tests/fixtures/mapping/spend.csv through finance.toml: the lines as written, in EUR,
EXPECTED_EUR = {"Marketing": Decimal("13580.28"), "IT": Decimal("8515.33"), "Joint": Decimal("999.99")}
# and converted line by line to USD at the month's rate below, each rounded to the cent:
#   Marketing 12,345.67 x 1.0832 = 13,372.829744 -> 13,372.83; 1,234.56 x 1.0832 = 1,337.275392 -> 1,337.28;
#             0.05 x 1.15 = 0.0575 -> 0.06                                         total 14,710.17
#   IT        8,765.43 x 1.0832 = 9,494.713776 -> 9,494.71; -250.10 x 1.1 = -275.11 total  9,219.60
#   Joint     999.99 x 1.1 = 1,099.989 -> 1,099.99
EXPECTED = {"Marketing": Decimal("14710.17"), "IT": Decimal("9219.60"), "Joint": Decimal("1099.99")}
FX_RATES = "currency,month,rate\nEUR,2026-04-01,1.0832\nEUR,2026-05-01,1.1\nEUR,2026-06-01,1.15\n"


@pytest.fixture
def finance_folder(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(ROOT / "sample_data", folder)
    shutil.copy(FIXTURES / "spend.csv", folder / "spend.csv")
    (folder / "fx_rates.csv").write_text(FX_RATES)
    return folder


def test_check_without_the_mapping_names_the_missing_columns(finance_folder, capsys):
    assert main(["check", str(finance_folder)]) == 1
    assert "required columns missing: department, category, amount" in capsys.readouterr().out


def test_check_with_the_mapping_passes(finance_folder, capsys):
    assert main(["check", str(finance_folder), "--mapping", str(MAPPING), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["errors"] == 0 and payload["files"]["spend"]["delimiter"] == ";"


def test_check_without_a_rate_names_the_currency_and_month(finance_folder, capsys):
    (finance_folder / "fx_rates.csv").write_text(FX_RATES.replace("EUR,2026-05-01,1.1\n", ""))
    assert main(["check", str(finance_folder), "--mapping", str(MAPPING), "--format", "json"]) == 1
    errors = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["severity"] == "error"]
    assert [(f["file"], f["line"], f["value"]) for f in errors] == [("spend.csv", 5, "EUR")]
    assert errors[0]["problem"].startswith("no EUR rate for 2026-05 in fx_rates (2 rows in EUR")
    assert "add a row EUR,2026-05-01,<USD for 1 EUR> to fx_rates.csv" in errors[0]["fix"]


def test_check_reports_a_bad_value_under_the_column_as_headed(finance_folder, capsys):
    spend = finance_folder / "spend.csv"
    spend.write_text(spend.read_text().replace("CC-6000", "CC-9999"))
    assert main(["check", str(finance_folder), "--mapping", str(MAPPING), "--format", "json"]) == 1
    bad = next(f for f in json.loads(capsys.readouterr().out)["findings"] if f["severity"] == "error")
    assert (bad["file"], bad["line"], bad["column"], bad["value"]) == ("spend.csv", 5, "Cost Centre", "CC-9999")


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_load_with_mapping_gives_totals_to_the_cent(finance_folder, backend, tmp_path, request, capsys):
    url = f"duckdb:///{tmp_path / 'm.duckdb'}" if backend == "duckdb" else request.getfixturevalue("postgres_url")
    assert main(["load", str(finance_folder), "--db", url, "--mapping", str(MAPPING)]) == 0, capsys.readouterr()
    engine = db.make_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                sa.text(
                    "SELECT department, SUM(CAST(amount AS DECIMAL(18, 2))), COUNT(*), MIN(currency), MAX(currency), "
                    "SUM(CAST(amount_original AS DECIMAL(18, 2))) FROM spend GROUP BY department"
                )
            ).all()
            dates = c.execute(sa.text("SELECT MIN(date), MAX(date) FROM spend")).one()
    finally:
        engine.dispose()
    assert {r[0]: Decimal(str(r[1])).quantize(Decimal("0.01")) for r in rows} == EXPECTED
    assert {r[0]: Decimal(str(r[5])).quantize(Decimal("0.01")) for r in rows} == EXPECTED_EUR
    assert sum(r[2] for r in rows) == 6 and {r[3] for r in rows} == {r[4] for r in rows} == {"EUR"}
    assert [str(d)[:10] for d in dates] == ["2026-04-03", "2026-06-02"]


def test_bad_mapping_file_is_a_usage_error_naming_the_key(finance_folder, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[tables.spend.columns]\n"Net Amount (EUR)" = "amout"\n')
    with pytest.raises(SystemExit) as exit_:
        main(["check", str(finance_folder), "--mapping", str(bad)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert 'tables.spend.columns."Net Amount (EUR)"' in err and "'amout' is not a spend column" in err
    assert "Traceback" not in err
