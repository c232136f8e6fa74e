"""Field values as dumps write them, made into the paper model's: DOIs, dates, years, text."""

from __future__ import annotations

import re
from datetime import date as Date

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def clean_doi(value: object) -> str | None:
    """A bare DOI (10.…) from a DOI, a doi: name or a resolver URL; None if it is none."""
    if not isinstance(value, str):
        return None
    doi = _DOI_PREFIX.sub("", value.strip())
    return doi if doi.startswith("10.") else None


def text(value: object) -> str | None:
    """A string value without its surrounding whitespace; None when empty or not a string."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def one_line(value: object) -> str | None:
    """A string value with its whitespace runs (line breaks too) made single spaces."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def year(value: object) -> int | None:
    """A plausible publication year from an int or a string that starts with one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and (match := re.match(r"\s*(\d{4})\b", value)):
        number = int(match[1])
    else:
        return None
    return number if 1000 <= number <= 2999 else None


def iso_date(value: object) -> tuple[str | None, int | None, int | None]:
    """(YYYY-MM-DD when the day is known, year, month) from an ISO date or timestamp."""
    if not isinstance(value, str) or not (match := _ISO_DATE.match(value.strip())):
        return None, None, None
    year_number = int(match[1])
    month = int(match[2]) if match[2] else None
    day = int(match[3]) if match[3] else None
    if month is not None and not 1 <= month <= 12:
        return None, year_number, None
    if month and day:
        try:
            return Date(year_number, month, day).isoformat(), year_number, month
        except ValueError:
            return None, year_number, month
    return None, year_number, month


def day(value: object) -> str | None:
    """The YYYY-MM-DD of an ISO date or timestamp, or None."""
    return iso_date(value)[0]
