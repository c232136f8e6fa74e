"""The same corpus gives the same index (paper ids, keys, ranking order) whatever Python's
hash seed is: set and dict-of-set iteration order must never reach an id or a key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"

# Indexes the corpus given into a fresh database, then prints the papers table and a few
# ranked lists as JSON.
INDEX_AND_DUMP = """
import json, sys
from pathlib import Path
from citels.indexer import index_corpus
from citels.ranking import rank
from citels.store import Store

store = Store(Path(sys.argv[1]))
index_corpus(store, [Path(p) for p in sys.argv[2:]])
papers = store.conn.execute("SELECT id, merge_id, key FROM papers ORDER BY id").fetchall()
ranked = {query: [hit.paper.key for hit in rank(store, query, limit=10)]
          for query in ("deep learning methods", "deep learn", "methods for graphs")}
# The full-text indexes too: what they are given comes from sets in places (a paper's
# words), and must not come out in another order or form.
full_text = {table: repr(store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall())
             for table in ("titles_fts_data", "texts_fts_data", "works_fts_data")}
print(json.dumps({"papers": papers, "ranked": ranked, "full_text": full_text}))
"""


def _index_with_hash_seed(seed: str, database: Path, corpus: list[Path]) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed,
           "PYTHONPATH": os.pathsep.join([str(SERVER), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", INDEX_AND_DUMP, str(database),
                          *map(str, corpus)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def test_the_same_corpus_gives_the_same_index_whatever_the_hash_seed(tmp_path: Path):
    # Minified CSL-JSON: every item starts on line 1, so source order alone cannot tell
    # the papers apart. Titles that share their first words and year share a base key,
    # and repeated ids leave later papers a generated one: which paper gets the key
    # without a suffix must not depend on the seed.
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    items = [{"id": "dup" if i % 3 == 0 else f"item{i}", "type": "article-journal",
              "title": f"Deep Learning Methods for {word}",
              "abstract": f"Methods for graphs and {word} with deep learning.",
              "issued": {"date-parts": [[2020]]}} for i, word in enumerate(words)]
    library = tmp_path / "library.json"
    library.write_text(json.dumps(items), encoding="utf-8")
    seed_page = tmp_path / "seed.txt"
    seed_page.write_text("".join(
        f"Deep Learning Methods {word} revisited\nAbstract about {word} methods.\n\n"
        for word in words), encoding="utf-8")
    corpus = [library, seed_page]
    first = _index_with_hash_seed("1", tmp_path / "one.sqlite3", corpus)
    assert len(first["papers"]) == 2 * len(words)
    assert first["ranked"]["deep learning methods"]
    for seed in ("2", "3"):
        assert _index_with_hash_seed(seed, tmp_path / f"{seed}.sqlite3", corpus) == first
