"""Where things live: the bundled corpus, one index database per corpus in the user cache, and
the papers looked up online (with their HTTP cache) beside them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import platformdirs

# An installed citels (pip, pipx, a wheel) carries the corpus as its bundled_corpus package;
# an editable install from a checkout reads the checkout's corpus/ folder beside server/.
_PACKAGED_CORPUS = Path(__file__).resolve().parent / "bundled_corpus"
BUNDLED_CORPUS = (_PACKAGED_CORPUS if _PACKAGED_CORPUS.is_dir()
                  else Path(__file__).resolve().parents[2] / "corpus")


def default_corpus() -> list[Path]:
    """The corpus when none is named: $CITELS_CORPUS's paths, else the bundled one."""
    override = os.environ.get("CITELS_CORPUS")
    return [Path(p) for p in override.split(os.pathsep)] if override else [BUNDLED_CORPUS]


def workspace_database(roots: Sequence[Path]) -> Path:
    """The index of a workspace's own .bib files: one per set of workspace folders."""
    names = "\n".join(sorted(str(path.resolve()) for path in roots))
    digest = hashlib.sha1(names.encode("utf-8")).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("citels")) / f"workspace-{digest}.sqlite3"


def default_database(corpus: Sequence[Path]) -> Path:
    """One database per corpus: the same corpus paths always find the same index."""
    names = "\n".join(sorted(str(path.resolve()) for path in corpus))
    digest = hashlib.sha1(names.encode("utf-8")).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("citels")) / f"index-{digest}.sqlite3"


def online_folder() -> Path:
    """Where looked-up papers (one CSL-JSON file each), their index and the HTTP cache live."""
    return Path(platformdirs.user_cache_dir("citels")) / "online"
