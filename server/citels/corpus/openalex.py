"""Read OpenAlex works (JSON Lines, gzipped `part_*.gz` files, or a snapshot folder of them).

A work object has: id (https://openalex.org/W…), doi (a resolver URL), title and
display_name, publication_year, publication_date, type, language, ids {openalex, doi, mag,
pmid, pmcid}, primary_location {source {display_name}, landing_page_url}, authorships
[{author {display_name}, raw_author_name}], abstract_inverted_index {word: [positions]},
is_retracted and updated_date. OpenAlex gives no plain abstract: it is rebuilt here from
the inverted index, word by word in position order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from citels.corpus import values
from citels.corpus.json_records import MAX_LISTED_WARNINGS, papers_of_objects
from citels.corpus.streams import TextSource
from citels.papers import Paper, Source

OPENALEX_PREFIX = "https://openalex.org/"
# OpenAlex work types → BibTeX entry types; the rest are "misc".
_ENTRY_TYPES = {
    "article": "article", "review": "article", "letter": "article", "editorial": "article",
    "book": "book", "monograph": "book", "book-chapter": "incollection",
    "proceedings-article": "inproceedings", "dissertation": "phdthesis",
    "report": "techreport", "preprint": "misc", "dataset": "misc",
}
# Where each identifier scheme's value starts inside the URL OpenAlex writes it as.
_ID_URL_PREFIXES = {
    "openalex": OPENALEX_PREFIX,
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
}


def read_openalex(source: TextSource, label: str, warnings: list[str], *, first_line: int = 1,
                  listed: int | None = MAX_LISTED_WARNINGS) -> Iterator[Paper]:
    """Yield a paper for each OpenAlex work of a file (or of every part file of a folder, or
    of a run of a file's lines: `papers_of_objects`).

    A folder's `part_*` files are read in path order, so an `updated_date=…` folder comes
    after the older ones; each file's records are sourced as `label/relative path`.
    """
    if isinstance(source, str | os.PathLike) and Path(source).is_dir():
        folder = Path(source)
        for part in sorted(p for p in folder.rglob("part_*") if p.is_file()):
            yield from read_openalex(part, f"{label}/{part.relative_to(folder).as_posix()}",
                                     warnings)
        return
    yield from papers_of_objects(source, label, warnings, openalex_paper,
                                 "an OpenAlex work without an id or a title; skipped",
                                 first_line=first_line, listed=listed)


def openalex_paper(record: dict[str, Any], source: Source) -> Paper | None:
    """The paper an OpenAlex work object describes, or None without an id and a title."""
    work_id = _strip_prefix(record.get("id"), OPENALEX_PREFIX)
    title = values.text(record.get("title")) or values.text(record.get("display_name"))
    if not work_id or not title:
        return None
    date, year, month = values.iso_date(record.get("publication_date"))
    location = record.get("primary_location") or {}
    landing_page = values.text(location.get("landing_page_url")) if isinstance(
        location, dict) else None
    work_type = values.text(record.get("type"))
    return Paper(
        title=title,
        abstract=rebuilt_abstract(record.get("abstract_inverted_index")),
        date=date,
        year=values.year(record.get("publication_year")) or year,
        month=month,
        authors=_authors(record.get("authorships")),
        urls=[landing_page] if landing_page else [OPENALEX_PREFIX + work_id],
        sources=[source],
        entry_type=_ENTRY_TYPES.get(work_type or "", "misc"),
        venue=_venue(record),
        doi=values.clean_doi(record.get("doi")),
        identifiers=_identifiers(record, work_id),
        language=values.text(record.get("language")),
        updated=values.day(record.get("updated_date")),
        retracted=record.get("is_retracted") is True,
    )


def rebuilt_abstract(inverted_index: object) -> str | None:
    """The abstract's text from {word: [positions]}, words in position order."""
    if not isinstance(inverted_index, dict) or not inverted_index:
        return None
    placed: list[tuple[int, str]] = []
    for word, positions in inverted_index.items():
        if isinstance(positions, list):
            placed.extend((position, word) for position in positions if isinstance(position, int))
    placed.sort()
    return " ".join(word for _, word in placed) or None


def _authors(authorships: object) -> list[str]:
    names = []
    for authorship in authorships if isinstance(authorships, list) else []:
        if not isinstance(authorship, dict):
            continue
        author = authorship.get("author") or {}
        name = values.one_line(author.get("display_name")) if isinstance(author, dict) else None
        name = name or values.one_line(authorship.get("raw_author_name"))
        if name:
            names.append(name)
    return names


def _venue(record: dict[str, Any]) -> str | None:
    for location_name in ("primary_location", "host_venue"):  # host_venue: snapshots before 2023
        location = record.get(location_name)
        if not isinstance(location, dict):
            continue
        venue = location.get("source") if location_name == "primary_location" else location
        if isinstance(venue, dict) and (name := values.one_line(venue.get("display_name"))):
            return name
    return None


def _identifiers(record: dict[str, Any], work_id: str) -> dict[str, str]:
    identifiers = {"openalex": work_id}
    ids = record.get("ids")
    if isinstance(ids, dict):
        for scheme in ("pmid", "pmcid"):
            if value := _strip_prefix(ids.get(scheme), _ID_URL_PREFIXES[scheme]):
                value = value.rstrip("/")
                # The PMC id is written as a number in the URL, but is named PMC… everywhere.
                identifiers[scheme] = "PMC" + value if scheme == "pmcid" and value.isdigit() \
                    else value
        if isinstance(ids.get("mag"), int | str) and str(ids["mag"]).strip():
            identifiers["mag"] = str(ids["mag"]).strip()
    return identifiers


def _strip_prefix(value: object, prefix: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    return value[len(prefix):] if value.startswith(prefix) else value
