"""Read CSL-JSON (as Zotero exports it and Pandoc reads it) into paper records."""

from __future__ import annotations

import json
from collections.abc import Iterator

from citels.corpus.identifiers import identifiers_in
from citels.papers import Paper, Source


def parse_csl_json(text: str, label: str, warnings: list[str]) -> Iterator[Paper]:
    """The papers of a CSL-JSON list (or Zotero's {"items": [...]}); an item without an id is
    skipped with a warning naming file and line."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        warnings.append(f"{label}:{error.lineno}: not valid JSON ({error.msg}); skipped")
        return
    if isinstance(items, dict) and isinstance(items.get("items"), list):
        items = items["items"]
    if not isinstance(items, list):
        warnings.append(f"{label}: not a CSL-JSON list of items; skipped")
        return
    lines = _item_lines(text)
    for number, item in enumerate(items):
        line = lines[number] if number < len(lines) else 1
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
            warnings.append(f"{label}:{line}: item {number + 1} has no id; skipped")
            continue
        yield _paper(item, label, line)


def _item_lines(text: str) -> list[int]:
    """The line each top-level item starts on (for messages and go-to-definition)."""
    lines, depth, line = [], 0, 1
    in_string = escaped = False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth == 2 and char == "{":
                lines.append(line)
        elif char in "]}":
            depth -= 1
    return lines


def csl_item_paper(item: dict, label: str, line: int = 1) -> Paper:
    """One CSL-JSON item (it needs an id: the key it is cited by) as a paper record."""
    return _paper(item, label, line)


def _paper(item: dict, label: str, line: int) -> Paper:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    first = parts[0] if parts and isinstance(parts[0], list) else []
    year = _int(first[0]) if len(first) > 0 else None
    month = _int(first[1]) if len(first) > 1 else None
    day = _int(first[2]) if len(first) > 2 else None
    date = f"{year:04d}-{month:02d}-{day:02d}" if year and month and day else None
    authors = [_display_name(person) for person in item.get("author") or []
               if isinstance(person, dict) and (person.get("literal") or person.get("family"))]
    # Here: the BibTeX escaping loads pylatexenc, which a server start need not pay.
    from citels.corpus.csl_bibtex import bibtex_fields, bibtex_type

    url = item.get("URL")
    entry_type = bibtex_type(item)
    editors = [_display_name(person) for person in item.get("editor") or []
               if isinstance(person, dict) and _display_name(person)]
    identifiers = {scheme: str(item[name]) for name, scheme in (("ISBN", "isbn"),
                   ("ISSN", "issn"), ("PMID", "pmid"), ("PMCID", "pmcid"))
                   if isinstance(item.get(name), str | int)}
    return Paper(
        title=_text(item.get("title")),
        abstract=_text(item.get("abstract")),
        date=date,
        year=year,
        month=month,
        authors=authors,
        urls=[url] if isinstance(url, str) else [],
        sources=[Source(label, line)],
        entry_type=entry_type,
        venue=_text(item.get("container-title")),
        doi=_text(item.get("DOI")),
        source_key=str(item["id"]),
        editors=editors,
        # Zotero writes an arXiv preprint's id as `number: arXiv:1706.03762`.
        identifiers=identifiers | dict(identifiers_in(str(item.get("number") or ""))),
        language=_text(item.get("language")),
        # The item as BibTeX, for writing out: nothing CSL and BibTeX share is lost.
        fields=bibtex_fields(item, entry_type, year, month),
    )


def _display_name(person: dict) -> str:
    if person.get("literal"):
        return str(person["literal"])
    family, given = person.get("family"), person.get("given")
    if family and person.get("non-dropping-particle"):
        family = f"{person['non-dropping-particle']} {family}"
    if not family:
        return str(given or "")
    return f"{family}, {given}" if given else str(family)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _text(value: object) -> str | None:
    return " ".join(str(value).split()) or None if value else None
