"""A CSL-JSON item's fields as BibTeX (raw values, braced and escaped), for writing it out.

Every field CSL shares with BibTeX is kept: container, volume, issue, pages, publisher and
place, editors, DOI, URL, ISBN, ISSN, number, edition, series, note. A literal (corporate)
name is braced whole, so BibTeX does not split "World Health Organization" into names. The
escaping and title markup are the Zotero reader's (Zotero's rich text is CSL's).
"""

from __future__ import annotations

import re
from typing import Any

from citels.corpus.zotero_paper import escape, latex_title

# CSL type -> BibTeX type; anything else is @misc, which needs no particular field.
BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "paper-conference": "inproceedings", "book": "book",
    "chapter": "incollection", "thesis": "phdthesis", "report": "techreport",
    "manuscript": "unpublished"}
_CONTAINER_FIELD = {"article": "journal", "inproceedings": "booktitle",
                    "incollection": "booktitle"}
_PUBLISHER_FIELD = {"phdthesis": "school", "mastersthesis": "school",
                    "techreport": "institution"}
_PAGE_RANGE = re.compile(r"(?<=\w)\s*[-\u2013]+\s*(?=\w)")  # 1-10, 1 – 10 -> 1--10
MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")


def bibtex_type(item: dict[str, Any]) -> str:
    """The BibTeX entry type of a CSL item."""
    return BIBTEX_TYPES.get(str(item.get("type", "")), "misc")


def bibtex_fields(item: dict[str, Any], entry_type: str, year: int | None,
                  month: int | None) -> dict[str, str]:
    """The item's fields as raw BibTeX values."""
    entry: dict[str, str] = {}

    def put(name: str, value: object) -> None:
        text = " ".join(str(value).split()) if isinstance(value, str | int | float) else ""
        if text and name not in entry:
            entry[name] = "{" + escape(text) + "}"

    for role in ("author", "editor"):
        names = [_name(person) for person in item.get(role) or [] if isinstance(person, dict)]
        if any(names):
            entry[role] = "{" + " and ".join(name for name in names if name) + "}"
    if isinstance(item.get("title"), str) and item["title"].strip():
        entry["title"] = "{" + latex_title(" ".join(item["title"].split())) + "}"
    container = item.get("container-title")
    if isinstance(container, str) and container.strip():
        entry[_CONTAINER_FIELD.get(entry_type, "howpublished")] = (
            "{" + latex_title(" ".join(container.split())) + "}")
    if year:
        entry["year"] = str(year)
    if month and 1 <= month <= 12:
        entry["month"] = MONTH_MACROS[month - 1]
    put("volume", item.get("volume"))
    # A journal's issue is BibTeX's number; a report's number is too, when it has no issue.
    put("number", item.get("issue"))
    put("number", item.get("number"))
    if isinstance(item.get("page"), str | int):
        put("pages", _PAGE_RANGE.sub("--", str(item["page"])))
    put("edition", item.get("edition"))
    put("series", item.get("collection-title"))
    put(_PUBLISHER_FIELD.get(entry_type, "publisher"), item.get("publisher"))
    put("address", item.get("publisher-place"))
    put("isbn", item.get("ISBN"))
    put("issn", item.get("ISSN"))
    put("doi", item.get("DOI"))
    if isinstance(item.get("URL"), str):
        entry["url"] = "{" + item["URL"] + "}"  # as written: the url package reads it
    put("note", item.get("note"))
    put("language", item.get("language"))
    if isinstance(item.get("abstract"), str):
        put("abstract", item["abstract"])
    if not entry.get("author") and not entry.get("editor") and "title" in entry:
        # Styles sort a name-less entry by `key`; without it bibtex warns and sorts by nothing.
        entry["key"] = entry["title"]
    return entry


def _name(person: dict[str, Any]) -> str:
    if person.get("literal"):
        return "{" + escape(str(person["literal"])) + "}"
    family = str(person.get("family") or "")
    particle = str(person.get("non-dropping-particle") or "")
    family = f"{particle} {family}".strip() if particle else family
    given = str(person.get("given") or "")
    if not family:
        return escape(given)
    written = escape(family)
    if " " in family and not particle:
        written = "{" + written + "}"  # "Van Gogh" as written, not a first name "Van"
    suffix = str(person.get("suffix") or "")
    parts = [written] + ([escape(suffix)] if suffix else []) + (
        [escape(given)] if given else [])
    return ", ".join(parts)
