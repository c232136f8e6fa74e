"""Which papers a citation completion offers (what choosing one inserts is
`cite_syntax.key_insertion`'s, and where, `insertion.py`'s).

Pure policy: it asks a catalogue (anything with `get` and `search`) and knows nothing of
the protocol.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from citels.papers import Hit, Paper


class PaperFinder(Protocol):
    """What completion needs of the catalogue."""

    def get(self, key: str) -> Paper | None:
        """The paper with this key, if any."""

    def search(self, text: str, *, limit: int, cited: Collection[str] = ()) -> list[Hit]:
        """The best papers for the text, best first."""


def papers_to_offer(finder: PaperFinder, typed: str, keys_in_citation: Sequence[str],
                    cited_in_document: Sequence[str], limit: int) -> list[Paper]:
    """At most `limit` papers for what was typed, none the citation holds already.

    With nothing typed yet: the papers the document already cites, most recent first.
    """
    excluded = {key.lower() for key in keys_in_citation}
    if typed.strip():
        # Ask for as many more as could be excluded, so the list stays full.
        hits = finder.search(typed, limit=limit + len(excluded), cited=cited_in_document)
        papers = [hit.paper for hit in hits]
    else:
        papers = [p for key in dict.fromkeys(reversed(cited_in_document))
                  if (p := finder.get(key)) is not None]
    return [p for p in papers if p.key and p.key.lower() not in excluded][:limit]
