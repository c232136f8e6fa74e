"""Online lookups for the command line (`citels search --online`, `citels bibtex
--online`): the identifiers a text names that no index holds are looked up there and then
(each bounded by the services' timeout), kept like the server keeps them, and searched
with the corpus."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from citels.catalogue import Catalogue
from citels.corpus.identifiers import Identifier, identifiers_in
from citels.locations import online_folder
from citels.online.kept import KeptPapers
from citels.online.lookup import LOOKED_UP_SCHEMES, Fetcher
from citels.online.services import Services
from citels.store import Store


@contextmanager
def online_catalogue(corpus: Store, texts: Iterable[str]) -> Iterator[Catalogue]:
    """The corpus and the papers looked up online, as one catalogue, after looking up what
    `texts` name that neither holds."""
    folder = online_folder()
    kept = KeptPapers(folder)
    kept.refresh()  # the index exists (and has what another process kept) before it is read
    looked_up = Store(kept.index.database)
    catalogue = Catalogue([corpus, looked_up])
    fetcher = Fetcher(Services.from_environment(), folder / "http-cache.sqlite")
    try:
        wanted = [identifier for text in texts for identifier in _identifiers(text)
                  if not catalogue.holds_identifier(identifier)]
        found = False
        for identifier in dict.fromkeys(wanted):
            item = fetcher.look_up(identifier)
            if item is not None:
                kept.keep(identifier, item, lambda key: catalogue.get(key) is not None)
                found = True
        if found:
            kept.refresh()
        yield catalogue
    finally:
        fetcher.close()
        looked_up.close()


def _identifiers(text: str) -> list[Identifier]:
    return [i for i in identifiers_in(text) if i[0] in LOOKED_UP_SCHEMES]
