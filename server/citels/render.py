"""Render papers (and entries of the user's own .bib) for people: display titles, readable
abstracts, summaries, hover text."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from citels.corpus.identifiers import paper_identifiers
from citels.names import short_authors
from citels.papers import Paper
from citels.text import sentences

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

    from citels.bibliography.read import UserEntry

# LaTeX fragments in abstracts: inline math, {\em x} groups, a command with a brace argument.
_LATEX_FRAGMENT = re.compile(r"\$[^$]+\$|\{\\[A-Za-z]+\s[^{}]*\}|\\[A-Za-z]+(?:\{[^{}]*\})?")
# Math whose backslashes the capture lost: "mathcal O(K^{2/3})", "varepsilon-optimal".
_BARE_MATH_COMMAND = re.compile(r"\b(?:mathcal|mathbb|mathrm|mathbf)\s+(?=\w)")
# Braced super- and subscripts outside math: K^{2/3} reads as K^(2/3).
_BARE_SCRIPT = re.compile(r"([\^_])\{([^{}]*)\}")
# Sentences that say what the paper does, which is what a summary should hold.
_CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|article)|our (?:method|approach|work))\s+"
    r"(?:propose|introduce|present|develop|show|find|demonstrate|study|provide|consider|"
    r"analy[sz]e|formulate|derive|design|reviews?|focus)",
    re.IGNORECASE,
)
HOVER_AUTHORS = 10  # authors listed in full before "et al."
# Where each scheme's identifier is shown: (label, address of the paper).
IDENTIFIER_LINKS = {
    "doi": ("DOI", "https://doi.org/{}"), "arxiv": ("arXiv", "https://arxiv.org/abs/{}"),
    "pmid": ("PubMed", "https://pubmed.ncbi.nlm.nih.gov/{}/"),
    "pmcid": ("PMC", "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/"),
    "openalex": ("OpenAlex", "https://openalex.org/{}"),
    "s2": ("Semantic Scholar", "https://api.semanticscholar.org/CorpusID:{}"),
    "s2paper": ("Semantic Scholar", "https://www.semanticscholar.org/paper/{}"),
    "isbn": ("ISBN", "https://openlibrary.org/isbn/{}"),
}
# Characters that change the meaning of running Markdown text; hyphens and parentheses do not.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


@cache
def _latex_converter() -> LatexNodes2Text:
    # Made when first needed: importing pylatexenc takes 40 ms, and the first completion
    # shows no abstract (documentation waits for resolve).
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


@lru_cache(maxsize=1_024)  # hovering a key again, or resolving the same item, costs nothing
def readable(text: str) -> str:
    """Text with its LaTeX fragments turned into what they would look like printed."""
    text = _BARE_MATH_COMMAND.sub("", text)

    def convert(match: re.Match[str]) -> str:
        fragment = match.group()
        try:
            text = _latex_converter().latex_to_text(fragment).strip()
        except Exception:  # pylatexenc can fail on odd input; the raw text still reads
            return fragment
        # A macro pylatexenc prints as nothing (\TeX): its name reads better than a gap.
        return text or fragment.lstrip("\\")

    return _BARE_SCRIPT.sub(r"\1(\2)", _LATEX_FRAGMENT.sub(convert, text))


def abstract_opening(abstract: str, *, words: int = 8) -> str:
    """The first words of an abstract, with an ellipsis when there is more."""
    parts = abstract.split()
    opening = " ".join(parts[:words])
    return opening.rstrip(",;:") + "…" if len(parts) > words else opening


def display_title(paper: Paper) -> str:
    """The title as a person knows it; an untitled paper shows its opening words instead."""
    if paper.title:
        return paper.title
    return "[Untitled] " + abstract_opening(readable(paper.abstract or ""))


def summary(abstract: str, *, max_sentences: int = 2) -> str:
    """Sentences of the abstract that say what the paper does; never words it does not have."""
    all_sentences = sentences(readable(abstract))
    chosen = [s for s in all_sentences if _CONTRIBUTION.search(s)][:max_sentences]
    return " ".join(chosen or all_sentences[:1])


def escape_markdown(text: str) -> str:
    """Text with the characters that would change its meaning in Markdown escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def who_and_when(paper: Paper) -> str:
    """"Vaswani et al. 2017": the first author's family name and the year ("n.d." if unknown)."""
    year = str(paper.year) if paper.year else "n.d."
    who = short_authors(paper.authors, paper.editors)
    return f"{who} {year}" if who else year


