"""The seeded sample data: reproducible byte for byte, tells the story, carries the planted defects.

The story checks recompute each claim from the committed CSVs with plain pandas, independently of
the generator's internals.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrics.contract import TABLES
from metrics.sample import DEFAULT_SEED, DEFAULT_SPEND_ROWS, write_sample

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
OVERLAP_VENDORS = ("Salesforce", "Adobe", "Amazon Web Services", "Snowflake", "Microsoft", "Atlassian")
SALESFORCE_VARIANTS = ("Salesforce.com, Inc.", "SALESFORCE", "Salesforce UK Ltd")
JOINT_TEAM = pd.Timestamp("2025-07-01")


# The sample is in one currency: it has every table but the exchange rates.
SAMPLE_TABLES = {name: table for name, table in TABLES.items() if name != "fx_rates"}


def _read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return {name: _read(SAMPLE, name) for name in SAMPLE_TABLES}


@pytest.fixture(scope="module")
def spend(sample) -> pd.DataFrame:
    s = sample["spend"].copy()
    s["amount"] = s["amount"].astype(float)
    d = pd.to_datetime(s["date"], format="%Y-%m-%d")
    s["fq"] = "FY" + d.dt.year.astype(str) + " Q" + d.dt.quarter.astype(str)  # fiscal year = calendar year
    return s


@pytest.fixture(scope="module")
def requests_(sample) -> pd.DataFrame:
    r = sample["requests"].copy()
    for c in ("requested_at", "ready_at", "started_at", "delivered_at"):
        r[c] = pd.to_datetime(r[c].replace("", None), format="%Y-%m-%d %H:%M")
    return r


def _share_by_quarter(spend: pd.DataFrame) -> pd.DataFrame:
    by = spend.pivot_table(index="fq", columns="department", values="amount", aggfunc="sum")
    return by.div(by.sum(axis=1), axis=0) * 100


# --- reproducibility and format -----------------------------------------------------------------


def test_regenerating_gives_the_committed_files_byte_for_byte(tmp_path):
    counts = write_sample(tmp_path, seed=DEFAULT_SEED, spend_rows=DEFAULT_SPEND_ROWS)
    assert list(counts) == list(SAMPLE_TABLES)
    for name in SAMPLE_TABLES:
        fresh, committed = (tmp_path / f"{name}.csv").read_bytes(), (SAMPLE / f"{name}.csv").read_bytes()
        assert fresh == committed, f"sample_data/{name}.csv differs from a fresh run: regenerate it"
        assert counts[name] == committed.count(b"\n") - 1


def test_files_follow_the_contract_and_plain_csv_conventions(sample):
    total = 0
    for name, table in SAMPLE_TABLES.items():
        raw = (SAMPLE / f"{name}.csv").read_bytes()
        total += len(raw)
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
        raw.decode("utf-8")
        # every column in contract order, but budget's currency (the sample is all in USD)
        assert list(sample[name].columns) == [c for c in table.column_names if (name, c) != ("budget", "currency")]
        for col in table.columns:
            if col.allowed:
                values = set(sample[name][col.name]) - {""}
                assert values <= set(col.allowed), (name, col.name, values - set(col.allowed))
        for col in table.required:
            assert (sample[name][col.name] != "").all(), (name, col.name)
    assert total < 3_000_000


def test_value_formats(sample):
    spend, requests = sample["spend"], sample["requests"]
    assert spend["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert spend["amount"].str.fullmatch(r"-?\d+\.\d{2}").all()
    assert spend["invoice_id"].str.fullmatch(r"INV-\d{7}").all() and spend["invoice_id"].is_unique
    assert spend["cost_center"].str.fullmatch(r"0\d{4}").all()
    assert (spend["currency"] == "USD").all()
    assert 0.01 < (spend["investment_type"] == "").mean() < 0.06  # a few lines left unmapped
    assert set(spend["expense_type"]) == {"OpEx", "CapEx"}
    assert requests["request_id"].str.fullmatch(r"MKT-\d{4}").all() and requests["request_id"].is_unique
    assert requests["request_id"].iloc[0] == "MKT-1001"
    for c in ("requested_at", "ready_at", "started_at", "delivered_at"):
        assert requests[c].str.fullmatch(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})?").all(), c
    assert set(sample["vendors"]["it_approved"]) == {"yes", "no"}
    assert sample["budget"]["amount"].str.fullmatch(r"\d+\.\d{2}").all()
    actuals = sample["kpi_actuals"]
    assert not actuals.duplicated(["date", "kpi", "segment"]).any()


def test_period_covers_fy2024_q1_to_fy2026_q3(spend, sample, requests_):
    assert spend["date"].min() >= "2024-01-01" and spend["date"].max() <= "2026-09-30"
    assert sorted(spend["fq"].unique()) == [f"FY{y} Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)][:11]
    assert sample["kpi_actuals"]["date"].min() >= "2024-01-01"
    assert sample["kpi_actuals"]["date"].max() <= "2026-09-30"
    for c in ("requested_at", "ready_at", "started_at", "delivered_at"):
        assert requests_[c].max() < pd.Timestamp("2026-10-01")
    assert requests_["requested_at"].min() >= pd.Timestamp("2024-01-01")


# --- the story ------------------------------------------------------------------------------------


def test_total_spend_grows_from_about_9_to_14_million_a_quarter(spend):
    total = spend.groupby("fq")["amount"].sum()
    assert total.between(9e6, 14e6).all()
    assert total.iloc[-1] > total.iloc[0] * 1.3


def test_marketing_share_rises_from_a_quarter_to_almost_half(spend):
    share = _share_by_quarter(spend)
    assert share.loc["FY2024 Q1", "Marketing"] == pytest.approx(25, abs=5)
    assert share.loc["FY2026 Q3", "Marketing"] == pytest.approx(45, abs=5)
    assert share["Joint"].between(7, 11).all()
    # Marketing overtakes IT in the last quarter, and only then.
    ahead = share["Marketing"] > share["IT"]
    assert list(ahead[ahead].index) == ["FY2026 Q3"]


def test_overlap_vendors_are_paid_by_both_departments(spend):
    departments = spend.groupby("vendor")["department"].agg(set)
    for vendor in OVERLAP_VENDORS:
        assert {"Marketing", "IT"} <= departments[vendor], vendor


def test_redundant_tools_bought_for_the_same_capability(spend):
    bought = spend.groupby(["category", "department"])["vendor"].agg(set)
    assert "Tableau" in bought["Analytics", "IT"] and "Looker" in bought["Analytics", "Marketing"]
    assert "Atlassian" in bought["Content management", "IT"]  # Confluence
    assert "Contentful" in bought["Content management", "Marketing"]
    assert "Microsoft" in bought["Collaboration", "IT"]
    assert {"Slack", "Asana"} <= bought["Collaboration", "Marketing"]


def test_shadow_it_share_of_marketing_spend_grows(spend, sample):
    vendors = sample["vendors"]
    known = {v.casefold(): ok for v, ok in zip(vendors["vendor"], vendors["it_approved"])}
    for aliases, ok in zip(vendors["aliases"], vendors["it_approved"]):
        known.update({a.casefold(): ok for a in aliases.split("|") if a})
    marketing = spend[spend["department"] == "Marketing"]
    shadow = marketing["vendor"].map(lambda v: known.get(v.casefold(), "no") == "no")
    share = (
        marketing["amount"].where(shadow, 0).groupby(marketing["fq"]).sum()
        / marketing.groupby("fq")["amount"].sum()
        * 100
    )
    assert share.iloc[0] == pytest.approx(4, abs=2)
    assert share.iloc[-1] == pytest.approx(12, abs=3)
    assert share.iloc[-1] > share.iloc[0] + 5
    assert np.polyfit(np.arange(len(share)), share.to_numpy(), 1)[0] > 0.5  # points a quarter


def test_budget_and_forecast(sample, spend):
    b = sample["budget"].copy()
    b["amount"] = b["amount"].astype(float)
    budget = b[b["scenario"] == "Budget"]
    quarters = budget.groupby(["fiscal_year", "quarter"]).size()
    assert len(quarters) == 12  # FY2024 Q1 .. FY2026 Q4
    assert set(budget["department"]) == {"Marketing", "IT", "Joint"}
    # Exactly one department/category combination lacks a budget in exactly one quarter.
    combos = budget.groupby(["department", "category"]).size()
    assert (combos == 12).sum() == len(combos) - 1 and sorted(combos)[0] == 11
    forecast = b[b["scenario"] == "Forecast"]
    assert set(zip(forecast["fiscal_year"], forecast["quarter"])) == {("2026", "Q4")}
    assert set(forecast["department"]) == {"Marketing", "IT", "Joint"}
    # Marketing runs over budget in the latest quarter, IT under.
    last = budget[(budget["fiscal_year"] == "2026") & (budget["quarter"] == "Q3")].groupby("department")["amount"].sum()
    actual = spend[spend["fq"] == "FY2026 Q3"].groupby("department")["amount"].sum()
    assert actual["Marketing"] > last["Marketing"] and actual["IT"] < last["IT"]


def test_turnaround_improves_after_the_joint_team_forms(requests_):
    r = requests_
    it_queue = (r["started_at"] - r["ready_at"]).dt.total_seconds() / 86400
    marketing_wait = (r["ready_at"] - r["requested_at"]).dt.total_seconds() / 86400
    before, after = r["ready_at"] < JOINT_TEAM, r["ready_at"] >= JOINT_TEAM
    assert it_queue[after].median() < it_queue[before].median() / 2
    wait_before = marketing_wait[r["requested_at"] < JOINT_TEAM].median()
    wait_after = marketing_wait[r["requested_at"] >= JOINT_TEAM].median()
    assert wait_after == pytest.approx(wait_before, rel=0.3)


def test_requests_have_open_backlog_unknown_stages_and_slas(requests_):
    r = requests_
    assert 600 <= len(r) <= 900
    open_ = r["delivered_at"].isna()
    assert 20 <= open_.sum() <= 40
    assert set(r.loc[open_, "status"]) == {"In progress", "To do"}
    assert (r.loc[~open_, "status"] == "Done").all()
    done = r[~open_]
    assert done["ready_at"].isna().sum() >= 3 and done["started_at"].isna().sum() >= 3
    assert set(r["priority"]) == {"Critical", "High", "Medium", "Low"}
    assert set(r["type"]) == {"Campaign", "Data", "Integration", "Website", "Reporting", "Access"}
    sla_set = (r["sla_days"] != "").mean()
    assert 0.05 < sla_set < 0.5


def _quarter_values(sample) -> pd.DataFrame:
    kpis, targets, actuals = sample["kpis"], sample["kpi_targets"].copy(), sample["kpi_actuals"].copy()
    actuals["value"] = actuals["value"].astype(float)
    d = pd.to_datetime(actuals["date"])
    actuals["fiscal_year"], actuals["quarter"] = d.dt.year.astype(str), "Q" + d.dt.quarter.astype(str)
    how = dict(zip(kpis["kpi"], kpis["aggregation"].replace("", "mean")))
    rows = []
    for (kpi, fy, q), g in actuals.sort_values("date").groupby(["kpi", "fiscal_year", "quarter"]):
        v = g["value"]
        value = {
            "mean": v.mean(),
            "sum": v.sum(),
            "min": v.min(),
            "max": v.max(),
            "last": g.loc[g["date"] == g["date"].max(), "value"].mean(),
        }[how[kpi]]
        rows.append((kpi, fy, q, value))
    out = pd.DataFrame(rows, columns=["kpi", "fiscal_year", "quarter", "actual"])
    out = out.merge(targets, on=["kpi", "fiscal_year", "quarter"]).merge(kpis[["kpi", "direction"]], on="kpi")
    target = out["target"].astype(float)
    out["met"] = np.where(out["direction"] == "higher", out["actual"] >= target, out["actual"] <= target)
    return out


def test_kpis_glossary_and_targets(sample):
    kpis, targets = sample["kpis"], sample["kpi_targets"]
    assert 8 <= len(kpis) <= 10
    assert {
        "nps",
        "csat",
        "churn",
        "conversion",
        "page_speed",
        "uptime",
        "request_cycle_time",
        "spend_variance",
    } <= set(kpis["kpi"])
    assert set(kpis["owner"]) == {"CIO", "CMO", "Joint"}
    assert {"mean", "last", "sum"} <= set(kpis["aggregation"])
    assert (kpis[["definition", "formula", "source"]] != "").all().all()
    assert len(targets) == len(kpis) * 12 and not targets.duplicated(["kpi", "fiscal_year", "quarter"]).any()
    assert 0 < (targets["at_risk_threshold"] == "").sum() < len(targets) / 2
    q4 = targets[(targets["fiscal_year"] == "2026") & (targets["quarter"] == "Q4")]
    assert (q4["agreed_by_cmo_on"] == "").sum() == 2 and (q4["agreed_by_cio_on"] == "").sum() == 1
    # In the latest reported quarter the re-set churn target still awaits the CMO.
    q3 = targets[(targets["fiscal_year"] == "2026") & (targets["quarter"] == "Q3")]
    assert q3.loc[q3["agreed_by_cmo_on"] == "", "kpi"].tolist() == ["churn"]
    assert (q3["agreed_by_cio_on"] != "").all()
    earlier = targets.drop(q4.index).drop(q3.index)
    assert (earlier[["agreed_by_cio_on", "agreed_by_cmo_on"]] != "").all().all()


def test_most_kpis_improve_but_at_least_two_miss_in_fy2026_q3(sample):
    values = _quarter_values(sample)
    latest = values[(values["fiscal_year"] == "2026") & (values["quarter"] == "Q3")].set_index("kpi")
    missed = set(latest.index[~latest["met"]])
    assert len(missed) >= 2 and {"churn", "page_speed"} <= missed
    assert latest["met"].sum() > len(latest) / 2
    first = values[(values["fiscal_year"] == "2024") & (values["quarter"] == "Q1")]
    assert latest["met"].sum() > first["met"].sum()


def test_planted_defects_are_present(spend, sample, requests_):
    assert set(SALESFORCE_VARIANTS) <= set(spend["vendor"])
    assert (spend["amount"] < 0).sum() >= 1
    catalogue = set(sample["vendors"]["vendor"])
    for aliases in sample["vendors"]["aliases"]:
        catalogue |= set(filter(None, aliases.split("|")))
    assert "Hypergrowth Analytics Ltd" in set(spend["vendor"]) - catalogue
    assert (requests_["delivered_at"] < requests_["requested_at"]).sum() >= 1


# --- other sizes ------------------------------------------------------------------------------------


def test_a_small_custom_run_writes_exactly_the_rows_asked_for(tmp_path, spend):
    counts = write_sample(tmp_path, spend_rows=1000)
    small = _read(tmp_path, "spend")
    assert counts["spend"] == len(small) == 1000 and small["invoice_id"].is_unique
    # The row count changes the size of lines, not the money or the other tables.
    small_total = small["amount"].astype(float).sum()
    assert small_total == pytest.approx(spend["amount"].sum(), rel=1e-3)
    for name in ("budget", "vendors", "kpis", "kpi_targets", "requests"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (SAMPLE / f"{name}.csv").read_bytes(), name


def test_months_bigger_than_a_chunk_are_split_by_days_and_stay_sorted(tmp_path, monkeypatch, spend):
    # What a 5M-row run does with months above CHUNK_ROWS, exercised at small scale.
    import metrics.sample.spend as sample_module  # CHUNK_ROWS lives where the spend writer reads it

    monkeypatch.setattr(sample_module, "CHUNK_ROWS", 150)
    write_sample(tmp_path, spend_rows=DEFAULT_SPEND_ROWS)
    chunked = _read(tmp_path, "spend")
    assert len(chunked) == DEFAULT_SPEND_ROWS and chunked["invoice_id"].is_unique
    assert chunked["date"].is_monotonic_increasing
    d = pd.to_datetime(chunked["date"])
    by_quarter = chunked["amount"].astype(float).groupby([d.dt.year, d.dt.quarter]).sum().to_numpy()
    assert by_quarter == pytest.approx(spend.groupby("fq")["amount"].sum().to_numpy(), rel=1e-3)


@pytest.mark.parametrize("rows", [1, 50, 400])
def test_tiny_runs_still_write_valid_files(tmp_path, rows):
    counts = write_sample(tmp_path, spend_rows=rows)
    assert counts["spend"] == len(_read(tmp_path, "spend")) == rows


def test_another_seed_tells_the_same_story(tmp_path):
    write_sample(tmp_path, seed=7, spend_rows=3000)
    other = _read(tmp_path, "spend")
    other["amount"] = other["amount"].astype(float)
    d = pd.to_datetime(other["date"])
    other["fq"] = "FY" + d.dt.year.astype(str) + " Q" + d.dt.quarter.astype(str)
    share = _share_by_quarter(other)
    assert share.loc["FY2024 Q1", "Marketing"] == pytest.approx(25, abs=5)
    assert share.loc["FY2026 Q3", "Marketing"] == pytest.approx(45, abs=5)
    assert (tmp_path / "spend.csv").read_bytes() != (SAMPLE / "spend.csv").read_bytes()


# --- validation (when the validator is present) -------------------------------------------------


def test_committed_sample_validates_with_warnings_only_for_the_planted_defects():
    validation = pytest.importorskip("metrics.validation")
    report = validation.validate_folder(SAMPLE)
    assert not report.errors, [str(f) for f in report.errors]
    warnings = [str(f) for f in report.warnings]
    assert any(f.file == "spend.csv" and f.column == "amount" for f in report.warnings), warnings  # credits
    assert any("Hypergrowth Analytics Ltd" in str(f) for f in report.warnings), warnings
    assert any(f.file == "requests.csv" and f.column == "delivered_at" for f in report.warnings), warnings


# --- who may import the generator ---------------------------------------------------------------


def _imports_of_sample(path: Path) -> list[tuple[int, str | None]]:
    """(line, enclosing top-level function or None) of each import of metrics.sample in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for top in tree.body:
        owner = top.name if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        for node in ast.walk(top):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            if any(n == "metrics.sample" or n.startswith("metrics.sample.") for n in names):
                found.append((node.lineno, owner))
    return found


def test_production_code_never_imports_the_generator():
    # The dashboard shows data, it never makes it: only the `sample` command (lazily), bench/ and
    # tests may import metrics.sample.
    files = [ROOT / "dashboard.py"] + [
        p for folder in ("metrics", "app", "charts", "pages") for p in sorted((ROOT / folder).rglob("*.py"))
    ]
    offenders = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("metrics/sample/"):
            continue
        for line, owner in _imports_of_sample(path):
            if (rel, owner) != ("metrics/cli.py", "cmd_sample"):
                offenders.append(f"{rel}:{line}")
    assert offenders == []
