"""Pure date shifting for de-identification: one keyed whole-day offset per patient keeps every interval."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

MAX_SHIFT_DAYS = 3650  # offsets fall in [-MAX_SHIFT_DAYS, -1]: always into the past, never zero


def shift_days(key: str, patient_identity: str) -> int:
    """The patient's offset in days: stable for one key and patient, unrelated across keys or patients."""
    digest = hmac.new(key.encode(), b"date-shift\x00" + patient_identity.encode(), hashlib.sha256).digest()
    return -(1 + int.from_bytes(digest[:8], "big") % MAX_SHIFT_DAYS)


def shift_date(value: str, days: int) -> str:
    """Shift a DA value (YYYYMMDD); a partial or unreadable value becomes empty (nothing identifying survives)."""
    text = value.strip()
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return (day + dt.timedelta(days=days)).strftime("%Y%m%d")
    except (ValueError, OverflowError):
        return ""


def shift_datetime(value: str, days: int) -> str:
    """Shift a DT value's date part (YYYY[MM[DD]]) keeping its time and offset suffix, at the same precision."""
    text = value.strip()
    head = text[:8]
    date_part = head[: len(head) - len(head.lstrip("0123456789"))]
    if len(date_part) not in (4, 6, 8):
        return ""
    padded = date_part + "0101"[len(date_part) - 4 :]
    shifted = shift_date(padded, days)
    return shifted[: len(date_part)] + text[len(date_part) :] if shifted else ""
