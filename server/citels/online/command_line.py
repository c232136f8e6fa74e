"""Online lookups for the command line (`citels search --online`, `citels bibtex
--online`): the identifiers a text names that no index holds are looked up there and then
(each bounded by the services' timeout), kept like the server keeps them, and searched
with the corpus."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from citels.catalogue import Catalogue
from citels.corpus.identifiers import Identifier, identifiers_in
from citels.locations import online_folder
from citels.online.kept import KeptPapers
from citels.online.lookup import LOOKED_UP_SCHEMES, Fetcher
from citels.online.services import Services
from citels.papers import Paper
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


def papers_online(corpus: Store, names: Sequence[str]) -> tuple[list[Paper], str | None]:
    """The papers named by keys or identifiers (those no index holds looked up online), and
    the first name that names none (or None)."""
    papers = []
    with online_catalogue(corpus, names) as catalogue:
        for name in names:
            paper = catalogue.get(name) or _paper_named_by(catalogue, name)
            if paper is None:
                return papers, name
            papers.append(paper)
    return papers, None


def _paper_named_by(catalogue: Catalogue, text: str) -> Paper | None:
    """The paper an identifier names (a DOI, an arXiv id), if a store holds it."""
    if not any(catalogue.holds_identifier(i) for i in identifiers_in(text)):
        return None
    hits = catalogue.search(text, limit=1)
    return hits[0].paper if hits else None


def _identifiers(text: str) -> list[Identifier]:
    return [i for i in identifiers_in(text) if i[0] in LOOKED_UP_SCHEMES]
