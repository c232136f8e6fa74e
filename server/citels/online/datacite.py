"""DataCite's REST API: `GET {base}/dois/{doi}` answers JSON:API, `{"data": {"id", "type":
"dois", "attributes": {...}}}`, with the DataCite metadata schema's names: `titles[].title`,
`creators[{name, nameType, givenName, familyName}]`, `publicationYear`, `dates[{date,
dateType}]`, `publisher`, `types{resourceTypeGeneral, citeproc}`, `url`,
`descriptions[{description, descriptionType}]`, `container{title, volume, issue,
firstPage, lastPage}`. arXiv's DOIs (10.48550/arXiv.…) and Zenodo's are DataCite's."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from citels.online.csl import date_parts, person, text, without_empty
from citels.online.http import MetadataHttp, json_object
from citels.online.services import Services

# DataCite's resourceTypeGeneral -> CSL type, when the record gives no citeproc type.
CSL_TYPES = {
    "JournalArticle": "article-journal", "ConferencePaper": "paper-conference",
    "ConferenceProceeding": "book", "Preprint": "article", "Book": "book",
    "BookChapter": "chapter", "Dissertation": "thesis", "Report": "report",
    "Dataset": "dataset", "Software": "software", "Text": "article"}


def fetch_datacite(http: MetadataHttp, services: Services, doi: str) -> dict[str, Any] | None:
    """The record with this DOI as a CSL-JSON item (without an id), or None."""
    body = json_object(http.get(f"{services.datacite.rstrip('/')}/dois/{quote(doi, safe='')}",
                                accept="application/vnd.api+json", service="DataCite"))
    data = body.get("data") if body else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    return datacite_item(attributes) if isinstance(attributes, dict) else None


def datacite_item(attributes: dict[str, Any]) -> dict[str, Any] | None:
    """A DataCite record's attributes as a CSL-JSON item; None without a DOI or title."""
    doi = text(attributes.get("doi"))
    title = _title(attributes.get("titles"))
    if not doi or not title:
        return None
    types = attributes.get("types") if isinstance(attributes.get("types"), dict) else {}
    container = attributes.get("container") if isinstance(
        attributes.get("container"), dict) else {}
    publisher = attributes.get("publisher")
    first, last = text(container.get("firstPage")), text(container.get("lastPage"))
    return without_empty({
        "type": text(types.get("citeproc")) or CSL_TYPES.get(
            str(types.get("resourceTypeGeneral")), "document"),
        "title": title,
        "author": _people(attributes.get("creators")),
        "issued": _issued(attributes),
        "container-title": text(container.get("title")),
        "publisher": text(publisher.get("name") if isinstance(publisher, dict) else publisher),
        "volume": text(container.get("volume")),
        "issue": text(container.get("issue")),
        "page": f"{first}-{last}" if first and last else first,
        "DOI": doi,
        "URL": text(attributes.get("url")) or f"https://doi.org/{doi}",
        "language": text(attributes.get("language")),
        "abstract": _abstract(attributes.get("descriptions")),
    })


def _title(titles: object) -> str | None:
    entries = [t for t in titles if isinstance(t, dict)] if isinstance(titles, list) else []
    main = next((text(t.get("title")) for t in entries if not t.get("titleType")
                 and text(t.get("title"))), None)
    subtitle = next((text(t.get("title")) for t in entries
                     if t.get("titleType") == "Subtitle"), None)
    if main and subtitle and subtitle.lower() not in main.lower():
        return f"{main}: {subtitle}"
    return main


def _people(creators: object) -> list[dict[str, str]]:
    people = creators if isinstance(creators, list) else []
    return [name for p in people if isinstance(p, dict)
            and (name := person(p.get("familyName"), p.get("givenName"), p.get("name"),
                                organisation=p.get("nameType") == "Organizational"))]


def _issued(attributes: dict[str, Any]) -> dict[str, Any] | None:
    dates = attributes.get("dates") if isinstance(attributes.get("dates"), list) else []
    issued = next((d.get("date") for d in dates if isinstance(d, dict)
                   and d.get("dateType") == "Issued"), None)
    year = text(attributes.get("publicationYear"))
    # An issued date of another year (a re-registration) loses to the publication year.
    if issued and (not year or str(issued).startswith(year)):
        return date_parts(issued)
    return date_parts(year)


def _abstract(descriptions: object) -> str | None:
    entries = descriptions if isinstance(descriptions, list) else []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("descriptionType") == "Abstract":
            value = entry.get("description")
            return text(value)
    return None
