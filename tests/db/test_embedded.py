"""The embedded default: built from the CSV folder, rebuilt only when the files change."""

import shutil
from pathlib import Path

from metrics import db, sources
from metrics.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_built_once_then_reused_until_files_change(tmp_path):
    folder = tmp_path / "csv"
    shutil.copytree(SAMPLE, folder)
    settings = Settings(data_dir=folder, embedded_db=tmp_path / "e.duckdb")
    first = sources.ensure_embedded(settings)
    assert first.imported is not None and not first.reused
    again = sources.ensure_embedded(settings)
    assert again.reused and again.imported is None
    assert again.findings == first.findings  # the report is kept with the import
    # Touching a file without changing it does not rebuild; changing content does.
    (folder / "kpis.csv").write_bytes((folder / "kpis.csv").read_bytes())
    assert sources.ensure_embedded(settings).reused
    with (folder / "spend.csv").open("a") as f:
        f.write("2026-09-30,IT,Atlassian,Collaboration,10.00,INV-9999999,,,,,,\n")
    rebuilt = sources.ensure_embedded(settings)
    assert (
        rebuilt.imported is not None and rebuilt.imported.row_counts["spend"] == first.imported.row_counts["spend"] + 1
    )


def test_folder_with_errors_keeps_previous_data(tmp_path):
    folder = tmp_path / "csv"
    shutil.copytree(SAMPLE, folder)
    settings = Settings(data_dir=folder, embedded_db=tmp_path / "e.duckdb")
    good = sources.ensure_embedded(settings)
    (folder / "budget.csv").write_text("fiscal_year,quarter,department,category,amount\n2026,Q5,IT,CRM,1\n")
    bad = sources.ensure_embedded(settings)
    assert bad.errors and bad.imported is None
    engine = sources.embedded_engine(settings)
    try:
        assert db.latest_batch(engine).batch_id == good.imported.batch_id
    finally:
        engine.dispose()
