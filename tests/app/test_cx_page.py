"""The Customer experience page in AppTest, on the committed sample data: the scorecard shows
the statuses the metrics compute, the owner and status filters change the cards, and a target
edited through the form changes the status shown (and is refused when stale)."""

from __future__ import annotations

import json

import pytest

from app.text import plain as md
from charts.theme import STATUS_SYMBOLS
from metrics import db, kpis, review, targets
from metrics.fiscal import FiscalCalendar, FiscalQuarter

PAGE = "pages/2_Customer_experience.py"
Q = FiscalQuarter(2026, 3)


@pytest.fixture
def private_db(sample_env, tmp_path, monkeypatch):
    """The sample data in an embedded database of this test's own, for tests that edit targets."""
    path = tmp_path / "bridgeboard.duckdb"
    monkeypatch.setenv("BRIDGEBOARD_EMBEDDED_DB", str(path))
    return path


def _expected(db_path, at) -> dict[str, kpis.KpiCard]:
    """The scorecard computed straight from the metrics, for the quarter the page shows."""
    quarter = at.selectbox(key="bb_quarter").value
    engine = db.make_engine(f"duckdb:///{db_path}")
    try:
        first = kpis.window(quarter)[0]
        cards = kpis.scorecard(
            kpis.kpi_glossary(engine),
            kpis.kpi_quarter_values(engine, FiscalCalendar(1), first, quarter),
            targets.effective_targets(engine, first, quarter),
            quarter,
        )
    finally:
        engine.dispose()
    return {c.kpi.kpi: c for c in cards}


def _card(at, kpi: str):
    try:
        return at.get_by_key(f"cx_card_{kpi}")
    except KeyError:  # not on the page
        return None


def _status_shown(at, kpi: str) -> str:
    badge = _card(at, kpi).markdown[0].value  # ':green-badge[● On target]'
    return badge[badge.index("[") + 1 : -1]


def _status_text(status: str) -> str:
    return f"{STATUS_SYMBOLS[status]} {status.capitalize()}"


def _shown_cards(at, expected) -> list[str]:
    return [k for k in expected if _card(at, k) is not None]


def test_scorecard_matches_the_metrics(app, sample_env):
    at = app(PAGE)
    assert not at.exception
    expected = _expected(sample_env, at)
    assert len(expected) >= 8  # the sample glossary
    for kpi, card in expected.items():
        shown = _card(at, kpi)
        assert shown is not None, kpi
        assert shown.metric[0].label == md(card.kpi.name)
        assert shown.metric[0].value == md(card.value_label)
        assert _status_shown(at, kpi) == _status_text(card.status)
        assert shown.caption[0].value == md(card.target_label)
    quarter = at.selectbox(key="bb_quarter").value
    assert md(kpis.scorecard_sentence(list(expected.values()), quarter)) in [m.value for m in at.markdown]
    # Bullet and trend charts, with the target marker at the target of the first card with one.
    bullets, trends = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    with_value = [c for c in expected.values() if c.value is not None]
    assert [t["type"] for t in bullets["data"]] == ["indicator"] * len(with_value)
    first = next(i for i, c in enumerate(with_value) if c.target)
    assert bullets["data"][first]["gauge"]["threshold"]["value"] == with_value[first].target.target
    assert len([t for t in trends["data"] if t.get("name") == "Value"]) == len(expected)


def test_targets_not_agreed_by_one_side_are_shown_as_such(app, private_db):
    at = app(PAGE)
    card = _pick_on_target(_expected(private_db, at))
    # The CIO proposes the same figure again (which clears both agreements) and agrees it.
    engine = db.make_engine(f"duckdb:///{private_db}")
    try:
        cio = targets.Actor("CIO", "CIO")
        saved = targets.propose_target(
            engine,
            card.kpi.kpi,
            card.quarter,
            target=card.target.target,
            at_risk_threshold=card.target.at_risk_threshold,
            note="Revisited",
            actor=cio,
            expected_version=card.target.version,
        )
        targets.record_agreement(
            engine, card.kpi.kpi, card.quarter, side="CIO", actor=cio, expected_version=saved.version
        )
    finally:
        engine.dispose()
    at.run()
    expected = _expected(private_db, at)
    assert expected[card.kpi.kpi].agreement == "awaiting CMO"
    for kpi, card in expected.items():
        badges = " ".join(m.value for m in _card(at, kpi).markdown)
        captions = " ".join(c.value for c in _card(at, kpi).caption)
        if card.agreement == kpis.AGREED:
            assert card.agreement_label in captions
        elif card.agreement is not None:
            assert card.agreement_label in badges  # a badge of its own: never hidden


