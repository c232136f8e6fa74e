"""The SQLite index of a corpus, in layers (see `papers.py`); the only package that writes SQL
or speaks FTS5. `Store` answers the ranker's questions (`citels.search_index.SearchIndex`).
"""

from __future__ import annotations

from citels.search_index import Candidate
from citels.store.migrations import SchemaTooNew
from citels.store.papers import Store, open_store
from citels.store.records import FileState

__all__ = ["Candidate", "FileState", "SchemaTooNew", "Store", "open_store"]
