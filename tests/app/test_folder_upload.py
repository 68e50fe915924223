"""A whole folder uploaded on the Data page: browsers name its files with their folder's path; the
table files are read by their own name and everything else is left out, as a folder import does."""

from app.uploads import folder_files


def test_table_files_by_their_own_name_and_the_rest_left_out():
    folder = folder_files(
        {
            "export/2026-q3/Spend.csv": b"s",
            "export\\2026-q3\\budget.CSV": b"b",
            "export/2026-q3/notes.csv": b"n",
            "export/2026-q3/fx_rates.csv": b"f",
        }
    )
    assert folder.files == {"Spend.csv": b"s", "budget.CSV": b"b", "fx_rates.csv": b"f"}
    assert folder.left_out == ["notes.csv"] and folder.clashes == []


def test_two_files_for_one_table_are_a_clash_and_nothing_is_read():
    folder = folder_files({"a/spend.csv": b"1", "b/Spend.csv": b"2", "a/kpis.csv": b"3"})
    assert folder.files == {}
    assert folder.clashes == ["The folder has 2 files for the spend table (a/spend.csv, b/Spend.csv): keep only one."]
