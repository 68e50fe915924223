"""The header row: which file column holds which contract column."""

from __future__ import annotations

import numpy as np

from metrics import contract
from metrics.contract import Table
from metrics.csvread import RawTable
from metrics.validation.findings import ERROR, WARNING, _Findings, _show


def _map_header(table: Table, raw: RawTable, out: _Findings) -> dict[str, int]:
    """Canonical column name -> position in the file; reports unknown, blank, duplicate and
    missing columns."""
    accepted = contract.header_map(table)
    positions: dict[str, int] = {}
    line = raw.header_line
    for i, cell in enumerate(raw.header):
        label = f"column {i + 1} ({_column_letter(i)})"
        normalised = contract.normalise_header(cell)
        if not normalised:
            used = np.flatnonzero((raw.rows[str(i)] != "").to_numpy())
            if len(used):
                out.add(
                    ERROR,
                    f"{label} has no header but holds data (line {raw.rows['_line'].iat[used[0]]})",
                    "add a header to the column, or delete the column",
                    line=line,
                    value=raw.rows[str(i)].iat[used[0]],
                )
            else:
                out.add(
                    WARNING,
                    f"{label} has no header and no data; it is ignored",
                    "nothing to do; delete the empty column to silence this warning",
                    line=line,
                )
            continue
        name = accepted.get(normalised)
        if name is None:
            out.add(
                WARNING,
                f"column {_show(cell)} is not a {table.name} column and is ignored",
                f"if it holds one of the expected columns, rename it to: {', '.join(table.column_names)}",
                line=line,
                column=_show(cell)[1:-1],
                value=cell,
            )
        elif name in positions:
            first = raw.header[positions[name]]
            out.add(
                ERROR,
                f"columns {first!r} ({_column_letter(positions[name])}) and {cell!r} "
                f"({_column_letter(i)}) both mean {name}",
                "keep one of them and delete or rename the other",
                line=line,
                column=name,
                value=cell,
            )
        else:
            positions[name] = i

    missing = [c.name for c in table.required if c.name not in positions]
    if missing:
        found = ", ".join(repr(c) for c in raw.header if c) or "none"
        accepted_names = "; ".join(f"{m}: {', '.join((m, *table.column(m).aliases))}" for m in missing)
        out.add(
            ERROR,
            f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)} (columns found: {found})",
            f"add the missing column{'s' if len(missing) > 1 else ''} or rename the header "
            f"(accepted names - {accepted_names})",
            line=line,
            column=", ".join(missing),
        )
    return positions


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
