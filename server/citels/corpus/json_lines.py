"""Read any JSON Lines file or JSON array of paper objects through a field mapping.

The mapping says, for each paper field, where in a record its value is: a key, or a
dotted path into nested objects ("primary_location.source.display_name"); a path that
meets a list goes on into each element ("authorships.author.display_name" gives every
author's name). The default reads objects whose keys are the field names themselves:

    {"title": "title", "abstract": "abstract", "authors": "authors", "year": "year",
     "venue": "venue", "doi": "doi", "url": "url", "id": "id"}

Fields that can be mapped: title, abstract, authors, editors, year, date, venue, doi,
url, type (a BibTeX entry type), language, tags, updated, id (the source's own id for the
record, kept as the identifier "id"), and ids.SCHEME (an identifier of a named scheme:
ids.arxiv, ids.pmid, ...). On the command line a mapping is written
`title=ti,abstract=ab.text`, each pair replacing the default's (`venue=` drops one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citels.corpus import values
from citels.corpus.json_records import MAX_LISTED_WARNINGS, papers_of_objects
from citels.corpus.streams import TextSource
from citels.papers import Paper, Source

DEFAULT_MAPPING: dict[str, str] = {
    "title": "title", "abstract": "abstract", "authors": "authors", "year": "year",
    "venue": "venue", "doi": "doi", "url": "url", "id": "id",
}
MAPPABLE_FIELDS = ("title", "abstract", "authors", "editors", "year", "date", "venue", "doi",
                   "url", "type", "language", "tags", "updated", "id")
_ENTRY_TYPES = frozenset({"article", "book", "booklet", "inbook", "incollection",
                          "inproceedings", "manual", "mastersthesis", "misc", "phdthesis",
                          "proceedings", "techreport", "unpublished", "online", "report",
                          "thesis"})


class MappingError(ValueError):
    """A field mapping that cannot be used; the message says which part and why."""


def parse_mapping(text: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The mapping `field=path,field=path` describes, laid over `base` (the default).

    Raises MappingError naming the faulty pair: no `=`, an unknown field, a malformed path.
    """
    mapping = dict(DEFAULT_MAPPING if base is None else base)
    for pair in (part.strip() for part in text.split(",")):
        if not pair:
            continue
        name, equals, path = (piece.strip() for piece in pair.partition("="))
        if not equals:
            raise MappingError(f"--map: {pair!r} is not field=path (for example "
                               f"title=metadata.title)")
        if name not in MAPPABLE_FIELDS and not _is_identifier_field(name):
            raise MappingError(f"--map: {name!r} is not a paper field; fields are "
                               f"{', '.join(MAPPABLE_FIELDS)} and ids.SCHEME")
        if path and any(not step for step in path.split(".")):
            raise MappingError(f"--map: {path!r} (for {name}) has an empty step between dots")
        if path:
            mapping[name] = path
        else:
            mapping.pop(name, None)
    return mapping


def _is_identifier_field(name: str) -> bool:
    scheme = name.removeprefix("ids.")
    return name.startswith("ids.") and scheme.isidentifier() and scheme.islower()


def read_json_lines(source: TextSource, label: str, warnings: list[str],
                    mapping: dict[str, str] | None = None, *, first_line: int = 1,
                    listed: int | None = MAX_LISTED_WARNINGS) -> Iterator[Paper]:
    """Yield a paper for each object of a JSON Lines file or JSON array (or a run of a
    file's lines: `papers_of_objects`), through `mapping`.

    A line that is not a JSON object, or an object with neither title nor abstract where
    the mapping looks, is skipped with a warning naming file and line.
    """
    chosen = DEFAULT_MAPPING if mapping is None else mapping
    return papers_of_objects(
        source, label, warnings, lambda record, where: mapped_paper(record, chosen, where),
        f"no title or abstract at {chosen.get('title', '(unmapped)')!r} "
        f"or {chosen.get('abstract', '(unmapped)')!r}; skipped",
        first_line=first_line, listed=listed)


def mapped_paper(record: dict[str, Any], mapping: dict[str, str], source: Source
                 ) -> Paper | None:
    """The paper a record describes through a mapping; None without title and abstract."""

    def value(name: str) -> Any:
        return lookup(record, mapping[name]) if name in mapping else None

    title, abstract = values.text(_first(value("title"))), values.text(_first(value("abstract")))
    if not title and not abstract:
        return None
    date, date_year, month = values.iso_date(_first(value("date")))
    entry_type = values.text(_first(value("type")))
    identifiers = {name.removeprefix("ids."): text for name in mapping
                   if name.startswith("ids.") and (text := _scalar_text(value(name)))}
    if own_id := _scalar_text(value("id")):
        identifiers.setdefault("id", own_id)
    return Paper(
        title=title,
        abstract=abstract,
        date=date,
        year=values.year(_first(value("year"))) or date_year,
        month=month,
        authors=_names(value("authors")),
        editors=_names(value("editors")),
        urls=_strings(value("url")) + _handle_urls(_first(value("doi"))),
        sources=[source],
        entry_type=entry_type.lower() if entry_type and entry_type.lower() in _ENTRY_TYPES
        else None,
        venue=values.one_line(_first(value("venue"))),
        doi=values.clean_doi(_first(value("doi"))),
        identifiers=identifiers,
        language=values.text(_first(value("language"))),
        tags=_tags(value("tags")),
        updated=values.day(_first(value("updated"))),
    )


def lookup(record: Any, path: str) -> Any:
    """The value at a dotted path; through a list, the list of each element's value."""
    current = record
    for step in path.split("."):
        if isinstance(current, list):
            found = [lookup(item, step) for item in current]
            current = [item for item in _flat(found) if item is not None]
        elif isinstance(current, dict):
            current = current.get(step)
        else:
            return None
        if current is None:
            return None
    return current


def _flat(items: list[Any]) -> Iterator[Any]:
    for item in items:
        if isinstance(item, list):
            yield from item
        else:
            yield item


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _scalar_text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _names(value: Any) -> list[str]:
    """People from a list of names or of {name} / {family, given} objects, or one string."""
    if isinstance(value, str):
        separator = ";" if ";" in value else " and "
        return [name for part in value.split(separator) if (name := values.one_line(part))]
    names = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            if item.get("family"):
                given = values.one_line(item.get("given"))
                item = f"{item['family']}, {given}" if given else item["family"]
            else:
                item = item.get("name") or item.get("display_name") or item.get("literal")
        if name := values.one_line(item):
            names.append(name)
    return names


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(text for item in items if (text := values.text(item))))


def _handle_urls(doi: Any) -> list[str]:
    """A link written where the DOI goes (a Handle, say) is kept as a link, not a DOI."""
    link = values.text(doi)
    return [link] if link and "://" in link and not values.clean_doi(link) else []


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [tag for tag in value.replace(",", " ").split() if tag]
    return _strings(value)
