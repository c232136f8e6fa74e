"""Where the metadata services are, and who is asking: base URLs (overridable through the
environment, so tests and mirrors can point them elsewhere) and the contact address that
Crossref asks polite clients to send."""

from __future__ import annotations

import os
from dataclasses import dataclass

from citels import __version__

CROSSREF_URL = "https://api.crossref.org"
DATACITE_URL = "https://api.datacite.org"
ARXIV_URL = "https://export.arxiv.org/api/query"
# The arXiv API's terms ask for no more than one request every three seconds.
ARXIV_INTERVAL_SECONDS = 3.0


@dataclass(frozen=True)
class Services:
    """The services' base URLs, the contact e-mail (or None), and arXiv's request spacing."""

    crossref: str = CROSSREF_URL
    datacite: str = DATACITE_URL
    arxiv: str = ARXIV_URL
    contact: str | None = None
    arxiv_interval: float = ARXIV_INTERVAL_SECONDS
    timeout: float = 6.0  # seconds to wait for an answer: a slow service is "not found"

    @classmethod
    def from_environment(cls, contact: str | None = None) -> Services:
        """The default services, each replaced by CITELS_CROSSREF_URL, CITELS_DATACITE_URL
        or CITELS_ARXIV_URL when set."""
        return cls(crossref=os.environ.get("CITELS_CROSSREF_URL") or CROSSREF_URL,
                   datacite=os.environ.get("CITELS_DATACITE_URL") or DATACITE_URL,
                   arxiv=os.environ.get("CITELS_ARXIV_URL") or ARXIV_URL,
                   contact=contact or None)

    @property
    def user_agent(self) -> str:
        """What citels calls itself: with a mailto when the user gave an address."""
        agent = f"citels/{__version__}"
        return f"{agent} (mailto:{self.contact})" if self.contact else agent
