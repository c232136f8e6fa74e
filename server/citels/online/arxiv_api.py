"""The arXiv API: `GET {base}?id_list={id}` answers an Atom feed whose `entry` holds `id`
(the abs URL with its version), `title`, `summary`, `published`, `updated`, `author/name`,
`link`s, and in the arXiv namespace `doi`, `journal_ref`, `comment` and
`primary_category`. An id it does not know gives a feed without entries, or an entry whose
id points at `/api/errors`; a malformed request can still be a 200, so the entry is checked
to be the paper asked for."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

from citels.corpus.identifiers import arxiv_ids
from citels.online.csl import date_parts, person, text, without_empty
from citels.online.http import MetadataHttp
from citels.online.services import Services

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def fetch_arxiv(http: MetadataHttp, services: Services, arxiv_id: str) -> dict[str, Any] | None:
    """The paper with this arXiv id (no version) as a CSL-JSON item (without an id), or None."""
    body = http.get(services.arxiv, params={"id_list": arxiv_id},
                    accept="application/atom+xml", service="arXiv",
                    spacing=services.arxiv_interval)
    return arxiv_item(body, arxiv_id) if body else None


def arxiv_item(feed: str, arxiv_id: str) -> dict[str, Any] | None:
    """The feed's entry for `arxiv_id` as a CSL-JSON item; None if it holds none."""
    try:
        root = ElementTree.fromstring(feed)
    except ElementTree.ParseError:
        return None
    for entry in root.findall("atom:entry", _NS):
        entry_id = _child(entry, "atom:id") or ""
        if "/api/errors" in entry_id or arxiv_id.lower() not in (
                i.lower() for i in arxiv_ids(entry_id)):
            continue
        title = _child(entry, "atom:title")
        if not title:
            continue
        journal_doi = _child(entry, "arxiv:doi")
        return without_empty({
            # CSL's "article" is a preprint (csl_bibtex writes it as @misc, as arXiv does).
            "type": "article",
            "title": title,
            "author": [name for element in entry.findall("atom:author/atom:name", _NS)
                       if (name := person(name=element.text))],
            "issued": date_parts(_child(entry, "atom:published")),
            "container-title": _child(entry, "arxiv:journal_ref"),
            "publisher": "arXiv",
            "number": f"arXiv:{arxiv_id}",
            # The journal's DOI when the authors gave one; else arXiv's own, which every
            # paper has (arXiv's own BibTeX export writes it too).
            "DOI": journal_doi or f"10.48550/arXiv.{arxiv_id}",
            "URL": f"https://arxiv.org/abs/{arxiv_id}",
            "abstract": _child(entry, "atom:summary"),
        })
    return None


def _child(entry: ElementTree.Element, path: str) -> str | None:
    element = entry.find(path, _NS)
    return text(element.text) if element is not None and element.text else None