def test_owner_and_status_filters_change_the_cards(app, sample_env):
    at = app(PAGE)
    expected = _expected(sample_env, at)
    at.pills(key="cx_owner").set_value(["CIO"]).run()
    assert not at.exception
    assert _shown_cards(at, expected) == [k for k, c in expected.items() if c.kpi.owner == "CIO"]
    at.pills(key="cx_owner").set_value([]).run()
    status = next(c.status for c in expected.values() if c.status != kpis.ON_TARGET)
    at.pills(key="cx_status").set_value([status]).run()
    assert _shown_cards(at, expected) == [k for k, c in expected.items() if c.status == status]
    at.pills(key="cx_status").set_value([kpis.ON_TARGET, status]).run()
    assert _shown_cards(at, expected) == [k for k, c in expected.items() if c.status in (kpis.ON_TARGET, status)]
    # Bullets follow the filter too.
    bullets = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(bullets["data"]) == len(
        [c for c in expected.values() if c.status in (kpis.ON_TARGET, status) and c.value is not None]
    )


def _history(at):
    """The audit history table (the dataframe with a 'When (UTC)' column)."""
    return next(d.value for d in at.dataframe if "When (UTC)" in d.value.columns)


def _pick_on_target(expected) -> kpis.KpiCard:
    return next(c for c in expected.values() if c.status == kpis.ON_TARGET)


def _choose(at, kpi: str, role: str = "CIO"):
    at.selectbox(key="cx_role").set_value(role).run()
    at.selectbox(key="cx_target_kpi").set_value(kpi).run()
    return at


def test_a_target_edit_through_the_form_changes_the_status(app, private_db):
    at = app(PAGE)
    expected = _expected(private_db, at)
    card = _pick_on_target(expected)
    quarter = card.quarter
    _choose(at, card.kpi.kpi)
    # A target far beyond the value, with a small threshold: off target.
    unreachable = card.value + 100 if card.kpi.direction == "higher" else card.value - 100
    version = card.target.version
    at.number_input(key=f"cx_target_{card.kpi.kpi}_{quarter.label}_{version}").set_value(unreachable)
    at.number_input(key=f"cx_threshold_{card.kpi.kpi}_{quarter.label}_{version}").set_value(0.5)
    at.text_input(key=f"cx_note_{card.kpi.kpi}_{quarter.label}_{version}").set_value("Stretch for the board")
    at.button(key="cx_propose_submit").click().run()
    assert not at.exception
    assert [s.value for s in at.success][0].startswith("New target proposed")
    assert _status_shown(at, card.kpi.kpi) == _status_text(kpis.OFF_TARGET)
    assert _card(at, card.kpi.kpi).metric[0].value == md(card.value_label)  # the value did not move
    assert "Target awaiting CIO and CMO" in " ".join(m.value for m in _card(at, card.kpi.kpi).markdown)
    history = _history(at)
    assert history["Field"].tolist()[:3] == ["Target", "At-risk threshold", "Note"]
    assert set(history["Who"]) == {"CIO"} and set(history["KPI"]) == {card.kpi.name}
    assert at.download_button(key="cx_audit_download") is not None
    # The CIO records agreement: the card now awaits only the CMO.
    at.button(key="cx_agree").click().run()
    assert "Target awaiting CMO" in " ".join(m.value for m in _card(at, card.kpi.kpi).markdown)


