"""People, years and identifiers: recall@5 and MRR of `citels.ranking.rank` on real metadata.

    python tests/ranking/people_benchmark.py                     # 30,000 papers, 400 a kind
    python tests/ranking/people_benchmark.py --papers 50000 --per-kind 1000 --failures

Reads ../shared/corpora/venue_papers_ml_nlp_cv_robotics.jsonl.zst (real titles, authors,
years, venues, some DOIs; not in the repository), indexes the first --papers of them and every
paper with a DOI, and asks, for papers picked at random (seeded), what a writer would type:

- surname_title: the first author's family name and two words of the title
- surname_year_word: the first author's family name, the year and one word of the title
- last_author_title: the last author's family name and two words of the title
- doi: the DOI as pasted from a browser (a resolver URL, `doi:`, or bare; any case)

A query that more than five papers fit as well as the right one (every typed word in the
title, the surname among the authors, the same year: "Li 2017 deep") is ambiguous: no ranker
can put the right one in the top five but by chance. The figures are given for all queries
and for the unambiguous ones. The tests on small fixtures (tests/test_people_search.py) need
none of this.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from citels import keys
from citels.corpus.json_lines import read_json_lines
from citels.keys import SKIP_WORDS
from citels.names import family_name, people_terms
from citels.papers import Paper
from citels.ranking import rank
from citels.store import Store
from citels.store.rows import StoredPaper
from citels.text import words

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpora" / "venue_papers_ml_nlp_cv_robotics.jsonl.zst"
DEPTH = 20


def read_papers(path: Path, count: int) -> list[Paper]:
    """The first `count` papers with a title, and every later one with a DOI."""
    papers: list[Paper] = []
    for paper in read_json_lines(path, path.name, []):
        if paper.title and (len(papers) < count or paper.doi):
            papers.append(paper)
    return papers


def build_store(database: Path, papers: list[Paper]) -> Store:
    """An index of the papers, keyed as the indexer keys them."""
    taken: set[str] = set()
    suffixes: dict[str, int] = {}

    def stored() -> list[StoredPaper]:
        result = []
        for number, paper in enumerate(papers):
            paper.key = keys.unique_key(keys.base_key(paper), lambda k: k.lower() in taken,
                                        suffixes)
            taken.add(paper.key.lower())
            result.append(StoredPaper(f"benchmark-{number}", paper, None, False, []))
        return result

    store = Store(database)
    with store.transaction():
        store.put_papers(stored(), count=len(papers), first_index=True)
        store.refresh_vocabulary()
        store.count_papers()
    return store


def title_words(paper: Paper) -> list[str]:
    """The title's words a writer would remember: not stop-words, not one or two letters."""
    return [w for w in dict.fromkeys(words(paper.title or ""))
            if w not in SKIP_WORDS and len(w) > 2 and not w.isdigit()]


def surname(name: str) -> str:
    """The family name as typed: its folded words."""
    return " ".join(words(family_name(name)))


class Fits:
    """How many papers fit a query as well as its answer, to tell ambiguous queries."""

    def __init__(self, papers: list[Paper]) -> None:
        self.by_name: dict[str, list[Paper]] = defaultdict(list)
        for paper in papers:
            for term in people_terms(paper.authors):
                self.by_name[term].append(paper)

    def count(self, text: str) -> int:
        typed = words(text)
        name, rest = typed[0], typed[1:]
        years = [int(w) for w in rest if len(w) == 4 and w.isdigit()]
        title = [w for w in rest if not (len(w) == 4 and w.isdigit())]
        return sum(1 for paper in self.by_name.get(name, [])
                   if set(title) <= set(words(paper.title or ""))
                   and all(paper.year == year for year in years))


def queries(papers: list[Paper], per_kind: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, typed text, key of the right paper) for papers picked at random."""
    chooser = random.Random(seed)
    asked: list[tuple[str, str, str]] = []
    # A name with no Latin letters (胡振) is not typed so by a writer of a LaTeX document.
    with_people = [p for p in papers if p.authors and len(title_words(p)) >= 2
                   and surname(p.authors[0]) and surname(p.authors[-1])]
    for paper in chooser.sample(with_people, min(per_kind, len(with_people))):
        picked = chooser.sample(title_words(paper), 2)
        asked.append(("surname_title", f"{surname(paper.authors[0])} {' '.join(picked)}",
                      paper.key))
    dated = [p for p in with_people if p.year]
    for paper in chooser.sample(dated, min(per_kind, len(dated))):
        word = chooser.choice(title_words(paper))
        asked.append(("surname_year_word",
                      f"{surname(paper.authors[0])} {paper.year} {word}", paper.key))
    several = [p for p in with_people if len(p.authors) > 1]
    for paper in chooser.sample(several, min(per_kind, len(several))):
        picked = chooser.sample(title_words(paper), 2)
        asked.append(("last_author_title",
                      f"{surname(paper.authors[-1])} {' '.join(picked)}", paper.key))
    with_doi = [p for p in papers if p.doi]
    forms = ["https://doi.org/{}", "doi:{}", "{}", "DOI: {}"]
    for paper in chooser.sample(with_doi, min(per_kind, len(with_doi))):
        doi = paper.doi.upper() if chooser.random() < 0.3 else paper.doi
        asked.append(("doi", chooser.choice(forms).format(doi), paper.key))
    return asked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--papers", type=int, default=30_000)
    parser.add_argument("--per-kind", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--failures", action="store_true", help="list queries not in the top 5")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus}: not found (the benchmark needs the shared corpora)")
    papers = read_papers(args.corpus, args.papers)
    with tempfile.TemporaryDirectory(prefix="citels-people-") as temp:
        started = time.perf_counter()
        store = build_store(Path(temp) / "index.sqlite3", papers)
        print(f"indexed {len(papers)} papers in {time.perf_counter() - started:.1f}s",
              file=sys.stderr)
        ranks: dict[str, list[int | None]] = defaultdict(list)
        failures = []
        timings = []
        fits = Fits(papers)
        for kind, text, key in queries(papers, args.per_kind, args.seed):
            ambiguous = kind != "doi" and fits.count(text) > 5
            started = time.perf_counter()
            hits = rank(store, text, limit=DEPTH)
            timings.append(time.perf_counter() - started)
            found = next((i + 1 for i, hit in enumerate(hits) if hit.paper.key == key), None)
            ranks[kind].append(found)
            if not ambiguous:
                ranks[f"{kind} (unambiguous)"].append(found)
            if (found is None or found > 5) and not ambiguous:
                failures.append((kind, text, found, hits[0].paper.title if hits else None))
        store.close()
    print(f"{'':<32}{'queries':>8}{'recall@1':>10}{'recall@5':>10}{'MRR':>8}")
    for kind, found in sorted(ranks.items()):
        count = len(found)
        print(f"{kind:<32}{count:>8}{sum(r == 1 for r in found) / count:>10.3f}"
              f"{sum(r is not None and r <= 5 for r in found) / count:>10.3f}"
              f"{sum(1 / r for r in found if r) / count:>8.3f}")
    timings.sort()
    print(f"(median {timings[len(timings) // 2] * 1000:.1f} ms,"
          f" p95 {timings[int(len(timings) * 0.95)] * 1000:.1f} ms a query)", file=sys.stderr)
    if args.failures:
        for kind, text, found, top in failures:
            print(f"  [{kind}] {text!r}: rank {found}, first: {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
