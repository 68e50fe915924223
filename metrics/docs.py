"""The README's data-contract section, generated from the contract so the two never drift.

`python -m metrics.docs` prints it (`python -m metrics.docs glossary` the spend glossary,
`python -m metrics.docs turnaround` the request turnaround definitions); a test checks that the
README contains each verbatim.
"""

from __future__ import annotations

from collections.abc import Callable

from metrics.contract import TABLES, Column

KIND_TEXT = {
    "text": "text",
    "id": "text (kept as written, leading zeros kept)",
    "enum": "one of",
    "date": "date",
    "datetime": "date or date-time",
    "money": "money",
    "number": "number",
    "int": "whole number",
    "bool": "yes/no",
}


def _kind(c: Column) -> str:
    if c.kind == "enum":
        return "one of " + ", ".join(f"`{v}`" for v in c.allowed)
    return KIND_TEXT[c.kind]


def contract_markdown() -> str:
    out: list[str] = []
    for t in TABLES.values():
        out.append(f"### `{t.name}.csv`\n")
        out.append(f"{t.description}")
        if t.key:
            out.append(f" Rows are unique on {', '.join(f'`{k}`' for k in t.key)}.")
        out.append("\n\n| column | required | type | also accepted as | meaning |\n|---|---|---|---|---|\n")
        for c in t.columns:
            aliases = ", ".join(f"`{a}`" for a in c.aliases) or ""
            out.append(f"| `{c.name}` | {'yes' if c.required else 'no'} | {_kind(c)} | {aliases} | {c.description} |\n")
        header = ",".join(c.name for c in t.columns)
        example = ",".join(_csv_cell(c.example) for c in t.columns)
        out.append(f"\nExample:\n\n```csv\n{header}\n{example}\n```\n\n")
    return "".join(out).rstrip() + "\n"


def glossary_markdown() -> str:
    """The spend definitions the Tech spend page shows, as a README table."""
    from metrics.spend import GLOSSARY

    rows = "".join(f"| {term} | {text} |\n" for term, text in GLOSSARY.items())
    return "| term | definition |\n|---|---|\n" + rows


def turnaround_markdown() -> str:
    """The request turnaround definitions the Request turnaround page shows, as a README table."""
    from metrics.turnaround.wording import DEFINITIONS

    rows = "".join(f"| {term} | {text} |\n" for term, text in DEFINITIONS.items())
    return "| term | definition |\n|---|---|\n" + rows


def headline_markdown() -> str:
    """The Overview's five numbers as the tiles define them, as a README list."""
    from metrics.headline import definitions_markdown

    return definitions_markdown()


def _csv_cell(v: str) -> str:
    return f'"{v}"' if ("," in v or '"' in v) else v


if __name__ == "__main__":
    import sys

    sections: dict[tuple[str, ...], Callable[[], str]] = {
        ("glossary",): glossary_markdown,
        ("turnaround",): turnaround_markdown,
        ("headline",): headline_markdown,
    }
    print(sections.get(tuple(sys.argv[1:]), contract_markdown)(), end="")
