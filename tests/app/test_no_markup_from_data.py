"""No markup from data: a static review of every place the app hands text to Streamlit's Markdown.

Streamlit renders Markdown (images, links, bare URLs, emphasis, `:red[...]`, `$...$` KaTeX) in far
more places than `st.markdown`: captions, alerts, toasts, metric labels *values and deltas*,
badges, headers, expander / button / link labels and every `help=` tooltip. Data (vendor,
category, KPI name and unit, request titles and teams...) must reach them only through the one
helper, `app.text.plain` (or `masked_plain`, `badge_plain` for `st.badge`).

This test reads `dashboard.py`, `pages/` and `app/` with `ast` and fails on every such argument
that is not **safe**. Safe, precisely:

- a literal (str, number, None, bool);
- a call of a helper: `plain`, `masked_plain`, `badge_plain`, or a name bound to
  `functools.partial` of one of them (`shown = partial(masked_plain, mask)`);
- a number formatted by `metrics.formatting` (`money`, `share`, `points`, `percent`, `compact`)
  or by the built-ins `len`, `int`, `round`, `sum`, `abs`, `float`;
- an f-string whose every interpolation is safe, or carries a numeric / date format spec
  (`{total:,}`, `{pct:.0%}`, `{when:%d %b %Y}`: a string with such a spec raises, so it is a number
  or a date);
- `a + b`, `a if c else b`, `a or b`, `"sep".join(...)`, a list / tuple, or a comprehension whose
  parts are safe;
- a name every one of whose assignments (and `.append` / `.extend` arguments) in the module is
  safe: "a name known to hold escaped text";
- an expression in `ALLOWED` below: the justified exceptions, each with its reason.

The options of `st.pills`, `st.segmented_control` and `st.radio` are Markdown too: they must be
the code's constants (an ALL_CAPS name, `list()` of one, or a list of literals) or be shown through
a helper as `format_func`. Selectbox and multiselect options are plain text (Streamlit's docs).

A planted unescaped call is shown to fail (`test_checker_flags_a_planted_unescaped_call`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HELPERS = {"plain", "masked_plain", "badge_plain"}
NUMBER_FORMATTERS = {"money", "share", "points", "percent", "compact", "len", "int", "round", "sum", "abs", "float"}

# Streamlit calls whose text is Markdown: every positional argument and these keywords are checked.
MARKDOWN_CALLS = {
    "markdown",
    "caption",
    "metric",
    "write",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "badge",
    "title",
    "header",
    "subheader",
    "expander",
    "status",
    "page_link",
}
# Widgets and other calls whose *label* (first argument) is Markdown; their other positional
# arguments are options or data, shown as plain text.
LABEL_CALLS = {
    "button",
    "download_button",
    "form_submit_button",
    "link_button",
    "toggle",
    "checkbox",
    "selectbox",
    "multiselect",
    "radio",
    "pills",
    "segmented_control",
    "text_input",
    "text_area",
    "number_input",
    "file_uploader",
    "date_input",
    "slider",
    "tabs",
    "popover",
}
# Widgets whose *options* are Markdown too (st.pills, st.segmented_control, st.radio): their options
# must be the code's constants (an ALL_CAPS name, or `list()` of one), or be shown through a helper
# given as `format_func`. (Selectbox and multiselect options are plain text.)
OPTION_CALLS = {"pills", "segmented_control", "radio"}
TEXT_KEYWORDS = {"help", "label", "body", "title"}
METRIC_KEYWORDS = {"value", "delta", "delta_description"}  # st.metric renders these as Markdown too
# Calls checked only when made on Streamlit (st.x, st.sidebar.x) or on a Streamlit container
# variable; `.write` on a file or a buffer is not Markdown.
AMBIGUOUS = {"write", "title", "status", "header", "update"}

# Justified exceptions: an expression (as `ast.unparse` writes it) and why it cannot carry data.
# Numbers, dates, quarter labels, the contract's own names and the app's own words only.
ALLOWED: dict[str, str] = {
    "q.label": "fiscal quarter label ('FY2026 Q3'), built from two integers (metrics.fiscal)",
    "quarter.label": "fiscal quarter label, built from integers",
    "target_quarter.label": "fiscal quarter label, built from integers",
    "change.versus.label": "fiscal quarter label, built from integers",
    "last_year.versus.label": "fiscal quarter label, built from integers",
    "q.previous().label": "fiscal quarter label, built from integers",
    "q.fiscal_year": "an integer",
    "by_quarter['quarter'].iloc[0]": "fiscal quarter label, built from integers",
    "by_quarter['quarter'].iloc[-1]": "fiscal quarter label, built from integers",
    "order[i - 1].label": "page labels: constants of app.navigation",
    "order[i + 1].label": "page labels: constants of app.navigation",
    "order[0].label": "page labels: constants of app.navigation",
    "page.label": "page labels: constants of app.navigation",
    "ctx.period_label": "quarter label and dates formatted with strftime (app.context)",
    "filters.department_label": "departments validated against the contract's three names",
    "ctx.filters.department_label.lower()": "departments validated against the contract's three names",
    "status.imported_at": "a timestamp formatted by strftime in app.data",
    "status.batch_id": "an integer",
    "ctx_status.imported_at": "a timestamp formatted by strftime in app.data",
    "ctx_status.error_count": "an integer",
    "ctx_status.warning_count": "an integer",
    "status.message": "the app's own sentences in app.data / app.shell (no data, no path)",
    "backlog.as_of_label": "a date formatted by strftime (metrics.turnaround)",
    "kpi.direction_label": "'Higher is better' / 'Lower is better': direction is validated",
    "kpi.aggregation": "validated against the contract's five aggregation names",
    "card.kpi.owner": "validated against the contract's owners (CIO, CMO, Joint)",
    "card.agreement_label": "the app's words and strftime dates (metrics.kpis)",
    "status_text(card.status)": "a status symbol and one of the five status words",
    "result.message": "import outcome: counts, table names and the app's words (app.uploads)",
    "report.summary()": "counts and the contract's table names (metrics.validation)",
    "db.IMPORT_BUSY": "a constant sentence of metrics.db",
    "type(exc).__name__": "an exception class name (never its message, which may quote data)",
    "t.value": "a headline figure: money, share, counts or days (metrics.headline formats numbers only)",
    "t.help": "the headline definitions: constants of metrics.headline",
    "t.label": "the headline tiles' names: constants of metrics.headline",
    "headline.total_delta_label(currency=ctx.symbol)": "a money amount and a quarter label (metrics.spend)",
    "variance.verdict": "'favourable' / 'unfavourable' / 'on budget'",
    "spend.variance_words(variance.variance, zero=None, currency=ctx.symbol)": "a money amount and fixed words",
    "settings.reporting_currency": "a three-letter ISO code, validated by metrics.settings",
    "spend.variance_percent(pct, signed=True)": "a formatted percentage",
    "ta.days_label(turnaround.within_days if turnaround else None)": "a number of days",
    "ta.days_label(turnaround.p50 if turnaround else None)": "a number of days",
    "ta.within_delta_label(turnaround)": "a number of days and a quarter label",
    "ta.sla_defaults_text()": "the SLA constants of metrics.turnaround",
    "ta.definitions_markdown()": "the documented definitions (constants of metrics.turnaround)",
    "ta.BREAKDOWNS[dimension]": "constant column names of metrics.turnaround",
}
# The same, for names that only mean something in one file.
FILE_ALLOWED: dict[tuple[str, str], str] = {
    ("app/boardpack.py", "label"): "the format names of boardpack.FORMATS (constants)",
    ("app/access.py", "label"): "data_page_link(): every caller passes one of the app's own literal labels",
    ("app/access.py", "access.SIGN_IN_REQUIRED"): "a constant of metrics.access: the app's own words",
    ("app/access.py", "access.SIGN_IN_REQUIRED_FIX"): "a constant of metrics.access: the app's own words",
    ("app/data.py", "unavailable_message(exc)"): "the app's own words, an exception's type name, a setting's number",
    ("app/shell.py", "status.rebuild_fault"): "the words of metrics.sources' RebuildFault constants",
    ("pages/9_Data.py", "status.rebuild_fault"): "the words of metrics.sources' RebuildFault constants",
    ("app/shell.py", "missing"): "missing_data_message(): the app's words and the contract's table names",
    ("pages/1_Tech_spend.py", "term"): "spend.GLOSSARY keys: constants of metrics.spend",
    ("pages/1_Tech_spend.py", "text"): "spend.GLOSSARY values: constants of metrics.spend",
    ("pages/1_Tech_spend.py", "k.capitalize()"): "constant column names",
    ("pages/1_Tech_spend.py", "c.capitalize()"): "spend.DRILL_LEVELS: constant column names",
    ("pages/1_Tech_spend.py", "d"): "department names: the contract's constants",
    ("dashboard.py", "dept"): "department names: the contract's constants",
    ("dashboard.py", "t.label"): "the headline tiles' names: constants of metrics.headline",
    ("pages/9_Data.py", "n"): "the contract's table names (metrics.contract.TABLES)",
    ("pages/9_Data.py", "name"): "the contract's table names, written by the import's progress callback",
    ("app/mapping_builder.py", "name"): "the contract's table names, written by the import's progress callback",
    ("app/mapping_builder.py", "table"): "the contract's table name chosen in a selectbox of constants",
    ("app/mapping_builder.py", "target"): "a canonical column name of the contract",
    ("app/mapping_builder.py", "column.name"): "a canonical column name of the contract",
    ("app/mapping_builder.py", "default"): "a canonical column name of the contract (the suggestion)",
    ("app/mapping_builder.py", "_HOW[how]"): "constant words: how the suggestion was made",
    ("pages/2_Customer_experience.py", "role"): "one of metrics.targets.ROLES (a selectbox of constants)",
    ("pages/9_Data.py", "errors"): "a count of findings",
    ("pages/9_Data.py", "warnings"): "a count of findings",
    ("pages/9_Data.py", "i"): "the import's progress callback: a table's position (an integer)",
    ("app/mapping_builder.py", "i"): "the import's progress callback: a table's position (an integer)",
    ("app/mapping_builder.py", "n"): "the import's progress callback: the number of tables",
    ("app/importers.py", "counts"): "the contract's table names and row counts of the import",
    ("app/importers.py", "result.batch_id"): "an integer",
    ("app/shell.py", "total"): "a sum of row counts",
    ("dashboard.py", "mask(t.value)"): "a headline figure: money, share, counts or days (metrics.headline)",
    ("dashboard.py", "'\\n'.join((f'- *{name}*: ' + ' · '.join(lines) for name, lines in said))"): (
        "page names (constants of metrics.review) and app.review.short_lines(), which makes the notes literal"
    ),
    ("pages/2_Customer_experience.py", "line"): "app.review.short_lines(): the notes made literal with plain()",
    ("pages/4_Quarterly_review.py", "number"): "the agenda item's number (an integer)",
    ("app/review.py", "title"): "the section titles the pages pass: constants",
    (
        "app/review.py",
        "note_markdown(n, ctx)",
    ): "the note through metrics.review.safe_markdown (no HTML, images, colour)",
    ("app/review.py", "', '.join(sides)"): "the writing sides: constants of metrics.review (CIO, CMO, CFO)",
    ("app/review.py", "role"): "one of metrics.targets.ROLES (a selectbox of constants)",
    ("app/review.py", "review.SUBJECT_KINDS[chosen]"): "the subject kinds: constants of metrics.review",
    ("app/deck.py", "label"): "the deck's own words (Previous, Next) and page names: constants of app.navigation",
    ("app/deck.py", "f'**{index + 1} / {max(len(slides), 1)}**'"): "the slide number: integers",
}
# Calls whose `**kwargs` result is known to be escaped inside (they build metric deltas).
SAFE_KWARG_BUILDERS = {"kx.metric_delta", "delta_arguments"}
# Raw HTML: the one constant stylesheet (see README "Why one stylesheet").
HTML_ALLOWED = {("app/shell.py", "PRESENTATION_CSS")}


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    call: str
    argument: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.call}(... {self.argument} ...)"


class Module:
    """One source file: its assignments, so that names can be judged by what they hold."""

    def __init__(self, rel: str, source: str) -> None:
        self.rel = rel
        self.tree = ast.parse(source)
        self.assigned: dict[str, list[ast.expr]] = {}
        self.helpers = set(HELPERS)
        self.streamlit_vars: set[str] = {"st"}
        self.functions: dict[str, list[ast.expr | None]] = {
            f.name: [r.value for r in ast.walk(f) if isinstance(r, ast.Return)]
            for f in ast.walk(self.tree)
            if isinstance(f, ast.FunctionDef)
        }
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                self._bind(node.target, node.value)
            elif isinstance(node, (ast.For, ast.comprehension)):
                self._bind(node.target, None)  # loop variables hold whatever they iterate: unsafe
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("append", "extend") and isinstance(node.func.value, ast.Name):
                    arg = node.args[0] if node.args else None
                    if node.func.attr == "append" and arg is not None:
                        arg = ast.List(elts=[arg], ctx=ast.Load())
                    self.assigned.setdefault(node.func.value.id, []).append(arg)  # type: ignore[arg-type]
            elif isinstance(node, (ast.With,)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, None)
                        if isinstance(item.optional_vars, ast.Name) and _rooted_at_st(item.context_expr):
                            self.streamlit_vars.add(item.optional_vars.id)
            elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
                args = node.args
                for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                    self.assigned.setdefault(a.arg, []).append(None)  # type: ignore[arg-type]
        for name, values in self.assigned.items():
            if values and all(_is_partial_of(v, HELPERS) for v in values):
                self.helpers.add(name)
            if values and all(v is not None and _rooted_at_st(v) for v in values):
                self.streamlit_vars.add(name)

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.assigned.setdefault(target.id, []).append(value)  # type: ignore[arg-type]
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            for i, t in enumerate(target.elts):
                self._bind(t, values[i] if values and len(values) == len(target.elts) else None)

    def is_safe(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> bool:
        if node is None:
            return False
        text = ast.unparse(node)
        if text in ALLOWED or (self.rel, text) in FILE_ALLOWED:
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.BinOp) and any(
            isinstance(side, ast.Constant) and isinstance(side.value, (int, float)) for side in (node.left, node.right)
        ):
            return True  # arithmetic with a number: a number (a string would raise)
        if isinstance(node, ast.Dict):
            return all(self.is_safe(v, seen) for v in node.values)
        if isinstance(node, ast.Subscript):
            return self.is_safe(node.value, seen)  # an item of a safe constant mapping
        if isinstance(node, ast.JoinedStr):
            return all(self.is_safe(v, seen) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return _numeric_spec(node.format_spec) or self.is_safe(node.value, seen)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.is_safe(node.left, seen) and self.is_safe(node.right, seen)
        if isinstance(node, ast.IfExp):
            return self.is_safe(node.body, seen) and self.is_safe(node.orelse, seen)
        if isinstance(node, ast.BoolOp):
            return all(self.is_safe(v, seen) for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(self.is_safe(e, seen) for e in node.elts)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return self.is_safe(node.elt, seen)
        if isinstance(node, ast.Name):
            if node.id in seen:
                return True  # a cycle (x = x + ...): judged by its other assignments
            values = self.assigned.get(node.id)
            return bool(values) and all(self.is_safe(v, seen | {node.id}) for v in values)
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in self.functions:  # a function of this module: judged by what it returns
                if name in seen:
                    return True
                returns = self.functions[name]
                return bool(returns) and all(self.is_safe(r, seen | {name}) for r in returns)
            if name in self.helpers or name.rsplit(".", 1)[-1] in HELPERS:
                return True
            if name.rsplit(".", 1)[-1] in NUMBER_FORMATTERS:
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr == "join":
                return self.is_safe(node.func.value, seen) and all(self.is_safe(a, seen) for a in node.args)
        return False

    def findings(self) -> Iterator[Finding]:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            method = node.func.attr
            receiver = node.func.value
            on_streamlit = _rooted_at_st(receiver) or (
                isinstance(receiver, ast.Name) and receiver.id in self.streamlit_vars
            )
            call = _dotted(node.func)
            if method == "html" and on_streamlit:
                arg = node.args[0] if node.args else None
                if not (isinstance(arg, ast.Name) and (self.rel, arg.id) in HTML_ALLOWED):
                    yield Finding(self.rel, node.lineno, call, ast.unparse(arg) if arg else "")
                continue
            for kw in node.keywords:
                if kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant) and not kw.value.value):
                    yield Finding(self.rel, node.lineno, call, "unsafe_allow_html=True")
            if method in AMBIGUOUS and not on_streamlit:
                continue
            if method in MARKDOWN_CALLS or method in LABEL_CALLS or method == "update":
                checked = list(node.args) if method in MARKDOWN_CALLS else node.args[:1]
                if method == "page_link":
                    checked = []  # its first argument is the page's path; the label is a keyword
                for arg in checked:
                    if not self.is_safe(arg):
                        yield Finding(self.rel, node.lineno, call, ast.unparse(arg))
            if method in OPTION_CALLS and on_streamlit:
                options = node.args[1] if len(node.args) > 1 else _keyword(node, "options")
                shown_by = _keyword(node, "format_func")
                by_helper = shown_by is not None and (
                    _dotted(shown_by) in self.helpers or _dotted(shown_by).rsplit(".", 1)[-1] in HELPERS
                )
                if options is not None and not (_constant_options(options) or by_helper):
                    yield Finding(self.rel, node.lineno, call, f"options {ast.unparse(options)}")
            for kw in node.keywords:
                keywords = TEXT_KEYWORDS | (METRIC_KEYWORDS if method == "metric" else set())
                if kw.arg in keywords and not self.is_safe(kw.value):
                    yield Finding(self.rel, node.lineno, call, f"{kw.arg}={ast.unparse(kw.value)}")
                if kw.arg is None and (method in MARKDOWN_CALLS or method in LABEL_CALLS):
                    builder = _dotted(kw.value.func) if isinstance(kw.value, ast.Call) else ""
                    if builder not in SAFE_KWARG_BUILDERS:
                        yield Finding(self.rel, node.lineno, call, f"**{ast.unparse(kw.value)}")


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def _constant_options(node: ast.expr) -> bool:
    """`OWNERS`, `kpis.STATUSES`, `list(ta.BREAKDOWNS)`, `["Errors", "Warnings"]`: the code's own."""
    if isinstance(node, ast.Call) and _dotted(node.func) in ("list", "tuple") and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    return isinstance(node, (ast.Name, ast.Attribute)) and _dotted(node).rsplit(".", 1)[-1].isupper()


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ast.unparse(node)


