"""Dates as the report writes them (en-GB, whatever the machine's locale)."""

from __future__ import annotations

import datetime as dt

# Not calendar.month_name or strftime("%B"): those follow the process locale, and the same
# inputs must give the same report on every machine.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: dt.date) -> str:
    """en-GB long date, e.g. ``1 March 2019``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
