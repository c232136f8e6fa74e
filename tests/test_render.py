"""Rendering is pure: BibTeX entries and hover text checked as whole strings."""

from __future__ import annotations

from citels.bibliography.entry import escape, protect_title, to_bibtex
from citels.papers import Paper, Source
from citels.render import paper_markdown, paper_plain, readable, summary

PAPER = Paper(
    title="TÜLU 3: Pushing DPO & u-μP to 100% of CFG++",
    abstract="Models matter. We propose $\\epsilon$-greedy TÜLU, see {\\em the code}. "
             "It works. Code at https://x.org/t.",
    key="tulu3Pushing2024",
    date="2024-11-22",
    year=2024,
    author_count=3,
    urls=["https://x.org/t"],
    sources=[Source("004_x.txt", 7)],
)


def test_bibtex_entry_as_a_whole():
    assert to_bibtex(PAPER) == (
        "@misc{tulu3Pushing2024,\n"
        "  title    = {{T{\\\"U}LU} 3: Pushing {DPO} \\& {u-{\\ensuremath{\\mu}}P} to 100\\% of "
        "{CFG++}},\n"
        "  year     = {2024},\n"
        "  month    = nov,\n"
        "  date     = {2024-11-22},\n"
        "  key      = {T{\\\"U}LU 3: Pushing DPO \\& u-{\\ensuremath{\\mu}}P to 100\\% of CFG++},\n"
        "  url      = {https://x.org/t},\n"
        "  abstract = {Models matter. We propose $\\epsilon$-greedy T{\\\"U}LU,"
        " see {\\em the code}. It works. Code at https://x.org/t.},\n"
        "}\n"
    )


def test_utf8_entries_keep_unicode_for_biber():
    entry = to_bibtex(PAPER, unicode=True, include_abstract=False)
    # Latin letters stay UTF-8; Greek becomes a macro, which pdfLaTeX can typeset.
    assert ("title = {{TÜLU} 3: Pushing {DPO} \\& {u-{\\ensuremath{\\mu}}P} to 100\\% of"
            " {CFG++}},") in entry
    assert "abstract" not in entry


def test_an_untitled_paper_gets_a_bracketed_supplied_description_not_a_title():
    paper = Paper(abstract="We introduce PEPO (Pessimistic Ensemble based Preference "
                           "Optimization), a single-step method.", key="pepo")
    entry = to_bibtex(paper, include_abstract=False)
    assert entry == (
        "@misc{pepo,\n"
        "  title = {[Untitled; abstract begins \"We introduce PEPO (Pessimistic Ensemble based"
        " Preference Optimization){\\textellipsis}\"]},\n"
        "  key   = {pepo},\n"
        "}\n"
    )


def test_escaping_keeps_latex_and_balances_braces():
    assert escape("a_b & {c} ~ ^ # $x$ \\textit{y} \\") == (
        "a\\_b \\& \\{c\\} \\textasciitilde{} \\textasciicircum{} \\# $x$ \\textit{y} "
        "\\textbackslash{}")
    assert protect_title("Learning with LLaMA and R1V2") == "Learning with {LLaMA} and {R1V2}"
    assert protect_title("Self-Evolved Post-Training of u-μP") == (
        "Self-Evolved Post-Training of {u-{\\ensuremath{\\mu}}P}")
    assert protect_title("MedS^3: Slow") == "{MedS\\textsuperscript{3}:} Slow"


def test_summary_takes_sentences_from_the_abstract_only():
    abstract = ("Reward models are popular. However, they overfit. In this work, we propose "
                "ensembles. We show that ensembles help. Results follow.")
    assert summary(abstract) == "In this work, we propose ensembles. We show that ensembles help."
    assert summary("Plain first sentence. Second one.") == "Plain first sentence."


def test_readable_turns_latex_fragments_into_text():
    assert readable("gap $\\mathcal{O}(n\\epsilon_{\\text{BC}})$ and mathcal O(K^{2/3})") == (
        "gap 𝒪(nϵ_BC) and O(K^(2/3))")


def test_hover_markdown_as_a_whole():
    assert paper_markdown(PAPER) == (
        "**TÜLU 3: Pushing DPO & u-μP to 100% of CFG++**\n\n"
        "2024-11-22 · 3 authors  \n`tulu3Pushing2024`\n\n"
        "*We propose ϵ-greedy TÜLU, see the code.*\n\n"
        "Models matter. We propose ϵ-greedy TÜLU, see the code. It works. Code at https://x.org/t.\n\n"
        "Links: <https://x.org/t>\n\n"
        "Source: 004\\_x.txt:7"
    )
    assert paper_plain(PAPER, show_abstract=False) == (
        "TÜLU 3: Pushing DPO & u-μP to 100% of CFG++\n\n"
        "2024-11-22 · 3 authors\nkey: tulu3Pushing2024\n\n"
        "Summary: We propose ϵ-greedy TÜLU, see the code.\n\n"
        "Links: https://x.org/t\n\n"
        "Source: 004_x.txt:7"
    )