def _rooted_at_st(node: ast.expr) -> bool:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id == "st"


def _is_partial_of(node: ast.expr | None, helpers: set[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and _dotted(node.func) in ("partial", "functools.partial")
        and bool(node.args)
        and _dotted(node.args[0]) in helpers
    )


def _numeric_spec(spec: ast.expr | None) -> bool:
    """A format spec that only numbers and dates accept: ',', '.1f', '.0%', 'd', '%Y-%m-%d'."""
    if not isinstance(spec, ast.JoinedStr) or not all(isinstance(v, ast.Constant) for v in spec.values):
        return False
    text = "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))
    return bool(text) and ("%" in text or text[-1] in "dfFeEgGn%xXob," or text.endswith("_"))


def source_files() -> list[Path]:
    return [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "app").glob("*.py"))]


def check(rel: str, source: str) -> list[Finding]:
    return list(Module(rel, source).findings())


def test_every_markdown_call_in_the_app_is_safe():
    findings = [f for p in source_files() for f in check(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))]
    assert not findings, "data may reach Streamlit's Markdown unescaped:\n" + "\n".join(map(str, findings))


def test_the_checker_reads_every_page_and_helper():
    names = {str(p.relative_to(ROOT)) for p in source_files()}
    assert {"dashboard.py", "pages/2_Customer_experience.py", "app/shell.py", "app/kpis.py"} <= names


