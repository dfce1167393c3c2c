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
