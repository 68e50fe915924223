import plotly.graph_objects as go

from charts.theme import base_figure, money_axis


def test_money_ticks_match_the_text_style():
    fig = base_figure()
    fig.add_bar(x=["Q1", "Q2"], y=[2_300_000, 2_600_000], name="Marketing")
    fig.add_bar(x=["Q1", "Q2"], y=[6_200_000, 6_400_000], name="IT")
    fig.update_layout(barmode="stack")
    money_axis(fig)
    # Stacked: the axis must reach the totals (8.5M, 9.0M), at a round step.
    assert list(fig.layout.yaxis.tickvals) == [0, 2_000_000, 4_000_000, 6_000_000, 8_000_000, 10_000_000]
    assert list(fig.layout.yaxis.ticktext) == ["$0", "$2M", "$4M", "$6M", "$8M", "$10M"]


def test_horizontal_bars_and_negative_values():
    fig = base_figure()
    fig.add_bar(y=["CRM", "Cloud"], x=[-150_000, 800_000], orientation="h")
    money_axis(fig, "xaxis")
    assert fig.layout.xaxis.ticktext[0] == "-$200K" and "$800K" in fig.layout.xaxis.ticktext
    assert "$0" in fig.layout.xaxis.ticktext


def test_labels_gain_decimals_only_when_needed():
    fig = base_figure()
    fig.add_scatter(x=[1, 2], y=[1_000_000, 2_500_000])
    money_axis(fig)
    labels = list(fig.layout.yaxis.ticktext)
    assert len(set(labels)) == len(labels) and "$2.5M" in labels


def test_no_numbers_falls_back_to_si_format():
    fig = money_axis(go.Figure())
    assert fig.layout.yaxis.tickformat == "~s"


def test_one_palette_for_plotly_and_streamlit():
    """Plotly's colorway and Streamlit's chartCategoricalColors are the same list, in the same
    order, starting with the department colours."""
    import tomllib
    from pathlib import Path

    from charts.theme import DEPARTMENT_COLOURS, SEQUENCE, TEMPLATE

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["theme"]["chartCategoricalColors"] == SEQUENCE
    assert list(TEMPLATE.layout.colorway) == SEQUENCE
    assert SEQUENCE[:3] == [DEPARTMENT_COLOURS[d] for d in ("Marketing", "IT", "Joint")]


def test_overtaking_is_called_out_only_up_to_the_selected_quarter():
    """With a past quarter selected, a later quarter's news is not drawn on its chart."""
    import pandas as pd

    from charts.spend import spend_by_quarter_chart
    from metrics import spend
    from metrics.fiscal import FiscalQuarter

    rows = [("FY2026 Q1", 2026, 1, d, v) for d, v in (("Marketing", 1.0), ("IT", 4.0))]
    rows += [("FY2026 Q2", 2026, 2, d, v) for d, v in (("Marketing", 5.0), ("IT", 1.0))]
    by_q = pd.DataFrame(rows, columns=["quarter", "fiscal_year", "fiscal_quarter", "department", "spend"])
    by_q["lines"] = 1
    split = spend.quarterly_split(by_q)
    overtakes = spend.overtake_quarters(split)
    assert overtakes == [FiscalQuarter(2026, 2)]

    def callouts(selected):
        fig = spend_by_quarter_chart(split, split, spend.DEPARTMENT_ORDER, overtakes, selected)
        return [a.text for a in fig.layout.annotations if a.text == "Marketing overtakes IT"]

    assert callouts(FiscalQuarter(2026, 2)) == ["Marketing overtakes IT"]
    assert callouts(FiscalQuarter(2026, 1)) == []


def test_kpi_unit_is_text_in_the_bullet_number():
    """The bullet chart's number suffix is the KPI's unit, from data: Plotly renders <b>, <a href>
    in it otherwise (issue 14: a unit made the scorecard's numbers bold)."""
    from charts.kpis import _suffix

    assert _suffix("<b>html</b>") == " &lt;b&gt;html&lt;/b&gt;"
    assert _suffix("%") == "%"
    assert _suffix("") == ""
