"""Pure patient age handling: parse DICOM AS values, derive age from dates, and round it to 5-year bands."""

from __future__ import annotations

import datetime as dt

BAND_YEARS = 5
TOP_BAND = 90  # ages of 90 and over form one band ("90+"), as ages above 89 identify people
UNIT_YEARS = {"D": 1 / 365.25, "W": 7 / 365.25, "M": 1 / 12, "Y": 1.0}


def parse_age(value: str) -> float | None:
    """Years from an Age String (AS, PS3.5 6.2): nnnD, nnnW, nnnM or nnnY; None when unreadable."""
    text = str(value or "").strip().upper()
    if len(text) < 2 or not text[:-1].isdigit() or text[-1] not in UNIT_YEARS:
        return None
    return int(text[:-1]) * UNIT_YEARS[text[-1]]


def age_from_dates(birth: str, on: str) -> float | None:
    """Whole years between two DA values (YYYYMMDD), or None when either is missing or unreadable."""
    try:
        born = dt.datetime.strptime(str(birth).strip(), "%Y%m%d").date()
        day = dt.datetime.strptime(str(on).strip(), "%Y%m%d").date()
    except ValueError:
        return None
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return float(years) if years >= 0 else None


def band_start(years: float) -> int:
    """The first year of the age's band: 0, 5, 10, ... 85, then 90 for everyone older."""
    return min(int(years // BAND_YEARS) * BAND_YEARS, TOP_BAND)


def band_label(start: int) -> str:
    """A band for people to read: '40-44', or '90+'."""
    return f"{TOP_BAND}+" if start >= TOP_BAND else f"{start}-{start + BAND_YEARS - 1}"


def band_as_age_string(start: int) -> str:
    """A band stored back into Patient's Age (AS) as its first year, e.g. '040Y'."""
    return f"{start:03d}Y"
