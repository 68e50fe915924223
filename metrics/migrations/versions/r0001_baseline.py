"""Baseline: Bridgeboard's tables as they were when it started to use Alembic.

A frozen copy (never `metrics.schema` or the stores' metadata, which move on): the eight canonical
tables with the two stored-currency columns of spend and budget, the import bookkeeping and the
spend summary, and the app's own tables of targets, review notes, actions, closings and audits.

On a database created before Alembic this revision adopts it: it creates only the tables that are
missing, refuses (changing nothing) when a table it has lacks one of the baseline's columns, and adds
the stored-currency columns that the first databases lacked (nullable: no row breaks), as
`ensure_schema` used to. On PostgreSQL it also creates the ledger's vendor-and-date index.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from metrics.migrations import MigrationError, table_columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_tables = sa.MetaData()

sa.Table(
    "budget",
    _tables,
    sa.Column("fiscal_year", sa.Integer(), nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("department", sa.String(), nullable=False),
    sa.Column("category", sa.String(), nullable=False),
    sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column("scenario", sa.String(), nullable=True),
    sa.Column("currency", sa.String(), nullable=True),
    sa.Column("amount_original", sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column("fx_rate", sa.Double(), nullable=True),
)
sa.Table(
    "fx_rates",
    _tables,
    sa.Column("currency", sa.String(), nullable=False),
    sa.Column("month", sa.Date(), nullable=False),
    sa.Column("rate", sa.Double(), nullable=False),
)
sa.Table(
    "import_batches",
    _tables,
    sa.Column("batch_id", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("imported_at", sa.DateTime(), nullable=False),
    sa.Column("source", sa.String(), nullable=False),
    sa.Column("fingerprint", sa.String(), nullable=False),
    sa.Column("row_counts", sa.String(), nullable=False),
    sa.Column("findings", sa.String(), nullable=False),
    sa.Column("tables", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("batch_id"),
)
sa.Table(
    "kpi_actuals",
    _tables,
    sa.Column("date", sa.Date(), nullable=False),
    sa.Column("kpi", sa.String(), nullable=False),
    sa.Column("value", sa.Double(), nullable=False),
    sa.Column("segment", sa.String(), nullable=True),
)
sa.Table(
    "kpi_targets",
    _tables,
    sa.Column("kpi", sa.String(), nullable=False),
    sa.Column("fiscal_year", sa.Integer(), nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("target", sa.Double(), nullable=False),
    sa.Column("at_risk_threshold", sa.Double(), nullable=True),
    sa.Column("agreed_by_cio_on", sa.Date(), nullable=True),
    sa.Column("agreed_by_cmo_on", sa.Date(), nullable=True),
    sa.Column("note", sa.String(), nullable=True),
)
sa.Table(
    "kpis",
    _tables,
    sa.Column("kpi", sa.String(), nullable=False),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("unit", sa.String(), nullable=False),
    sa.Column("direction", sa.String(), nullable=False),
    sa.Column("owner", sa.String(), nullable=False),
    sa.Column("definition", sa.String(), nullable=False),
    sa.Column("formula", sa.String(), nullable=True),
    sa.Column("source", sa.String(), nullable=True),
    sa.Column("aggregation", sa.String(), nullable=True),
)
sa.Table(
    "requests",
    _tables,
    sa.Column("request_id", sa.String(), nullable=False),
    sa.Column("title", sa.String(), nullable=False),
    sa.Column("requested_at", sa.DateTime(), nullable=False),
    sa.Column("priority", sa.String(), nullable=False),
    sa.Column("type", sa.String(), nullable=False),
    sa.Column("requested_by", sa.String(), nullable=True),
    sa.Column("ready_at", sa.DateTime(), nullable=True),
    sa.Column("started_at", sa.DateTime(), nullable=True),
    sa.Column("delivered_at", sa.DateTime(), nullable=True),
    sa.Column("status", sa.String(), nullable=True),
    sa.Column("sla_days", sa.Double(), nullable=True),
)
sa.Table(
    "spend",
    _tables,
    sa.Column("date", sa.Date(), nullable=False),
    sa.Column("department", sa.String(), nullable=False),
    sa.Column("vendor", sa.String(), nullable=False),
    sa.Column("category", sa.String(), nullable=False),
    sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column("invoice_id", sa.String(), nullable=True),
    sa.Column("cost_center", sa.String(), nullable=True),
    sa.Column("gl_account", sa.String(), nullable=True),
    sa.Column("investment_type", sa.String(), nullable=True),
    sa.Column("expense_type", sa.String(), nullable=True),
    sa.Column("currency", sa.String(), nullable=True),
    sa.Column("description", sa.String(), nullable=True),
    sa.Column("amount_original", sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column("fx_rate", sa.Double(), nullable=True),
)
sa.Table(
    "spend_monthly",
    _tables,
    sa.Column("month", sa.Date(), nullable=False),
    sa.Column("department", sa.String(), nullable=False),
    sa.Column("category", sa.String(), nullable=False),
    sa.Column("vendor", sa.String(), nullable=False),
    sa.Column("investment_type", sa.String(), nullable=True),
    sa.Column("spend", sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column("lines", sa.Integer(), nullable=False),
)
sa.Table(
    "summary_state",
    _tables,
    sa.Column("summary", sa.String(), nullable=False),
    sa.Column("ledger_rows", sa.Integer(), nullable=False),
    sa.Column("built_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("summary"),
)
sa.Table(
    "table_calendars",
    _tables,
    sa.Column("table_name", sa.String(), nullable=False),
    sa.Column("fiscal_start_month", sa.Integer(), nullable=False),
    sa.Column("batch_id", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("table_name"),
)
sa.Table(
    "table_currencies",
    _tables,
    sa.Column("table_name", sa.String(), nullable=False),
    sa.Column("reporting_currency", sa.String(), nullable=False),
    sa.Column("batch_id", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("table_name"),
)
sa.Table(
    "vendors",
    _tables,
    sa.Column("vendor", sa.String(), nullable=False),
    sa.Column("it_approved", sa.Boolean(), nullable=False),
    sa.Column("aliases", sa.String(), nullable=True),
    sa.Column("category", sa.String(), nullable=True),
    sa.Column("contract_end", sa.Date(), nullable=True),
    sa.Column("owner", sa.String(), nullable=True),
)
sa.Table(
    "app_kpi_target_audit",
    _tables,
    sa.Column("kpi", sa.String(), nullable=False),
    sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("field", sa.String(), nullable=False),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("old_value", sa.String(), nullable=True),
    sa.Column("new_value", sa.String(), nullable=True),
    sa.PrimaryKeyConstraint("kpi", "fiscal_year", "quarter", "version", "field"),
)
sa.Table(
    "app_kpi_target_versions",
    _tables,
    sa.Column("kpi", sa.String(), nullable=False),
    sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("target", sa.Double(), nullable=False),
    sa.Column("at_risk_threshold", sa.Double(), nullable=True),
    sa.Column("note", sa.String(), nullable=True),
    sa.Column("agreed_by_cio_on", sa.Date(), nullable=True),
    sa.Column("agreed_by_cmo_on", sa.Date(), nullable=True),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("kpi", "fiscal_year", "quarter", "version"),
)
sa.Table(
    "app_review_action_versions",
    _tables,
    sa.Column("action_id", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("text", sa.String(), nullable=False),
    sa.Column("owner", sa.String(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("subject_kind", sa.String(), nullable=False),
    sa.Column("subject", sa.String(), nullable=False),
    sa.Column("raised_fiscal_year", sa.Integer(), nullable=False),
    sa.Column("raised_quarter", sa.String(), nullable=False),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("action_id", "version"),
)
sa.Table(
    "app_review_audit",
    _tables,
    sa.Column("entity", sa.String(), nullable=False),
    sa.Column("ref", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("field", sa.String(), nullable=False),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("old_value", sa.String(), nullable=True),
    sa.Column("new_value", sa.String(), nullable=True),
    sa.PrimaryKeyConstraint("entity", "ref", "version", "field"),
)
sa.Table(
    "app_review_closed_budget",
    _tables,
    sa.Column("closed_fiscal_year", sa.Integer(), nullable=False),
    sa.Column("closed_quarter", sa.String(), nullable=False),
    sa.Column("closed_version", sa.Integer(), nullable=False),
    sa.Column("fiscal_year", sa.Integer(), nullable=True),
    sa.Column("quarter", sa.String(), nullable=True),
    sa.Column("department", sa.String(), nullable=True),
    sa.Column("category", sa.String(), nullable=True),
    sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column("scenario", sa.String(), nullable=True),
    sa.Column("currency", sa.String(), nullable=True),
    sa.Index("ix_app_review_closed_budget_closing", "closed_fiscal_year", "closed_quarter", "closed_version"),
)
sa.Table(
    "app_review_closed_kpi_actuals",
    _tables,
    sa.Column("closed_fiscal_year", sa.Integer(), nullable=False),
    sa.Column("closed_quarter", sa.String(), nullable=False),
    sa.Column("closed_version", sa.Integer(), nullable=False),
    sa.Column("date", sa.Date(), nullable=True),
    sa.Column("kpi", sa.String(), nullable=True),
    sa.Column("value", sa.Double(), nullable=True),
    sa.Column("segment", sa.String(), nullable=True),
    sa.Index("ix_app_review_closed_kpi_actuals_closing", "closed_fiscal_year", "closed_quarter", "closed_version"),
)
sa.Table(
    "app_review_closed_line_sets",
    _tables,
    sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("table_name", sa.String(), nullable=False),
    sa.Column("lines", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("fiscal_year", "quarter", "version", "table_name"),
)
sa.Table(
    "app_review_closed_requests",
    _tables,
    sa.Column("closed_fiscal_year", sa.Integer(), nullable=False),
    sa.Column("closed_quarter", sa.String(), nullable=False),
    sa.Column("closed_version", sa.Integer(), nullable=False),
    sa.Column("request_id", sa.String(), nullable=True),
    sa.Column("title", sa.String(), nullable=True),
    sa.Column("requested_at", sa.DateTime(), nullable=True),
    sa.Column("priority", sa.String(), nullable=True),
    sa.Column("type", sa.String(), nullable=True),
    sa.Column("requested_by", sa.String(), nullable=True),
    sa.Column("ready_at", sa.DateTime(), nullable=True),
    sa.Column("started_at", sa.DateTime(), nullable=True),
    sa.Column("delivered_at", sa.DateTime(), nullable=True),
    sa.Column("status", sa.String(), nullable=True),
    sa.Column("sla_days", sa.Double(), nullable=True),
    sa.Index("ix_app_review_closed_requests_closing", "closed_fiscal_year", "closed_quarter", "closed_version"),
)
sa.Table(
    "app_review_closed_spend",
    _tables,
    sa.Column("closed_fiscal_year", sa.Integer(), nullable=False),
    sa.Column("closed_quarter", sa.String(), nullable=False),
    sa.Column("closed_version", sa.Integer(), nullable=False),
    sa.Column("date", sa.Date(), nullable=True),
    sa.Column("department", sa.String(), nullable=True),
    sa.Column("vendor", sa.String(), nullable=True),
    sa.Column("category", sa.String(), nullable=True),
    sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column("invoice_id", sa.String(), nullable=True),
    sa.Column("cost_center", sa.String(), nullable=True),
    sa.Column("gl_account", sa.String(), nullable=True),
    sa.Column("investment_type", sa.String(), nullable=True),
    sa.Column("expense_type", sa.String(), nullable=True),
    sa.Column("currency", sa.String(), nullable=True),
    sa.Column("description", sa.String(), nullable=True),
    sa.Index("ix_app_review_closed_spend_closing", "closed_fiscal_year", "closed_quarter", "closed_version"),
)
sa.Table(
    "app_review_note_versions",
    _tables,
    sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("subject_kind", sa.String(), nullable=False),
    sa.Column("subject", sa.String(), nullable=False),
    sa.Column("side", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("text", sa.String(), nullable=True),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("fiscal_year", "quarter", "subject_kind", "subject", "side", "version"),
)
sa.Table(
    "app_review_quarter_versions",
    _tables,
    sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("closed", sa.Boolean(), nullable=False),
    sa.Column("snapshot", sa.String(), nullable=True),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("fiscal_year", "quarter", "version"),
)

# Added to spend and budget with foreign currencies (`metrics.currency`): older databases lack them.
_ADDED_LATER = {"spend": ("amount_original", "fx_rate"), "budget": ("amount_original", "fx_rate")}


def upgrade() -> None:
    conn = op.get_bind()
    for table in _tables.sorted_tables:
        existing = table_columns(conn, table.name)
        if existing is None:
            table.create(conn)
            continue
        later = _ADDED_LATER.get(table.name, ())
        missing = [c.name for c in table.columns if c.name not in existing and c.name not in later]
        if missing:
            raise MigrationError(
                f"The table {table.name} lacks the column(s) {', '.join(missing)} that Bridgeboard's table has, so "
                "this database was not created by Bridgeboard (or was changed by hand). Nothing was changed: "
                "point Bridgeboard at an empty database or one it created, or restore a backup."
            )
        for name in later:
            if name not in existing:
                op.add_column(table.name, table.c[name]._copy())
    if conn.dialect.name == "postgresql":
        # The drill-down to invoice lines stays on the ledger: a vendor's lines in a quarter by index
        # (DuckDB scans its columns fast enough and pays for an index on every insert).
        op.create_index("spend_vendor_date", "spend", ["vendor", "date"], if_not_exists=True)


def downgrade() -> None:
    # Every table, with what users entered in it: `python -m metrics db downgrade base` asks first.
    for table in reversed(_tables.sorted_tables):
        op.drop_table(table.name)