PLANTED = """
import streamlit as st
from app.text import plain

def card(kpi):
    st.metric(plain(kpi.name), f"{kpi.value:,.1f} {kpi.unit}")
"""


def test_checker_flags_a_planted_unescaped_call():
    """The KPI unit of issue 14, planted unescaped in a metric value: the checker names it."""
    findings = check("planted.py", PLANTED)
    assert [f.argument for f in findings] == ["f'{kpi.value:,.1f} {kpi.unit}'"]
    fixed = PLANTED.replace("{kpi.unit}", "{plain(kpi.unit)}")
    assert check("planted.py", fixed) == []


def test_checker_flags_each_kind_of_unsafe_argument():
    cases = {
        "st.caption(row.title)": "row.title",
        "st.toast(f'Saved {name}')": "f'Saved {name}'",
        "st.info('x', help=vendor)": "help=vendor",
        "st.badge(team)": "team",
        "st.sidebar.markdown('**' + vendor + '**')": "'**' + vendor + '**'",
        "st.markdown(vendor, unsafe_allow_html=True)": "unsafe_allow_html=True",
        "st.html(body)": "body",
        "st.write(desc)": "desc",
        "st.error(msg, title=vendor)": "title=vendor",
        "st.metric('Spend', '1', **deltas(x))": "**deltas(x)",
        "st.button(vendor)": "vendor",
        "st.pills('Team', teams)": "options teams",
        "st.radio('Team', options=list(teams), format_func=str.upper)": "options list(teams)",
    }
    for line, argument in cases.items():
        source = f"import streamlit as st\nvendor = team = name = desc = msg = body = teams = input()\nrow = load()\n{line}\n"
        found = [f.argument for f in check("planted.py", source)]
        assert argument in found, (line, found)


def test_checker_accepts_what_is_safe():
    source = """
import streamlit as st
from functools import partial
from app.text import masked_plain, plain
from metrics.formatting import money
shown = partial(masked_plain, mask)
label = plain(row.vendor)
lines = [plain(a)]
lines.append(f"**Formula:** {plain(b)}")
st.markdown(label)
st.markdown("\\n\\n".join(lines))
st.caption(f"{total:,} rows · {money(x)} · {when:%Y-%m-%d}")
st.metric("Spend", money(v), shown(delta) if delta else None, help="Literal.")
st.markdown(shown(s) + " and more")
st.pills("Owner", list(OWNERS), format_func=status_text)
st.segmented_control("Team", teams, format_func=plain)
with open("f") as fh:
    fh.write(row.vendor)
"""
    assert check("planted.py", source) == []
