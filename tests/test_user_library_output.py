"""A user's library written out by citels compiles with bibtex and biber, warning no more than
the library itself does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from citels.bibliography.entry import to_bibtex
from citels.corpus import read_records
from citels.indexer import index_corpus
from citels.store import Store

USERLIB = Path(__file__).parent / "fixtures" / "userlib"
LIBRARY = [USERLIB / "crypto", USERLIB / "zotero.json", USERLIB / "first.bib"]


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          errors="replace")


def written_library(tmp_path: Path) -> str:
    store = Store(tmp_path / "db.sqlite3")
    index_corpus(store, LIBRARY)
    return "\n".join(to_bibtex(paper) for paper in store.papers())


def test_bibtex_reads_the_written_entries_with_no_warning(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(written_library(tmp_path), encoding="utf-8")
    (tmp_path / "doc.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{plain}\n"
                                      "\\bibdata{refs}\n")
    bibtex = run("bibtex", "doc", cwd=tmp_path)
    warnings = [line for line in bibtex.stdout.splitlines() if line.startswith("Warning")]
    # The one the library itself has: plain knows no @web_page (biblatex does).
    assert warnings == ["Warning--entry type for \"w3c:html\" isn't style-file defined"], \
        bibtex.stdout
    bbl = (tmp_path / "doc.bbl").read_text()
    for expected in ("Lecture Notes in Computer Science", "TUGboat", "{World Health",
                     "Academic Press", "CRYPTO 2020, Part I", "101--120"):
        assert expected in bbl


def test_biber_reads_the_written_entries_with_no_warning(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(written_library(tmp_path), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n\\printbibliography\n"
        "\\end{document}\n")
    run("pdflatex", "-interaction=nonstopmode", "doc", cwd=tmp_path)
    biber = run("biber", "doc", cwd=tmp_path)
    assert biber.returncode == 0, biber.stdout
    assert [line for line in biber.stdout.splitlines() if "WARN" in line or "ERROR" in line] \
        == []


def test_csl_json_fields_reach_bibtex_without_loss():
    path = USERLIB / "zotero.json"
    papers = {p.source_key: p for p in read_records(path, path.read_bytes(), path.name).papers}
    article = to_bibtex(papers["smith2019journal"])
    for line in ("journal = {Journal of Measurement}", "volume  = {12}", "number  = {3}",
                 "pages   = {101--120}", "doi     = {10.1234/jm.2019.12.3}",
                 "issn    = {1234-5678}", "author  = {Smith, Jane and van Gogh, Vincent}"):
        assert f"  {line},\n" in article
    chapter = to_bibtex(papers["jones2018chapter"])
    for line in ("editor    = {Editor, Erin and Other, Otto}", "booktitle = {The Book of Things}",
                 "publisher = {Academic Press}", "address   = {London}",
                 "isbn      = {978-0-12-345678-6}", "series    = {Things Series}"):
        assert f"  {line},\n" in chapter
    report = to_bibtex(papers["who2020report"])
    for line in ("author      = {{World Health Organization}}", "number      = {WHO/HIS/2020.1}",
                 "institution = {World Health Organization}",
                 "url         = {https://www.who.int/data}"):
        assert f"  {line},\n" in report


def test_a_family_name_of_two_words_is_braced_whole_not_escaped():
    from citels.corpus.csl_json import csl_item_paper

    paper = csl_item_paper({"id": "vg", "type": "book", "title": "Letters",
                            "author": [{"family": "Van Gogh", "given": "Vincent"}]}, "x.json")
    assert paper.fields["author"] == "{{Van Gogh}, Vincent}"


# A library whose sort trick needs its preamble (\noopsort puts "Zeta" before "Alpha" when
# sorting but prints nothing), and a preamble no entry of it uses.
NOOPSORT_LIBRARY = r"""@preamble{ "\providecommand{\noopsort}[1]{}" }
@preamble{ "\providecommand{\unusedmacro}{unused}" }

@book{zeta1981,
  author    = {Knuth, Donald E.},
  title     = {{\noopsort{a}}Zeta Functions},
  publisher = {Addison-Wesley},
  year      = {1981},
}

