import csv

import pandas as pd

from auditrap.safe_csv import write_csv


def test_formula_cells_are_neutralised_and_numbers_kept(tmp_path):
    frame = pd.DataFrame(
        {"text": ["=1+1", "+44", "-x", "@SUM(A1)", "plain"], "n": [-1, 2, 3, 4, 5]}
    )
    path = tmp_path / "out.csv"
    write_csv(frame, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["text"] for r in rows] == ["'=1+1", "'+44", "'-x", "'@SUM(A1)", "plain"]
    assert rows[0]["n"] == "-1"


def test_reading_back_gives_the_text_exactly(tmp_path):
    from auditrap.safe_csv import read_csv

    values = ["=1+1", "-Riverside", "'=already quoted", "''", "'plain", "plain", "@x"]
    path = tmp_path / "out.csv"
    write_csv(pd.DataFrame({"text": values}), path)
    assert read_csv(path)["text"].tolist() == values
