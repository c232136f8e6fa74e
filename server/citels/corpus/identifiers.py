"""Identifiers of papers, normalised from any text: a DOI, an arXiv id, a PMID, an ISBN, an
OpenAlex or Semantic Scholar id, typed bare, with a prefix (`doi:`, `arXiv:`) or as a URL.

One normal form per scheme, so what a writer pastes and what a corpus record says meet in an
exact lookup: DOIs lower-cased (DOIs ignore case), arXiv ids without their version, ISBNs
as ISBN-13 digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from citels.papers import Paper

Identifier = tuple[str, str]  # (scheme, normal form)

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}]+", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$")
_ARXIV_NEW = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v\d+)?(?!\w|\.\d)")
_ARXIV_OLD = re.compile(r"(?<![\w.])([a-z-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?(?!\w)",
                        re.IGNORECASE)
# What an old-style id holds: a text without it need not be searched for one (this search
# looks for the slash first; the pattern above is tried at every letter).
_ARXIV_OLD_NUMBER = re.compile(r"/\d{7}")
_PMID = re.compile(r"(?:\bpmid:?\s*|pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)"
                   r"(\d{1,9})\b", re.IGNORECASE)
_PMCID = re.compile(r"\b(PMC\d{4,9})\b", re.IGNORECASE)
_ISBN = re.compile(r"(?:\bisbn(?:-1[03])?:?\s*)?\b(97[89](?:[- ]?\d){10}|(?<=isbn )\d(?:[- ]?\d){8}"
                   r"[- ]?[\dx])\b", re.IGNORECASE)
_ISBN_PREFIXED = re.compile(r"\bisbn(?:-1[03])?:?\s*((?:\d[- ]?){9}[\dx](?:[- ]?\d){0,3})\b",
                            re.IGNORECASE)
_OPENALEX = re.compile(r"(?:openalex\.org/(?:works/)?|openalex:\s*)(W\d+)\b", re.IGNORECASE)
_S2_PAPER = re.compile(r"semanticscholar\.org/paper/(?:[^/\s]+/)?([0-9a-f]{40})\b",
                       re.IGNORECASE)
_S2_CORPUS = re.compile(r"(?:\bcorpusid:\s*|semanticscholar\.org/c/|api\.semanticscholar\.org/"
                        r"corpusid:)(\d+)\b", re.IGNORECASE)
# What a text must hold for each pattern to match it (one of these, in lower case).
_NEEDS: dict[object, tuple[str, ...]] = {
    "pmid": ("pmid", "ncbi.nlm.nih.gov/"), "pmcid": ("pmc",), "openalex": ("openalex",),
    "s2paper": ("semanticscholar.org/paper/",),
    "s2": ("corpusid:", "semanticscholar.org/c/"),
    _ISBN_PREFIXED: ("isbn",), _ISBN: ("isbn ", "978", "979"),
}
# Any of them: most texts (a record's URLs) hold none, and are then not tried word by word.
_ANY_NEEDED = re.compile("|".join(re.escape(word) for needs in _NEEDS.values() for word in needs))
_TRAILING = ".,;:)]}'\""
# Schemes a record's own identifiers dict may carry, and how their values are normalised.
_SCHEMES = ("arxiv", "pmid", "pmcid", "isbn", "openalex", "s2", "s2paper")


def normal_doi(text: str) -> str | None:
    """A DOI in its normal form (lower case, no resolver or `doi:`), or None."""
    match = _DOI.search(text) if "10." in text else None
    if not match:
        return None
    doi = match.group().rstrip(_TRAILING).lower()
    return doi if "/" in doi[3:] else None


def normal_isbn(text: str) -> str | None:
    """An ISBN as the 13 digits of ISBN-13 (an ISBN-10 converted), or None."""
    digits = re.sub(r"[- ]", "", text).upper()
    if len(digits) == 10 and digits[:9].isdigit():
        digits = "978" + digits[:9]
    elif not (len(digits) == 13 and digits.isdigit()):
        return None
    core = digits[:12]
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(core)) % 10) % 10
    return core + str(check)


def normal(scheme: str, value: str) -> str | None:
    """One identifier of a known scheme in its normal form, or None if it is not one."""
    value = value.strip()
    if not value:
        return None
    if scheme == "doi":
        return normal_doi(value)
    if scheme == "arxiv":
        found = arxiv_ids(value)
        return found[0] if found else None
    if scheme == "isbn":
        return normal_isbn(value)
    if scheme in ("pmcid", "openalex"):
        return value.upper().rsplit("/", 1)[-1]
    if scheme in ("pmid", "s2"):
        return value if value.isdigit() else None
    if scheme == "s2paper":
        return value.lower()
    return None


def arxiv_ids(text: str) -> list[str]:
    """arXiv ids in a text (1706.03762, hep-th/9901001), without their version."""
    found = [m.group(1) for m in _ARXIV_NEW.finditer(text)]
    if "/" in text and _ARXIV_OLD_NUMBER.search(text):  # most text need not be searched
        found += [m.group(1).lower() for m in _ARXIV_OLD.finditer(text)
                  if not m.group(1).lower().startswith(("http", "doi"))]
    return list(dict.fromkeys(found))


def identifiers_in(text: str) -> list[Identifier]:
    """Every identifier a text names (typed, pasted, a URL, a .bib field), each once."""
    found: dict[Identifier, None] = {}
    doi = normal_doi(text)
    if doi:
        found[("doi", doi)] = None
        arxiv_doi = _ARXIV_DOI.match(doi)
        if arxiv_doi:
            found[("arxiv", arxiv_doi.group(1))] = None
        text = text.replace(_DOI.search(text).group(), " ")  # its digits are not an arXiv id
    # An old-style id (cs/0112017) looks like any path: taken when arXiv is named, or typed alone.
    alone_or_named = "arxiv" in text.lower() or (
        " " not in text.strip() and "://" not in text)
    found.update(dict.fromkeys(("arxiv", i) for i in arxiv_ids(text)
                               if "/" not in i or alone_or_named))
    # Each pattern is tried only on text holding the words it needs: an index run asks this
    # of every paper's URLs. (Lower-cased ASCII text holds them exactly when the pattern,
    # which ignores case, can match; other text is tried whole.)
    lowered = text.lower() if text.isascii() else None
    if lowered is not None and not _ANY_NEEDED.search(lowered):
        return list(found)
    for scheme, pattern in (("pmid", _PMID), ("pmcid", _PMCID), ("openalex", _OPENALEX),
                            ("s2paper", _S2_PAPER), ("s2", _S2_CORPUS)):
        if lowered is not None and not any(word in lowered for word in _NEEDS[scheme]):
            continue
        for match in pattern.finditer(text):
            value = normal(scheme, match.group(1))
            if value:
                found[(scheme, value)] = None
    for pattern in (_ISBN_PREFIXED, _ISBN):
        if lowered is not None and not any(word in lowered for word in _NEEDS[pattern]):
            continue
        for match in pattern.finditer(text):
            isbn = normal_isbn(match.group(1))
            if isbn:
                found[("isbn", isbn)] = None
    return list(found)


def paper_identifiers(paper: Paper) -> list[Identifier]:
    """Every identifier a paper record carries: its DOI, its identifiers by scheme, the ones
    its URLs name, and a .bib entry's `eprint` with `archivePrefix = arXiv`."""
    found: dict[Identifier, None] = {}

    def add(pairs: Iterable[Identifier]) -> None:
        found.update(dict.fromkeys(pairs))

    if paper.doi:
        add(identifiers_in(paper.doi))
    for scheme in _SCHEMES:
        value = paper.identifiers.get(scheme)
        if value:
            normalised = normal(scheme, value)
            if normalised:
                add([(scheme, normalised)])
    for url in paper.urls:
        add(identifiers_in(url))
    fields = {name.lower(): value.strip('{}" ') for name, value in paper.fields.items()}
    if fields.get("eprint") and fields.get("archiveprefix", "arxiv").lower() == "arxiv":
        add(("arxiv", i) for i in arxiv_ids(fields["eprint"]))
    for name in ("doi", "url", "isbn", "pmid", "number", "howpublished"):
        if fields.get(name):
            add(identifiers_in(("isbn " if name == "isbn" else "pmid " if name == "pmid"
                                else "") + fields[name]))
    return list(found)
