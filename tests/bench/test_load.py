"""The load test's own arithmetic (`bench/load.py`): when memory counts as levelling off, and
the percentiles it reports."""

import pytest

from bench.load import levels_off, percentile


def test_memory_that_keeps_growing_does_not_level_off():
    # 2 MB per session throughout: 200 MB per 100 sessions at the end as at the start.
    assert not levels_off([(n, 200 + 2 * n) for n in range(0, 200, 20)])


def test_memory_that_stops_growing_levels_off():
    # Up 1.5 MB per session for the first 60 sessions, then flat (Streamlit's 128 closed sessions kept).
    samples = [(n, 200 + 1.5 * min(n, 60)) for n in range(0, 200, 20)]
    assert levels_off(samples)


def test_slow_steady_growth_under_the_flat_threshold_levels_off():
    # 0.05 MB per session is 5 MB per 100 sessions: the allocator, not sessions kept.
    assert levels_off([(n, 300 + 0.05 * n) for n in range(0, 200, 20)])


def test_growth_that_slows_to_a_quarter_levels_off():
    first = [(n, 100 + 1.0 * n) for n in range(0, 80, 20)]  # 100 MB per 100 sessions
    last = [(n, 160 + 0.2 * (n - 60)) for n in range(80, 160, 20)]  # 20 MB per 100 sessions
    assert levels_off(first + last)


def test_too_few_samples_is_an_error_in_words():
    with pytest.raises(ValueError, match="at least 8 samples, got 3"):
        levels_off([(0, 1.0), (20, 2.0), (40, 3.0)])


def test_percentiles_by_hand():
    times = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert percentile(times, 50) == 5.5
    assert percentile(times, 95) == pytest.approx(9.55)
    assert percentile([], 95) is None
