"""Org: the real Emacs (Debian's, with org-cite) exports a document after citels completed its
citations and wrote the entry, and prints the paper resolved.

tests/run.sh installs emacs-nox; a missing Emacs is a failure, not a skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from citels.bibliography.append import append_entry
from citels.bibliography.entry import to_bibtex
from citels.cite_syntax import org as org_syntax
from citels.papers import Paper

PAPER = Paper(
    title="Attention Is All You Need",
    key="vaswaniAttentionAllYou2017",
    year=2017,
    authors=["Vaswani, Ashish", "Shazeer, Noam"],
    venue="Advances in Neural Information Processing Systems",
    entry_type="inproceedings",
    doi="10.48550/arXiv.1706.03762",
)


@pytest.fixture(scope="module")
def emacs() -> str:
    path = shutil.which("emacs")
    assert path, "emacs is missing: run tests/run.sh, which installs emacs-nox"
    return path


def complete(line: str, key: str) -> str:
    """The line citels leaves after completing `key` where the cursor ('|') is."""
    column = line.index("|")
    text = line.replace("|", "", 1)
    span = org_syntax.citation_at([text], 0, column)
    assert span is not None, line
    inserted = ("@" if span.needs_at else "") + key
    return text[:span.start] + inserted + text[span.end:]


def export(emacs: str, folder: Path, backend: str) -> str:
    command = {"ascii": "(org-ascii-export-to-ascii)", "latex": "(org-latex-export-to-latex)"}
    result = subprocess.run(
        [emacs, "--batch", "-Q", "doc.org", "--eval",
         f"(progn (require 'oc-basic) {command[backend]})"],
        cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return (folder / ("doc.txt" if backend == "ascii" else "doc.tex")).read_text(
        encoding="utf-8")


@pytest.mark.parametrize("backend", ["ascii", "latex"])
def test_org_cite_resolves_the_paper_citels_inserted_and_wrote(emacs: str, tmp_path: Path,
                                                                backend: str):
    existing = "@book{knuth84,\n  author = {Knuth, Donald},\n  title = {Literate Programming},\n" \
               "  year = 1984,\n}"  # the user's file, without a final newline
    append = append_entry(existing, PAPER.key or "", to_bibtex(PAPER, unicode=True))
    assert append is not None
    (tmp_path / "refs.bib").write_text(existing + append.text, encoding="utf-8")
    lines = [
        "#+title: Citing",
        "#+options: toc:nil",
        "#+bibliography: refs.bib",
        "#+cite_export: basic",
        "",
        complete("Transformers [cite:@atten|] changed things.", PAPER.key or ""),
        complete("Both [cite:@knuth84; |].", PAPER.key or ""),
        "",
        "#+begin_verse",
        complete("In verse [cite:@|]", PAPER.key or ""),
        "#+end_verse",
        "",
        "#+begin_example",
        "[cite:@notACitation]",
        "#+end_example",
        "",
        "#+print_bibliography:",
    ]
    (tmp_path / "doc.org").write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = " ".join(export(emacs, tmp_path, backend).split())
    assert "Transformers (Vaswani, Ashish and Shazeer, Noam, 2017) changed things." in output
    assert "Both (Knuth, Donald, 1984, Vaswani, Ashish and Shazeer, Noam, 2017)." in output
    # Org parses citations in verse blocks (the syntax table offers them there) and not in
    # example blocks (where it does not).
    assert "In verse (Vaswani, Ashish and Shazeer, Noam, 2017)" in output
    assert "[cite:@notACitation]" in output
    assert "Attention Is All You Need" in output and "Literate Programming" in output