def test_a_stale_save_is_refused_with_a_clear_message(app, private_db):
    at = app(PAGE)
    expected = _expected(private_db, at)
    card = _pick_on_target(expected)
    _choose(at, card.kpi.kpi)
    # Meanwhile the CMO changes the same target in another session.
    engine = db.make_engine(f"duckdb:///{private_db}")
    try:
        targets.propose_target(
            engine,
            card.kpi.kpi,
            card.quarter,
            target=card.target.target,
            at_risk_threshold=None,
            note="CMO's figure",
            actor=targets.Actor("CMO", "CMO"),
            expected_version=card.target.version,
        )
    finally:
        engine.dispose()
    at.button(key="cx_propose_submit").click().run()  # based on the version the form showed
    errors = [e.value for e in at.error]
    assert errors and "was changed by CMO at" in errors[0] and "reload and try again" in errors[0]
    history = _history(at)
    assert set(history["Who"]) == {"CMO"}  # the CIO's stale save wrote nothing
    # The form now shows the CMO's version; a save based on it goes through.
    version = card.target.version + 1
    at.text_input(key=f"cx_note_{card.kpi.kpi}_{card.quarter.label}_{version}").set_value("CIO's figure")
    at.button(key="cx_propose_submit").click().run()
    assert [s.value for s in at.success][0].startswith("New target proposed")


def _links(at) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def test_a_closed_quarters_targets_are_shown_without_the_form_until_it_is_reopened(app, private_db):
    at = app(PAGE)
    card = _pick_on_target(_expected(private_db, at))
    _choose(at, card.kpi.kpi)
    assert at.button(key="cx_propose_submit") is not None  # offered while the quarter is open
    at.text_input(key=f"cx_note_{card.kpi.kpi}_{card.quarter.label}_{card.target.version}").set_value("Late")
    # Meanwhile the CFO closes the quarter in another session.
    engine = db.make_engine(f"duckdb:///{private_db}")
    try:
        closed = review.close_quarter(
            engine, FiscalCalendar(1), card.quarter, actor=targets.Actor("CFO", "CFO"), expected_version=0
        )
    finally:
        engine.dispose()
    # The form this session still showed is refused by the store, in words.
    at.button(key="cx_propose_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [md(targets.closed_message(closed))]
    # Now the target is shown without the form or the agreement button, with why and where to reopen.
    keys = {b.key for b in at.button}
    assert not {"cx_propose_submit", "cx_agree"} & keys
    assert not at.get("form")
    assert md(targets.closed_message(closed)) in [c.value for c in at.caption]
    assert f"Reopen {card.quarter.label} on the Quarterly review page" in _links(at)
    assert any(m.value.startswith(md("Current target:")) for m in at.markdown)
    engine = db.make_engine(f"duckdb:///{private_db}")
    try:
        assert targets.effective_target(engine, card.kpi.kpi, card.quarter).version == card.target.version
        review.reopen_quarter(engine, card.quarter, actor=targets.Actor("CIO", "CIO"), expected_version=closed.version)
    finally:
        engine.dispose()
    at.run()
    assert at.button(key="cx_propose_submit") is not None
    assert not [label for label in _links(at) if label.startswith("Reopen")]


def test_text_from_the_data_is_shown_literally():
    """KPI names, definitions and notes come from files: no links, directives or tags."""
    from charts.kpis import bullet_chart

    assert (
        md("[x](javascript:alert(1)) :red[hi] $x$ **b**")
        == "\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\:red\\[hi\\] \\$x\\$ \\*\\*b\\*\\*"
    )
    kpi = kpis.Kpi("x", "<a href='https://evil'>NPS</a>", "points", "higher", "Joint", "d")
    card = kpis.KpiCard(
        kpi,
        Q,
        (kpis.QuarterPoint(Q, 40.0, None),),
        kpis.Change(kpi, Q.previous(), None),
        kpis.Change(kpi, Q.same_quarter_last_year(), None),
    )
    title = bullet_chart([card]).data[0].title.text
    assert "<a href" not in title and "&lt;a href='https://evil'&gt;NPS&lt;/a&gt;" in title
