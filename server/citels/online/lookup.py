"""Which service answers which identifier, and the fetcher that asks them.

A DOI goes to Crossref, then to DataCite when Crossref does not know it (prefixes that are
DataCite's, Zenodo's or arXiv's, go to DataCite first); an arXiv DOI (10.48550/arXiv.…)
and a bare arXiv id go to the arXiv API, whose record has the abstract and the journal
reference. Other schemes (PMID, ISBN) are not looked up.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from citels.corpus.identifiers import Identifier
from citels.online.arxiv_api import fetch_arxiv
from citels.online.crossref import fetch_crossref
from citels.online.datacite import fetch_datacite
from citels.online.http import MetadataHttp
from citels.online.services import Services

log = logging.getLogger("citels.online")
LOOKED_UP_SCHEMES = ("doi", "arxiv")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
# DOI prefixes registered with DataCite (Zenodo, figshare, OSF, Dryad, PANGAEA): asked there first.
_DATACITE_FIRST = ("10.5281/", "10.6084/", "10.17605/", "10.5061/", "10.1594/")


class Fetcher:
    """Looks identifiers up, one at a time, on the thread that calls it (its HTTP session
    is opened at the first lookup: the cost of importing requests is paid only then)."""

    def __init__(self, services: Services, cache_file: Path) -> None:
        self.services = services
        self.cache_file = cache_file
        self._http: MetadataHttp | None = None

    def look_up(self, identifier: Identifier) -> dict[str, Any] | None:
        """The paper an identifier names, as a CSL-JSON item without an id; None when no
        service knows it, or none answered in time."""
        scheme, value = identifier
        try:
            http = self.open()
            if scheme == "arxiv":
                return fetch_arxiv(http, self.services, value)
            if scheme != "doi":
                return None
            arxiv_doi = _ARXIV_DOI.match(value)
            if arxiv_doi:
                return (fetch_arxiv(http, self.services, arxiv_doi.group(1))
                        or fetch_datacite(http, self.services, value))
            if value.startswith(_DATACITE_FIRST):
                return (fetch_datacite(http, self.services, value)
                        or fetch_crossref(http, self.services, value))
            return (fetch_crossref(http, self.services, value)
                    or fetch_datacite(http, self.services, value))
        except Exception as error:  # a record shaped like nothing documented: not found
            log.debug("looking up %s:%s failed: %r", scheme, value, error)
            return None

    def open(self) -> MetadataHttp:
        """The HTTP session, opened the first time (importing requests and its cache)."""
        if self._http is None:
            self._http = MetadataHttp(self.cache_file, self.services.user_agent,
                                      self.services.timeout)
        return self._http

    def close(self) -> None:
        """Close the HTTP session, if one was opened."""
        if self._http is not None:
            self._http.close()
            self._http = None
