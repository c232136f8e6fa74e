"""Hayagriva YAML, Typst's own bibliography format, read as a user library (the writing is
`bibliography/hayagriva.py`).

A Hayagriva file is one YAML mapping from entry keys to entries. An entry has a `type`, a
`title` (a string, or a mapping with `value`), `author` and `editor` (a person or a list; a
person is "Last, First" or a mapping with `name` and `given-name`), a `date` (YYYY, YYYY-MM or
YYYY-MM-DD), `parent` (the journal, proceedings or book it appeared in: an entry, or a list
of them), `serial-number` (a mapping with `doi`, `arxiv`, `isbn`, …, or one string; older
files write `doi` at the top level) and `url` (a string, or a mapping with `value` and an
access `date`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from citels.papers import Paper, Source

_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_DATE = re.compile(r"^(?P<year>-?\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?")
# A Hayagriva entry type for each BibTeX type a paper may carry, and its parent's type.
HAYAGRIVA_TYPES = {
    "article": ("article", "periodical"), "inproceedings": ("article", "proceedings"),
    "conference": ("article", "proceedings"), "incollection": ("chapter", "book"),
    "inbook": ("chapter", "book"), "book": ("book", None), "phdthesis": ("thesis", None),
    "mastersthesis": ("thesis", None), "techreport": ("report", None),
    "proceedings": ("proceedings", None), "misc": ("misc", None), "online": ("web", None),
}
IDENTIFIER_SCHEMES = ("arxiv", "isbn", "issn", "pmid", "pmcid")
# Raw BibTeX fields of a user's entry that Hayagriva has a field for.
BIBTEX_FIELDS = {"volume": "volume", "number": "issue", "pages": "page-range",
                  "publisher": "publisher", "edition": "edition"}




def parse_hayagriva(text: str, label: str, warnings: list[str]) -> Iterator[Paper]:
    """The entries of a Hayagriva file as paper records, each with the line it starts on.

    A file that is not valid YAML, or not a mapping of entries, is reported in `warnings`
    (with file and line) and yields nothing; an entry that is not a mapping is skipped.
    """
    import yaml  # here: only Typst projects need it, and loading it costs the server's start

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        warnings.append(f"{label}:{line}: not valid YAML ({error.problem}); skipped")
        return
    except yaml.YAMLError as error:
        warnings.append(f"{label}: not valid YAML ({error}); skipped")
        return
    finally:
        loader.dispose()
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        warnings.append(f"{label}:1: not a Hayagriva bibliography (a mapping of entries); "
                        "skipped")
        return
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in lines:
            warnings.append(f"{label}:{line}: entry {key} is defined again (first on line "
                            f"{lines[key]}); the last one counts")
        lines[key] = line
    for raw_key, entry in data.items():
        key = str(raw_key)
        line = lines.get(key, 1)
        if not isinstance(entry, dict):
            warnings.append(f"{label}:{line}: entry {key} is not a mapping of fields; skipped")
            continue
        yield _paper(key, entry, Source(label, line))


def _paper(key: str, entry: dict[str, Any], source: Source) -> Paper:
    year, month, day = _date_parts(entry.get("date"))
    parents = entry.get("parent")
    parent = next((p for p in _as_list(parents) if isinstance(p, dict)), {})
    serial = entry.get("serial-number")
    numbers = {str(k).lower(): _text(v) for k, v in serial.items()} if isinstance(
        serial, dict) else {}
    identifiers = {scheme: value for scheme in IDENTIFIER_SCHEMES
                   if (value := numbers.get(scheme) or _text(entry.get(scheme)))}
    if isinstance(serial, str | int | float) and _ARXIV_ID.match(str(serial)):
        identifiers["arxiv"] = str(serial)
    url = entry.get("url")
    url = url.get("value") if isinstance(url, dict) else url
    return Paper(
        title=_text(entry.get("title")),
        abstract=_text(entry.get("abstract")),
        key=key,
        source_key=key,
        date=f"{year:04d}-{month:02d}-{day:02d}" if year and month and day else None,
        year=year,
        month=month,
        authors=_people(entry.get("author")),
        editors=_people(entry.get("editor")),
        urls=[url] if isinstance(url, str) and url else [],
        sources=[source],
        entry_type=_bibtex_type(entry, parent),
        venue=_text(parent.get("title")),
        doi=numbers.get("doi") or _text(entry.get("doi")),
        identifiers=identifiers,
        language=_text(entry.get("language")),
    )


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _text(value: object) -> str | None:
    """A string field, or a formattable string's `value`, with its spaces tidied."""
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or isinstance(value, dict | list):
        return None
    return " ".join(str(value).split()) or None


def _people(value: object) -> list[str]:
    """Persons as "Last, First": from strings as written, or from name mappings."""
    people = []
    for person in _as_list(value):
        if isinstance(person, dict) and person.get("name"):
            family = " ".join(str(p) for p in (person.get("prefix"), person["name"]) if p)
            given = person.get("given-name")
            people.append(f"{family}, {given}" if given else family)
        elif isinstance(person, str | int) and str(person).strip():
            people.append(" ".join(str(person).split()))
    return people


def _date_parts(value: object) -> tuple[int | None, int | None, int | None]:
    if isinstance(value, datetime.date):
        return value.year, value.month, value.day
    match = _DATE.match(str(value)) if value is not None else None
    if match is None:
        return None, None, None
    month, day = match["month"], match["day"]
    return int(match["year"]), int(month) if month else None, int(day) if day else None


def _bibtex_type(entry: dict[str, Any], parent: dict[str, Any]) -> str:
    kind = str(entry.get("type", "misc")).lower()
    parent_kind = str(parent.get("type", "")).lower()
    if kind == "article":
        return "inproceedings" if parent_kind in ("proceedings", "conference") else "article"
    return {"chapter": "incollection", "anthos": "incollection", "book": "book",
            "thesis": "phdthesis", "report": "techreport",
            "proceedings": "proceedings"}.get(kind, "misc")
