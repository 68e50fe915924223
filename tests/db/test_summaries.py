"""The summaries (`spend_monthly`, `kpi_monthly`) give every page figure to the cent exactly as the
ledgers do, on DuckDB, SQLite and a real PostgreSQL (`engine` fixture); they are rebuilt by imports,
and a ledger another tool changed is caught and summarised again."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import inventory, kpis, schema, sources, spend, summaries
from metrics.fiscal import FiscalCalendar, FiscalQuarter
from metrics.headline import load_headline
from metrics.settings import SAMPLE_DIR, Settings
from metrics.summary import data_as_of, summary_figures

OPTIONS = sources.read_options(Settings())


def every_figure(engine, calendar: FiscalCalendar) -> dict:
    """What the pages, `summary` and the pack show of spend, for every quarter with data."""
    out: dict = {"by_quarter": spend.spend_by_quarter(engine, calendar), "vendors": spend.spend_by_vendor_name(engine)}
    for q in inventory.quarters_with_data(engine, calendar):
        out[q.label] = summary_figures(load_headline(engine, calendar, q), data_as_of(engine))
        out[f"{q.label} period"] = spend.period_spend(engine, calendar, q)
        out[f"{q.label} marketing"] = spend.period_spend(engine, calendar, q, ["Marketing"])
    out["shadow"] = spend.shadow_spend_by_quarter(engine, calendar, ["Canva", "Mailchimp", "Hotjar"])
    quarters = inventory.quarters_with_data(engine, calendar)
    out["quarters"] = quarters
    out["kpis"] = kpis.kpi_quarter_values(engine, calendar, quarters[0], quarters[-1])
    out["counts"] = inventory.table_row_counts(engine)
    return out


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], pd.DataFrame):
            pd.testing.assert_frame_equal(a[key], b[key], check_dtype=False, obj=key)
        else:
            assert a[key] == b[key], key


def forget_summary(engine) -> None:
    with engine.begin() as conn:
        conn.execute(schema.summary_state.delete())


@pytest.mark.parametrize("start_month", [1, 7])
def test_every_figure_is_the_same_from_the_summary_and_from_the_ledger(engine, start_month):
    calendar = FiscalCalendar(start_month)
    outcome = sources.load_folder(SAMPLE_DIR, engine, OPTIONS, fiscal_start_month=start_month)
    assert outcome.imported is not None
    assert summaries.spend_source(engine) is summaries.MONTHLY
    assert summaries.summary_state(engine, summaries.KPI_MONTHLY) is not None
    with engine.connect() as conn:
        summary_rows = conn.execute(sa.select(sa.func.count()).select_from(schema.spend_monthly)).scalar()
        kpi_rows = conn.execute(sa.select(sa.func.count()).select_from(schema.kpi_monthly)).scalar()
    assert 0 < summary_rows < 20_000 / 2, "far fewer rows than the ledger"
    assert 0 < kpi_rows < 474, "fewer rows than the observations"
    from_summary = every_figure(engine, calendar)
    assert not from_summary["kpis"].empty
    forget_summary(engine)
    assert summaries.spend_source(engine) is summaries.LEDGER
    assert summaries.summary_state(engine, summaries.KPI_MONTHLY) is None
    assert_same(from_summary, every_figure(engine, calendar))


def test_a_ledger_changed_by_another_tool_is_caught_and_summarised_again(engine):
    sources.load_folder(SAMPLE_DIR, engine, OPTIONS)
    calendar, q = FiscalCalendar(1), FiscalQuarter(2026, 3)
    before = spend.spend_by_quarter(engine, calendar, q, q).set_index("department")["spend"]
    assert summaries.check_fresh(engine) == "fresh"
    other_tool = sa.create_engine(engine.url)  # its own connection, as another program's
    with other_tool.begin() as conn:  # another tool adds a line
        conn.execute(
            schema.spend.insert().values(
                date=date(2026, 8, 15), department="IT", vendor="Okta", category="Security", amount=1234.56
            )
        )
    other_tool.dispose()
    assert summaries.check_fresh(engine) == "rebuilt"
    after = spend.spend_by_quarter(engine, calendar, q, q).set_index("department")["spend"]
    assert round(after["IT"] - before["IT"], 2) == 1234.56
    assert after["Marketing"] == before["Marketing"]


def test_new_rates_alone_rebuild_the_summary(engine, tmp_path):
    folder = tmp_path / "q1"
    folder.mkdir()
    (folder / "spend.csv").write_text(
        "date,department,vendor,category,amount,currency\n2026-01-15,IT,SAP,ERP,1000.00,EUR\n"
    )
    (folder / "fx_rates.csv").write_text("currency,month,rate\nEUR,2026-01-01,1.1\n")
    sources.load_folder(folder, engine, OPTIONS)
    rates = tmp_path / "rates"
    rates.mkdir()
    (rates / "fx_rates.csv").write_text("currency,month,rate\nEUR,2026-01-01,1.2\n")
    sources.load_folder(rates, engine, OPTIONS)
    q = FiscalQuarter(2026, 1)
    assert summaries.spend_source(engine) is summaries.MONTHLY
    assert spend.spend_by_quarter(engine, FiscalCalendar(1), q, q)["spend"].tolist() == [1200.0]


def test_kpi_observations_added_by_another_tool_are_caught(engine):
    sources.load_folder(SAMPLE_DIR, engine, OPTIONS)
    calendar = FiscalCalendar(1)
    q = inventory.quarters_with_data(engine, calendar)[-1]
    assert summaries.check_fresh(engine, summaries.KPI_MONTHLY) == "fresh"
    before = kpis.kpi_quarter_values(engine, calendar, q, q).set_index("kpi")["observations"]
    kpi = before.index[0]
    other_tool = sa.create_engine(engine.url)  # its own connection, as another program's
    with other_tool.begin() as conn:
        conn.execute(schema.kpi_actuals.insert().values(kpi=kpi, date=calendar.quarter_start(q), value=1.0))
    other_tool.dispose()
    assert summaries.check_all_fresh(engine) == {"spend_monthly": "fresh", "kpi_monthly": "rebuilt"}
    after = kpis.kpi_quarter_values(engine, calendar, q, q).set_index("kpi")["observations"]
    assert after[kpi] == before[kpi] + 1
