"""The app shows nothing under a fiscal calendar the budgets and targets were not imported under,
and says why and what to do."""

from tests.app.conftest import open_page


def test_a_changed_fiscal_start_stops_every_page_with_the_reason(sample_env, monkeypatch):
    assert not open_page().exception  # the sample is imported under the default January start
    monkeypatch.setenv("BRIDGEBOARD_FISCAL_START_MONTH", "7")
    at = open_page("pages/1_Tech_spend.py")
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert "imported with the fiscal year starting in January" in text and "now 7 (July)" in text
    assert not at.get("plotly_chart"), "no figure is shown under the other calendar"
