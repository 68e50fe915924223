"""The lean read of a CSV file (issue 13): the same results as before without whole-file copies."""

from __future__ import annotations

import random

import pytest

from metrics.csvread import _check_utf8, read_raw_table, read_raw_table_owned

pytestmark = pytest.mark.fast

_PIECES = [b"a", b"\n", "é".encode(), "€".encode(), "😀".encode(), b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80"]


def _first_bad_byte(data: bytes) -> int | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start
    return None


@pytest.mark.parametrize("block", [1, 2, 3, 4, 7])
def test_utf8_check_by_blocks_finds_the_same_byte_as_decoding_the_whole_file(block):
    rng = random.Random(13)
    for _ in range(3000):
        data = b"".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))
        try:
            _check_utf8(data, block)
            found = None
        except UnicodeDecodeError as e:
            found = e.start
        assert found == _first_bad_byte(data), data


def test_owned_read_takes_the_bytes_and_gives_the_same_table():
    data = ('date,vendor,amount\n2026-01-02,\u200bAcme\u00a0 ,12.50\n,,\n"2026-01-03","Multi\nline",\t7\n').encode()
    holder = [data]
    owned = read_raw_table_owned(holder)
    assert holder == []
    plain = read_raw_table(data)
    assert owned.rows.equals(plain.rows)
    assert owned.rows["1"].tolist() == ["Acme", "Multi\nline"]
    assert owned.rows["_line"].tolist() == [2, 4]
