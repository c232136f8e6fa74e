"""Papers found online, kept: one CSL-JSON file each in a folder of the user cache, indexed
like any corpus into an index of their own. So a looked-up paper is found again without
asking the network, hovered, resolved and written as BibTeX like every other, under a key
given once (Better BibTeX style) and kept in its file."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citels.corpus.csl_json import csl_item_paper
from citels.corpus.identifiers import Identifier
from citels.indexer import IndexReport
from citels.indexes import WantedIndex, index_in_own_connection
from citels.keys import base_key, unique_key

LOOKED_UP_INDEX = "looked-up papers"


class KeptPapers:
    """The folder of looked-up papers and its index."""

    def __init__(self, folder: Path) -> None:
        self.papers = folder / "papers"
        self.index = WantedIndex((self.papers,), folder / "papers.sqlite3", LOOKED_UP_INDEX)

    def ensure_folder(self) -> WantedIndex:
        """The index to open (its folder made, so an empty one is not "not found")."""
        self.papers.mkdir(parents=True, exist_ok=True)
        return self.index

    def keep(self, identifier: Identifier, item: dict[str, Any],
             is_taken: Callable[[str], bool]) -> str:
        """Write the item as a paper of the folder under a new key (none `is_taken` has);
        the key. The index sees it at the next `refresh`."""
        scheme, value = identifier
        path = self.papers / f"{scheme}-{hashlib.sha1(value.encode()).hexdigest()[:16]}.json"
        label = str(path)
        key = unique_key(base_key(csl_item_paper({**item, "id": "_"}, label)), is_taken)
        self.papers.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed over: the index never reads half a file.
        handle, temporary = tempfile.mkstemp(dir=self.papers, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump([{"id": key, **item}], file, ensure_ascii=False, indent=1)
        os.replace(temporary, path)
        return key

    def refresh(self) -> IndexReport:
        """Index what was kept since the last run (in a connection of its own)."""
        return index_in_own_connection(self.ensure_folder())
