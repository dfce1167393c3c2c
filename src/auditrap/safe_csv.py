"""CSV files that no spreadsheet will run: the OWASP rule against CSV injection.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be
taken for a formula by a spreadsheet. Every CSV the pipeline writes prefixes such a cell
with a single quote, which spreadsheets show as text. Numbers are written as numbers.

The quoting is reversible, so that a later stage reading the table gets the text exactly
as it was: a cell that already begins with a quote followed by one of those characters (or
by another quote) is quoted too, and :func:`read_csv` removes exactly one quote.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_QUOTED = r"^'(?=['=+\-@\t\r])"


def neutralise(values: pd.Series) -> pd.Series:
    """Prefix a single quote to every text value a spreadsheet could run as a formula."""
    text = values.astype("string")
    risky = text.str.startswith(FORMULA_STARTS) | text.str.contains(_QUOTED, regex=True)
    return text.where(~risky.fillna(False).astype(bool), "'" + text)


def restore(values: pd.Series) -> pd.Series:
    """The inverse of :func:`neutralise`."""
    return values.str.replace(_QUOTED, "", n=1, regex=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV with Unix line ends, text cells neutralised."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
            out[column] = neutralise(out[column].astype("string"))
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", date_format="%Y-%m-%d")


def read_csv(path: Path) -> pd.DataFrame:
    """Read back a table written by :func:`write_csv`, text exactly as it was written."""
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = restore(frame[column].astype("string"))
    return frame
