"""Distractor papers that look like a real literature, for ranking and performance tests.

Word-bigram chains over the bundled corpus's titles and abstracts keep its common words at
their real frequencies, so "mirror descent", "reward model" and "policy optimization" compete
as they would in a field. A word found in only a few papers (a method's name, an acronym like
KLoM) is never copied: each occurrence becomes a fresh made-up word of the same shape, so a
real paper's distinctive names stay about as rare as in reality. Deterministic for a seed.

    python tests/ranking/distractors.py OUT_DIR --count 100000 [--seed 1] [--format txt|bib]
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from citels.corpus import read_records
from citels.corpus.seed_pages import PAGE_CHROME
from citels.merge import merge_id
from citels.text import normalize_title, words

RARE_PAPERS = 3  # a word in this many papers or fewer is a name, not vocabulary
_TOKEN = re.compile(r"[\w][\w'’^+.\-]*[\w+]|[\w]|[^\w\s]")
_START, _END = "<s>", "</s>"
_ONSETS = ["b", "br", "c", "d", "dr", "f", "g", "gl", "k", "l", "m", "n", "p", "pr", "r", "s",
           "st", "t", "tr", "v", "z", "sh", "th"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ei"]


@dataclass
class Chains:
    """Bigram successors for titles and abstracts, and the words too rare to copy."""

    title: dict[str, list[str]]
    abstract: dict[str, list[str]]
    rare: set[str]
    real_titles: set[str]
    vocabulary: set[str]


def corpus_papers(corpus: Path) -> list[tuple[str, str]]:
    """(title, abstract) of each distinct titled paper of a seed-page corpus."""
    seen: dict[str, tuple[str, str]] = {}
    for path in sorted(corpus.glob("*.txt")):
        for paper in read_records(path, path.read_bytes(), path.name).papers:
            if paper.title and paper.abstract:
                seen.setdefault(merge_id(paper), (paper.title, paper.abstract))
    return list(seen.values())


def build_chains(corpus: Path) -> Chains:
    papers = corpus_papers(corpus)
    document_frequency: Counter[str] = Counter()
    for title, abstract in papers:
        # Words, and written tokens of several parts as one name ("RLHF-V" as rlhfv).
        tokens = _TOKEN.findall(title + " " + abstract)
        document_frequency.update(set(words(title + " " + abstract)) | {
            "".join(words(t)) for t in tokens if len(words(t)) > 1})
    rare = {w for w, n in document_frequency.items() if n <= RARE_PAPERS and not w.isdigit()}
    title_chain: dict[str, list[str]] = defaultdict(list)
    abstract_chain: dict[str, list[str]] = defaultdict(list)
    for title, abstract in papers:
        _learn(title_chain, _TOKEN.findall(title))
        _learn(abstract_chain, _TOKEN.findall(abstract))
    return Chains(title_chain, abstract_chain, rare,
                  {normalize_title(t) for t, _ in papers}, set(document_frequency))


def _learn(chain: dict[str, list[str]], tokens: list[str]) -> None:
    for previous, following in zip([_START, *tokens], [*tokens, _END], strict=True):
        chain[previous].append(following)


def _walk(chain: dict[str, list[str]], rng: random.Random, max_tokens: int) -> list[str]:
    tokens: list[str] = []
    current = _START
    while len(tokens) < max_tokens:
        current = rng.choice(chain[current])
        if current == _END:
            break
        tokens.append(current)
    return tokens


def made_up_word(shape: str, rng: random.Random, vocabulary: set[str]) -> str:
    """A new word about as long as `shape`, with its capitals and digits, in no real paper."""
    if not any(char.isalpha() for char in shape):
        shape = "x" + shape  # all digits and signs: give it a letter to vary
    for attempt in range(100):
        letters = ""
        while len(letters) < max(3, sum(c.isalpha() for c in shape)) + attempt // 10:
            letters += rng.choice(_ONSETS) + rng.choice(_VOWELS)
        out, position = [], 0
        for char in shape:
            if char.isalpha():
                letter = letters[position % len(letters)]
                position += 1
                out.append(letter.upper() if char.isupper() else letter)
            else:
                out.append(char)
        out.append(letters[position:] if attempt >= 10 else "")
        word = "".join(out)
        if not {w for w in words(word) if len(w) > 2 and not w.isdigit()} & vocabulary:
            return word
    raise AssertionError(f"no made-up word for {shape!r}")


def _render(tokens: list[str], chains: Chains, rng: random.Random) -> str:
    out: list[str] = []
    for token in tokens:
        parts = words(token)
        if set(parts) & chains.rare or (len(parts) > 1 and "".join(parts) in chains.rare):
            token = made_up_word(token, rng, chains.vocabulary)
        if out and (token in ",.;:)?!" or out[-1] == "("):
            out[-1] += token
        else:
            out.append(token)
    return " ".join(out)


def generate(chains: Chains, count: int, seed: int) -> list[tuple[str, str]]:
    """`count` distractor papers, none with a real paper's (or another distractor's) title."""
    rng = random.Random(seed)
    taken = set(chains.real_titles)
    papers: list[tuple[str, str]] = []
    while len(papers) < count:
        title = _render(_walk(chains.title, rng, 24), chains, rng)
        abstract = _render(_walk(chains.abstract, rng, 260), chains, rng)
        normal = normalize_title(title)
        if (len(normal) < 8 or normal in taken or title in PAGE_CHROME
                or len(abstract) < 200 or title.startswith("Abstract:")):
            continue
        taken.add(normal)
        papers.append((title, abstract))
    return papers


def write_distractor_corpus(corpus: Path, out_dir: Path, *, count: int, seed: int = 1,
                            form: str = "txt") -> Path:
    """Write the distractors as one corpus file (seed-page layout or .bib); reuse if present."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"distractors-{count}-seed{seed}.{form}"
    if path.exists():
        return path
    papers = generate(build_chains(corpus), count, seed)
    temporary = path.with_suffix(".partial")
    with temporary.open("w", encoding="utf-8") as out:
        for number, (title, abstract) in enumerate(papers):
            if form == "bib":
                out.write(f"@misc{{distractor{number},\n  title = {{{_bib(title)}}},\n"
                          f"  abstract = {{{_bib(abstract)}}},\n}}\n\n")
            else:
                out.write(f"{title}\n{abstract}\n")
    temporary.rename(path)
    return path


def _bib(text: str) -> str:
    return re.sub(r"([{}\\&%$#_])", r"\\\1", text)


def main() -> int:
    parser = argparse.ArgumentParser(description="Write generated distractor papers.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=["txt", "bib"], default="txt")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).parents[2] / "corpus")
    args = parser.parse_args()
    print(write_distractor_corpus(args.corpus, args.out_dir, count=args.count, seed=args.seed,
                                  form=args.format))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
