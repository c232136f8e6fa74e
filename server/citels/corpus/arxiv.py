"""Read the arXiv metadata snapshot (JSON Lines, as on Kaggle and from the OAI bulk export).

One object a line: id, submitter, authors, title, comments, journal-ref, doi, report-no,
categories, license, abstract, versions [{version, created}], update_date, and
authors_parsed [[last, first, suffix], ...]. Titles and abstracts keep their line breaks
and LaTeX as arXiv has them (only the whitespace around them goes): they are what the
authors wrote, and folding them is the indexer's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date as Date
from typing import Any

from citels.corpus import values
from citels.corpus.json_records import MAX_LISTED_WARNINGS, papers_of_objects
from citels.corpus.streams import TextSource
from citels.papers import Paper, Source

ABSTRACT_PAGE = "https://arxiv.org/abs/"
# The flat author list, used only when authors_parsed is missing: "A. One, B. Two and C. Three".
_AUTHOR_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_MONTHS = {name: number for number, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_CREATED = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b", re.IGNORECASE)


def read_arxiv(source: TextSource, label: str, warnings: list[str], *, first_line: int = 1,
               listed: int | None = MAX_LISTED_WARNINGS) -> Iterator[Paper]:
    """Yield a paper for each record of an arXiv metadata snapshot (or a run of its lines:
    `papers_of_objects`), lazily.

    A line that is not a JSON object, or a record without an id or a title, is skipped
    with a warning naming file and line.
    """
    return papers_of_objects(source, label, warnings, arxiv_paper,
                             "an arXiv record without an id or a title; skipped",
                             first_line=first_line, listed=listed)


def arxiv_paper(record: dict[str, Any], source: Source) -> Paper | None:
    """The paper an arXiv snapshot record describes, or None without an id and title."""
    arxiv_id = values.text(record.get("id"))
    title = values.text(record.get("title"))
    if not arxiv_id or not title:
        return None
    date, year, month = _first_version_date(record.get("versions"))
    if year is None:  # old-style ids tell the month of submission: hep-th/9901001, 0704.0001
        year, month = _id_year_month(arxiv_id)
    journal_ref = values.one_line(record.get("journal-ref"))
    doi = _first_doi(record.get("doi"))
    categories = record.get("categories")
    return Paper(
        title=title,
        abstract=values.text(record.get("abstract")),
        date=date,
        year=year,
        month=month,
        authors=_authors(record),
        urls=[ABSTRACT_PAGE + arxiv_id],
        sources=[source],
        entry_type="article" if journal_ref or doi else "misc",
        venue=journal_ref,
        doi=doi,
        identifiers={"arxiv": arxiv_id},
        tags=categories.split() if isinstance(categories, str) else [],
        updated=values.day(record.get("update_date")),
    )


def _authors(record: dict[str, Any]) -> list[str]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = [_parsed_name(name) for name in parsed if isinstance(name, list)]
        return [name for name in names if name]
    flat = values.one_line(record.get("authors"))
    return [name.strip() for name in _AUTHOR_SEPARATOR.split(flat) if name.strip()] \
        if flat else []


def _parsed_name(parts: list[Any]) -> str:
    """"Last, First" (or "Last, Suffix, First", BibTeX's order) from [last, first, suffix]."""
    last, first, suffix = ([str(part).strip() if part else "" for part in parts] + ["", ""])[:3]
    if not last:
        return first
    if suffix:
        return f"{last}, {suffix}, {first}" if first else f"{last}, {suffix}"
    return f"{last}, {first}" if first else last


def _first_version_date(versions: object) -> tuple[str | None, int | None, int | None]:
    """The day the first version was submitted ("Mon, 2 Apr 2007 19:18:42 GMT")."""
    if not isinstance(versions, list) or not versions or not isinstance(versions[0], dict):
        return None, None, None
    created = versions[0].get("created")
    # A regular expression, not email.utils: it is a third of the reading time otherwise.
    match = _CREATED.search(created) if isinstance(created, str) else None
    if not match:
        return None, None, None
    day, month, year = int(match[1]), _MONTHS[match[2].lower()], int(match[3])
    try:
        return Date(year, month, day).isoformat(), year, month
    except ValueError:
        return None, year, month


def _id_year_month(arxiv_id: str) -> tuple[int | None, int | None]:
    match = re.search(r"(?:^|/)(\d{2})(\d{2})[.\d]", arxiv_id)
    if not match:
        return None, None
    two_digits, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None, None
    return (1900 + two_digits if two_digits >= 91 else 2000 + two_digits), month


def _first_doi(value: object) -> str | None:
    """arXiv's doi field sometimes lists several, separated by spaces: the first is kept."""
    if not isinstance(value, str):
        return None
    return next((doi for doi in map(values.clean_doi, value.split()) if doi), None)
