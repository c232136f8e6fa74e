"""Generated BibTeX is accepted by the real tools: bibtex, biber, pandoc --citeproc.

The README's test command installs them (TeX Live, biber, pandoc, poppler); a missing tool is
a failure, not a skip.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from citels.bibliography.entry import to_bibtex
from citels.store import Store

TOOLS = ("pdflatex", "bibtex", "biber", "pandoc", "pdftotext")
TITLES = ("TÜLU 3: Pushing", "u-μP:", "MedS3", "CFG++:")


@pytest.fixture(scope="module", autouse=True)
def tools_are_installed():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"missing {missing}: run tests/run.sh, which installs them"


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          errors="replace")


def write_bib(store: Store, path: Path, *, unicode: bool) -> list:
    papers = list(store.papers())
    path.write_text("\n".join(to_bibtex(p, unicode=unicode) for p in papers), encoding="utf-8")
    return papers


def latex_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("!")]


def pdf_text(path: Path) -> str:
    text = run("pdftotext", str(path), "-", cwd=path.parent).stdout
    return unicodedata.normalize("NFKC", text)  # the PDF's micro sign is the Greek mu


def compile_with_bibtex(folder: Path, preamble: str, style: str) -> tuple[str, str]:
    (folder / "doc.tex").write_text(
        f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n\\nocite{{*}}\n"
        f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n\\end{{document}}\n")
    run("pdflatex", "-interaction=nonstopmode", "doc", cwd=folder)
    bibtex = run("bibtex", "doc", cwd=folder)
    run("pdflatex", "-interaction=nonstopmode", "doc", cwd=folder)
    final = run("pdflatex", "-interaction=nonstopmode", "doc", cwd=folder)
    return bibtex.stdout, final.stdout


def test_bibtex_plain_no_warning_and_titles_render(bundled_store: Store, tmp_path: Path):
    write_bib(bundled_store, tmp_path / "refs.bib", unicode=False)
    bibtex, latex = compile_with_bibtex(tmp_path, "", "plain")
    assert "Warning" not in bibtex and "error" not in bibtex.lower(), bibtex
    assert latex_errors(latex) == []
    text = pdf_text(tmp_path / "doc.pdf")
    for title in TITLES:
        assert title in text
    assert "[400]" in text and "[401]" not in text  # every paper, numbered


def test_natbib_plainnat_warns_only_about_unknown_years(bundled_store: Store, tmp_path: Path):
    papers = write_bib(bundled_store, tmp_path / "refs.bib", unicode=False)
    # plainnat prints urls with \url, so documents using it load the url package.
    bibtex, latex = compile_with_bibtex(tmp_path, "\\usepackage{natbib}\n\\usepackage{url}\n",
                                        "plainnat")
    warnings = [line for line in bibtex.splitlines() if line.startswith("Warning--")]
    undated = [p.key for p in papers if not p.year]
    assert sorted(warnings) == sorted(f"Warning--empty year in {key}" for key in undated)
    assert latex_errors(latex) == []


@pytest.mark.parametrize("unicode", [False, True])
def test_biblatex_biber_no_warning_abstracts_with_math_render(bundled_store: Store,
                                                             tmp_path: Path, unicode: bool):
    write_bib(bundled_store, tmp_path / "refs.bib", unicode=unicode)
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
        # Print every abstract too: the math in them must typeset.
        "\\renewbibmacro*{finentry}{\\newunit\\printfield{abstract}\\finentry}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n\\printbibliography\n"
        "\\end{document}\n")
    run("pdflatex", "-interaction=nonstopmode", "doc", cwd=tmp_path)
    biber = run("biber", "doc", cwd=tmp_path)
    assert biber.returncode == 0, biber.stdout
    assert [line for line in biber.stdout.splitlines() if "WARN" in line or "ERROR" in line] == []
    latex = run("pdflatex", "-interaction=nonstopmode", "doc", cwd=tmp_path)
    assert latex_errors(latex.stdout) == []
    text = pdf_text(tmp_path / "doc.pdf")
    for title in TITLES:
        assert title in text
    # $\mathcal{O}\left(nε_{\text{BC}}/(1-γ)^2\right)$ from an abstract, typeset.
    assert "nεBC /(1 − γ)2" in text


def test_pandoc_citeproc_renders_every_paper_without_warning(bundled_store: Store,
                                                              tmp_path: Path):
    papers = write_bib(bundled_store, tmp_path / "refs.bib", unicode=True)
    citations = " ".join(f"[@{p.key}]" for p in papers)
    (tmp_path / "doc.md").write_text(f"---\nbibliography: refs.bib\n---\n\n{citations}\n")
    result = run("pandoc", "--citeproc", "-t", "plain", "doc.md", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    text = unicodedata.normalize("NFKC", result.stdout)
    for title in ("TÜLU 3: Pushing", "u-μP: The Unit-Scaled", "MedS3: Towards", "CFG++:"):
        assert title in text
    assert "???" not in text  # pandoc marks citations it could not resolve
