"""Ranking evaluation: recall@1, recall@5 and MRR of `citels.ranking.rank`, overall and per kind.

    python tests/ranking/evaluate.py                      # the bundled corpus
    python tests/ranking/evaluate.py --distractors 100000 # plus generated distractor papers

The queries are in queries.json beside this file: each has a kind, the text a writer would
type, and the right answers (titles, or "abstract:<opening>" for papers known only by their
abstract). With distractors, the figures are also given for the queries not marked ambiguous.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from distractors import write_distractor_corpus  # noqa: E402

from citels.indexer import index_corpus  # noqa: E402
from citels.papers import Paper  # noqa: E402
from citels.ranking import rank  # noqa: E402
from citels.store import Store  # noqa: E402

DEPTH = 50  # ranks below this count as not found


@dataclass(frozen=True)
class Result:
    kind: str
    query: str
    ambiguous: bool
    rank: int | None  # 1-based rank of the first right answer, None if not in the top DEPTH
    top: str  # what came first, for reading failures


def load_queries() -> list[dict]:
    return json.loads((HERE / "queries.json").read_text(encoding="utf-8"))


def is_answer(paper: Paper, answers: list[str]) -> bool:
    for answer in answers:
        if answer.startswith("abstract:"):
            if not paper.title and (paper.abstract or "").startswith(answer[len("abstract:"):]):
                return True
        elif paper.title == answer:
            return True
    return False


def check_answers_exist(store: Store, queries: list[dict]) -> None:
    """Every answer must name a paper of the corpus, or the evaluation measures nothing."""
    papers = list(store.papers())
    for query in queries:
        for answer in query["answers"]:
            if not any(is_answer(paper, [answer]) for paper in papers):
                raise SystemExit(f"queries.json: no paper in the corpus is {answer!r}")


def evaluate(store: Store, queries: list[dict]) -> list[Result]:
    results = []
    for query in queries:
        hits = rank(store, query["query"], limit=DEPTH)
        found = next((i + 1 for i, hit in enumerate(hits)
                      if is_answer(hit.paper, query["answers"])), None)
        top = (hits[0].paper.title or "[untitled]") if hits else "(nothing)"
        results.append(Result(query["kind"], query["query"], query.get("ambiguous", False),
                              found, top))
    return results


def figures(results: list[Result]) -> dict[str, float]:
    count = len(results) or 1
    return {
        "queries": len(results),
        "recall@1": sum(r.rank == 1 for r in results) / count,
        "recall@5": sum(r.rank is not None and r.rank <= 5 for r in results) / count,
        "mrr": sum(1 / r.rank for r in results if r.rank) / count,
    }


def report(results: list[Result]) -> dict[str, dict[str, float]]:
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    table = {"overall": figures(results),
             "unambiguous": figures([r for r in results if not r.ambiguous])}
    table.update({kind: figures(rows) for kind, rows in sorted(by_kind.items())})
    return table


def build_store(database: Path, distractors: int, seed: int, workdir: Path) -> Store:
    paths = [REPO / "corpus"]
    if distractors:
        paths.append(write_distractor_corpus(REPO / "corpus", workdir / "distractors",
                                             count=distractors, seed=seed))
    store = Store(database)
    started = time.perf_counter()
    index_corpus(store, paths)
    print(f"indexed {store.paper_counts()[0]} papers in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--distractors", type=int, default=0, help="generated papers to add")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--failures", action="store_true", help="list queries not in the top 5")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="citels-eval-") as temp:
        store = build_store(Path(temp) / "index.sqlite3", args.distractors, args.seed, Path(temp))
        queries = load_queries()
        check_answers_exist(store, queries)
        started = time.perf_counter()
        results = evaluate(store, queries)
        elapsed = time.perf_counter() - started
        store.close()
    table = report(results)
    if args.json:
        print(json.dumps(table, indent=2))
    else:
        print(f"{'':<14}{'queries':>8}{'recall@1':>10}{'recall@5':>10}{'MRR':>8}")
        for name, row in table.items():
            print(f"{name:<14}{row['queries']:>8}{row['recall@1']:>10.3f}"
                  f"{row['recall@5']:>10.3f}{row['mrr']:>8.3f}")
        print(f"({elapsed / len(results) * 1000:.1f} ms a query)", file=sys.stderr)
    if args.failures:
        for result in results:
            if result.rank != 1:
                print(f"  [{result.kind}] {result.query!r}: rank {result.rank}, "
                      f"first {result.top!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