@book{alpha1984,
  author    = {Knuth, Donald E.},
  title     = {Alpha Particles},
  publisher = {Addison-Wesley},
  year      = {1984},
}
"""


def written_by_cli(tmp_path: Path) -> str:
    from cli_helpers import run_citels

    library = tmp_path / "library"
    library.mkdir()
    (library / "knuth.bib").write_text(NOOPSORT_LIBRARY, encoding="utf-8")
    database = str(tmp_path / "db.sqlite3")
    run_citels("index", str(library), "--db", database)
    return run_citels("bibtex", "zeta1981", "alpha1984", "--db", database).stdout


def latex_problems(tmp_path: Path, backend: str) -> list[str]:
    """Compile a document citing everything in refs.bib; the warnings and errors of the
    bibliography tool and of LaTeX reading its output."""
    package = ("\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
               if backend == "biber" else "")
    bibliography = "\\printbibliography" if backend == "biber" else \
        "\\bibliographystyle{plain}\n\\bibliography{refs}"
    (tmp_path / "doc.tex").write_text(
        f"\\documentclass{{article}}\n{package}\\begin{{document}}\n\\nocite{{*}}\n"
        f"{bibliography}\n\\end{{document}}\n")
    run("pdflatex", "-interaction=nonstopmode", "doc", cwd=tmp_path)
    tool = run(backend, "doc", cwd=tmp_path)
    latex = run("pdflatex", "-interaction=nonstopmode", "doc", cwd=tmp_path)
    problems = [line for line in tool.stdout.splitlines()
                if line.startswith("Warning") or "WARN" in line or "ERROR" in line]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    problems += [line for line in log.splitlines() if line.startswith("!")]  # TeX's errors
    return problems + ([f"pdflatex exited {latex.returncode}"] if latex.returncode else [])


@pytest.mark.parametrize("backend", ["bibtex", "biber"])
def test_cli_output_carries_the_preamble_its_entries_use(tmp_path: Path, backend: str):
    output = written_by_cli(tmp_path)
    assert output.count("@preamble") == 1
    assert output.startswith('@preamble{ "\\providecommand{\\noopsort}[1]{}" }\n\n@book{')
    assert "unusedmacro" not in output
    (tmp_path / "refs.bib").write_text(output, encoding="utf-8")
    assert latex_problems(tmp_path, backend) == []
    # Without it, LaTeX stops on the entry: the check above can tell.
    (tmp_path / "refs.bib").write_text(output.split("\n\n", 1)[1], encoding="utf-8")
    assert any("Undefined control sequence" in p for p in latex_problems(tmp_path, backend))


def test_an_entry_appended_brings_its_preamble_only_where_it_is_missing(tmp_path: Path):
    from citels.bibliography.append import append_entry
    from citels.bibliography.preamble import carried, with_preambles

    library = tmp_path / "knuth.bib"
    library.write_text(NOOPSORT_LIBRARY, encoding="utf-8")
    papers = {p.source_key: p for p in read_records(library, library.read_bytes(),
                                                    library.name).papers}
    zeta, alpha = (to_bibtex(papers[key]) for key in ("zeta1981", "alpha1984"))
    with_zeta = with_preambles(carried([(library, zeta)]), zeta)
    with_alpha = with_preambles(carried([(library, alpha)]), alpha)
    assert with_alpha == alpha  # it uses no command of the library's preambles

    mine = "% my own\n@misc{mine,\n  title = {Mine},\n}\n"
    added = append_entry(mine, "zeta1981", with_zeta).text
    assert added.startswith('\n@preamble{ "\\providecommand{\\noopsort}[1]{}" }\n\n@book{zeta')
    after = mine + added
    # A second entry of the library, and the same entry's preamble again: not repeated.
    assert "@preamble" not in append_entry(after, "alpha1984", with_alpha).text
    assert append_entry(after, "zeta1981", with_zeta) is None
    # A file that defines \noopsort its own way keeps its definition alone.
    own = '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n' + mine
    assert "@preamble" not in append_entry(own, "zeta1981", with_zeta).text
