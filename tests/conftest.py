"""Shared fixtures: the bundled corpus, fresh indexes, and the real `citels` command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citels.indexer import index_corpus
from citels.store import Store

REPO = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = REPO / "corpus"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus's paper files, safe to edit."""
    target = tmp_path / "corpus"
    target.mkdir()
    for path in BUNDLED_CORPUS.glob("*.txt"):
        shutil.copy2(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """An index of the bundled corpus, built once for the read-only tests."""
    store = Store(tmp_path_factory.mktemp("index") / "bundled.sqlite3")
    index_corpus(store, [BUNDLED_CORPUS])
    return store
