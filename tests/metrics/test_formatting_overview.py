import pytest

from metrics.formatting import money, money_exact, points, share


@pytest.mark.parametrize(
    "value, text",
    [
        (1_234_567, "$1.2M"),
        (-1500, "-$1.5K"),
        (999, "$999"),
        (0, "$0"),
        (999_950, "$1.0M"),
        (2_500_000_000, "$2.5B"),
        (None, "no data"),
        (float("nan"), "no data"),
    ],
)
def test_money(value, text):
    assert money(value) == text


@pytest.mark.parametrize("value, text", [(600_000, "$600K"), (999_600, "$1M"), (1_400_000, "$1M"), (0, "$0")])
def test_money_without_decimals(value, text):
    assert money(value, decimals=0) == text


def test_other_formats():
    assert money_exact(-1234.5) == "-$1,234.50"
    assert share(0.384) == "38%"
    assert points(0.04) == "+4 pts"
    assert share(None) == "no data"