def identifier_links(paper: Paper) -> list[tuple[str, str, str]]:
    """(label, identifier, address) of each identifier the paper carries."""
    links = []
    for scheme, value in paper_identifiers(paper):
        if scheme in IDENTIFIER_LINKS:
            label, address = IDENTIFIER_LINKS[scheme]
            links.append((label, value, address.format(value)))
    return links


def facts_line(paper: Paper) -> str:
    """Date or year, authors (the first ten, then "et al."), editors, venue, author count
    and organisation, as far as they are known."""
    facts = []
    if paper.date:
        facts.append(paper.date)
    elif paper.year:
        facts.append(str(paper.year))
    if paper.authors:
        facts.append(", ".join(paper.authors[:HOVER_AUTHORS])
                     + (" et al." if len(paper.authors) > HOVER_AUTHORS else ""))
    if paper.editors:
        facts.append("ed. " + ", ".join(paper.editors[:HOVER_AUTHORS])
                     + (" et al." if len(paper.editors) > HOVER_AUTHORS else ""))
    if paper.venue:
        facts.append(paper.venue)
    if paper.author_count and not paper.authors:
        facts.append(f"{paper.author_count} author{'s' if paper.author_count != 1 else ''}")
    if paper.organisation:
        facts.append(paper.organisation)
    return " · ".join(facts)


def paper_markdown(paper: Paper, *, show_abstract: bool = True) -> str:
    """The hover: title, facts, key, summary, abstract, links."""
    parts = [f"**{escape_markdown(display_title(paper))}**"]
    facts = facts_line(paper)
    parts.append(escape_markdown(facts) + ("  \n" if facts else "") + f"`{paper.key}`")
    if paper.abstract:
        parts.append("*" + escape_markdown(summary(paper.abstract)) + "*")
        if show_abstract:
            parts.append(escape_markdown(readable(paper.abstract)))
    identifiers = identifier_links(paper)
    if identifiers:
        parts.append(" · ".join(f"{label} [{escape_markdown(value)}](<{address}>)"
                                for label, value, address in identifiers))
    links = [f"<{url}>" for url in paper.urls]
    if links:
        parts.append("Links: " + ", ".join(links))
    if paper.sources:
        parts.append("Source: " + escape_markdown(", ".join(str(s) for s in paper.sources)))
    return "\n\n".join(parts)


def paper_plain(paper: Paper, *, show_abstract: bool = True) -> str:
    """The same as `paper_markdown`, for clients and terminals without Markdown."""
    parts = [display_title(paper)]
    facts = facts_line(paper)
    parts.append((facts + "\n" if facts else "") + f"key: {paper.key}")
    if paper.abstract:
        parts.append("Summary: " + summary(paper.abstract))
        if show_abstract:
            parts.append(readable(paper.abstract))
    identifiers = identifier_links(paper)
    if identifiers:
        parts.append("\n".join(f"{label} {value}: {address}"
                               for label, value, address in identifiers))
    if paper.urls:
        parts.append("Links: " + ", ".join(paper.urls))
    if paper.sources:
        parts.append("Source: " + ", ".join(str(s) for s in paper.sources))
    return "\n\n".join(parts)


def describe_entry(key: str, entry: UserEntry | None, searched: str | None, *,
                   markdown: bool) -> str:
    """Hover text for a key the corpus does not know: its .bib entry, or where we looked."""
    code = f"`{key}`" if markdown else key
    if entry is None:
        where = f"nor in {searched}" if searched else "and the document declares no bibliography"
        return f"{code}: not in the corpus, {where}"
    from citels.corpus.latex_text import latex_to_text  # pylatexenc: only when hovered

    # Unknown macros kept by name ({\TUG} reads "TUG"); who (authors, else editors) and when
    # (a biblatex date, else the year).
    title = latex_to_text(entry.fields.get("title", ""))
    fields = entry.fields
    facts = [latex_to_text(value) for value in (fields.get("author") or fields.get("editor"),
                                                fields.get("date") or fields.get("year"))
             if value]
    lines = [f"**{escape_markdown(title)}**" if markdown else title,
             escape_markdown(" · ".join(facts)) if markdown else " · ".join(facts),
             f"{code} (from {entry.source}, not in the corpus)"]
    abstract = entry.fields.get("abstract")
    if abstract:
        lines.append(escape_markdown(readable(abstract)) if markdown else readable(abstract))
    return "\n\n".join(line for line in lines if line)
