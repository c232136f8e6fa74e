"""Crossref's REST API: `GET {base}/works/{doi}` answers `{"status": "ok", "message-type":
"work", "message": {...}}`, the work in fields close to CSL-JSON's (lists where CSL has one
value: `title`, `container-title`, `ISSN`), its abstract as JATS XML; an unknown DOI is a
404 with a plain-text body."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from citels.online.csl import person, text, without_empty
from citels.online.http import MetadataHttp, json_object
from citels.online.jats import jats_text
from citels.online.services import Services

# Crossref's work types -> CSL types (csl_bibtex turns those into BibTeX types).
CSL_TYPES = {
    "journal-article": "article-journal", "proceedings-article": "paper-conference",
    "book-chapter": "chapter", "book-section": "chapter", "book-part": "chapter",
    "book": "book", "monograph": "book", "edited-book": "book", "reference-book": "book",
    "dissertation": "thesis", "report": "report", "report-component": "report",
    "posted-content": "article", "dataset": "dataset", "reference-entry": "entry",
    "standard": "standard", "peer-review": "review"}
# Dates a work may carry, the most telling first.
_DATES = ("issued", "published-print", "published-online", "published", "created")


def fetch_crossref(http: MetadataHttp, services: Services, doi: str) -> dict[str, Any] | None:
    """The work with this DOI as a CSL-JSON item (without an id), or None."""
    params = {"mailto": services.contact} if services.contact else None
    body = json_object(http.get(f"{services.crossref.rstrip('/')}/works/{quote(doi, safe='')}",
                                params=params, accept="application/json", service="Crossref"))
    message = body.get("message") if body else None
    if not isinstance(message, dict) or body.get("message-type", "work") != "work":
        return None
    return crossref_item(message)


def crossref_item(message: dict[str, Any]) -> dict[str, Any] | None:
    """A Crossref work as a CSL-JSON item; None when it names no DOI or title."""
    doi = text(message.get("DOI"))
    title = text(message.get("title"))
    if not doi or not title:
        return None
    subtitle = text(message.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    abstract = message.get("abstract")
    return without_empty({
        "type": CSL_TYPES.get(str(message.get("type")), "document"),
        "title": title,
        "author": _people(message.get("author")),
        "editor": _people(message.get("editor")),
        "issued": _issued(message),
        "container-title": text(message.get("container-title")),
        "publisher": text(message.get("publisher")),
        "volume": text(message.get("volume")),
        "issue": text(message.get("issue")),
        "page": text(message.get("page")),
        "ISBN": text(message.get("ISBN")),
        "ISSN": text(message.get("ISSN")),
        "DOI": doi,
        "URL": text(message.get("URL")) or f"https://doi.org/{doi}",
        "language": text(message.get("language")),
        "abstract": jats_text(abstract) if isinstance(abstract, str) else None,
    })


def _people(value: object) -> list[dict[str, str]]:
    people = value if isinstance(value, list) else []
    return [name for p in people if isinstance(p, dict)
            and (name := person(p.get("family"), p.get("given"), p.get("name"),
                                organisation=not p.get("family") and bool(p.get("name"))))]


def _issued(message: dict[str, Any]) -> dict[str, Any] | None:
    for name in _DATES:
        parts = (message.get(name) or {}).get("date-parts") if isinstance(
            message.get(name), dict) else None
        first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) \
            else []
        numbers = [int(p) for p in first if isinstance(p, int | str) and str(p).isdigit()]
        if numbers:
            return {"date-parts": [numbers[:3]]}
    return None
