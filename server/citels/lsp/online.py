"""Online lookups in the server (`citels.online`): the lookup queue made or closed as the
setting changes, the index of looked-up papers among those the catalogue opens, and the
short wait a completion allows a lookup.

A completion that names an identifier no index holds starts its lookup and waits for it at
most `WAIT_SECONDS` (other requests are answered meanwhile); a paper found in time is in
that list, first. Otherwise the list is what the indexes have, marked incomplete as always,
and the lookup goes on: the next completion (the next keystroke, or asking again) shows it.
"""

from __future__ import annotations

import logging

from citels.corpus.identifiers import Identifier, identifiers_in
from citels.indexes import WantedIndex
from citels.locations import online_folder
from citels.lsp.server import CitelsServer

log = logging.getLogger("citels.online")
WAIT_SECONDS = 1.5


def configure(ls: CitelsServer) -> None:
    """Make the lookup queue when the setting is on (again, if the contact changed); close
    it when it is off. With the setting off nothing is ever sent."""
    from citels.online.services import Services

    wanted = Services.from_environment(ls.config.online_contact) if ls.config.online else None
    current = ls.online.fetcher.services if ls.online is not None else None
    if wanted == current:
        return
    if ls.online is not None:
        ls.online.close()
        ls.online = None
    if wanted is not None:
        from citels.online.kept import KeptPapers
        from citels.online.lookup import Fetcher
        from citels.online.queue import LookupQueue

        folder = online_folder()
        ls.online = LookupQueue(Fetcher(wanted, folder / "http-cache.sqlite"),
                                KeptPapers(folder),
                                lambda key: ls.catalogue.get(key) is not None)


def kept_index(ls: CitelsServer) -> WantedIndex | None:
    """The index of looked-up papers, when lookups are on."""
    return ls.online.kept.ensure_folder() if ls.online is not None else None


def unknown_identifiers(ls: CitelsServer, typed: str) -> list[Identifier]:
    """The DOIs and arXiv ids typed that no index holds (none when lookups are off)."""
    if ls.online is None:
        return []
    from citels.online.lookup import LOOKED_UP_SCHEMES

    return [identifier for identifier in identifiers_in(typed)
            if identifier[0] in LOOKED_UP_SCHEMES
            and not ls.catalogue.holds_identifier(identifier)]


async def found_online(ls: CitelsServer, typed: str) -> bool:
    """Whether a paper the typed text names was found online (and kept) within the wait;
    never an error: a completion is answered whatever became of the lookup."""
    try:
        identifiers = unknown_identifiers(ls, typed)
        if not identifiers or ls.online is None:
            return False
        return await ls.online.found_within(identifiers, WAIT_SECONDS)
    except Exception as error:
        log.debug("online lookup of %r failed: %r", typed, error)
        return False
