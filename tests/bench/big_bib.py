"""Make a large .bib of real papers and time `citels index` on it (issue 17's big libraries).

    python3 tests/bench/big_bib.py 30000 /tmp/big.bib    # write the file
    python3 tests/bench/big_bib.py --time /tmp/big.bib   # index it cold: seconds, peak RSS

`big_bib_server.py` runs the server on it (cold and warm starts, typing, saves, the peer).

The papers are ../shared/corpora's; a fifth of the titles get LaTeX (accents, protected
capitals, \\emph), as real libraries have, and a tenth of the journals are @string macros.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / \
    "venue_papers_ml_nlp_cv_robotics.jsonl.zst"
# Umlauts stay UTF-8: citation-langserver's parser stops reading a file at a straight
# double quote inside braces ({\\"o}), and the peer must read the same file.
_ACCENTS = {"é": "{\\'e}", "è": "{\\`e}", "ç": "{\\c c}", "ñ": "{\\~n}"}


def latexed(title: str, number: int) -> str:
    """Some titles as people write them in .bib files."""
    if number % 5:
        return title.replace("{", "").replace("}", "")
    title = "".join(_ACCENTS.get(char, char) for char in title)
    title = re.sub(r"\b([A-Z][A-Za-z]*[A-Z][A-Za-z]*)\b", r"{\1}", title, count=1)
    words = title.split(" ")
    if len(words) > 3:
        words[2] = "\\emph{" + words[2] + "}"
    return " ".join(words).replace("&", "\\&").replace("%", "\\%")


def write_bib(count: int, out: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "server"))
    from citels.corpus.json_lines import read_json_lines

    warnings: list[str] = []
    keys: set[str] = set()
    lines = ['@string{neurips = "Advances in Neural Information Processing Systems"}\n']
    for number, paper in enumerate(read_json_lines(CORPUS, CORPUS.name, warnings)):
        if len(keys) >= count:
            break
        if not paper.title:
            continue
        first = re.sub(r"[^a-z]", "", (paper.authors[0].split()[-1] if paper.authors
                                        else "anon").lower()) or "anon"
        key = f"{first}{paper.year or ''}{len(keys)}"
        keys.add(key)
        venue = "neurips" if number % 10 == 0 else "{" + (paper.venue or "Proceedings") + "}"
        title = latexed(paper.title.replace('"', "''"), number)
        authors = " and ".join(paper.authors)
        fields = [f"  title = {{{title}}},",
                  f"  author = {{{authors.replace(chr(34), '') or 'Anonymous'}}},",
                  f"  booktitle = {venue},", f"  year = {{{paper.year or 2000}}},"]
        if paper.doi:
            fields.append(f"  doi = {{{paper.doi}}},")
        if paper.abstract and number % 8 == 0:  # a library's abstracts are few
            abstract = paper.abstract.replace("{", "").replace("}", "").replace("\\", "")
            abstract = abstract.replace('"', "''")
            fields.append(f"  abstract = {{{abstract}}},")
        lines.append("@inproceedings{" + key + ",\n" + "\n".join(fields) + "\n}\n")
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"{out}: {len(keys)} entries, {out.stat().st_size / 1e6:.1f} MB")


def time_index(bib: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "citels", "index", str(bib), "--db",
                                 str(Path(folder) / "db.sqlite3")],
                                capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.stdout)
    # CPU seconds too: on a shared machine the wall time says more about the neighbours.
    print(f"index {bib.name}: {seconds:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU,"
          f" peak RSS {usage.ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    if sys.argv[1] == "--time":
        time_index(Path(sys.argv[2]))
    else:
        write_bib(int(sys.argv[1]), Path(sys.argv[2]))
