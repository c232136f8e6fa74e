"""Turn one Zotero item into a paper record, with the BibTeX entry Better BibTeX would write.

Types are mapped as Better BibTeX maps them for BibTeX. Titles keep their rich-text markup
in the entry (`<i>` becomes `\\textit`, `<span class="nocase">` braces) and lose it in the
plain title. Dates are Zotero's `YYYY-MM-DD original` with `00` for unknown parts. Extra's
`Key: value` lines give the citation key, arXiv id, PMID and the like.
"""

from __future__ import annotations

import re

from citels.bibliography.entry import MONTH_MACROS, protect_title
from citels.bibliography.entry import escape as escape_any
from citels.corpus.zotero_rows import Creator, ZoteroItem
from citels.papers import Paper, Source

ENTRY_TYPES = {
    "journalArticle": "article", "magazineArticle": "article",
    "newspaperArticle": "article", "conferencePaper": "inproceedings", "book": "book",
    "bookSection": "incollection", "thesis": "phdthesis", "report": "techreport",
    "manuscript": "unpublished", "preprint": "misc", "webpage": "misc", "blogPost": "misc",
    "computerProgram": "misc", "dataset": "misc", "document": "misc",
}
# Where the container's title goes, by entry type; other types put it in howpublished.
_CONTAINER_FIELD = {"article": "journal", "inproceedings": "booktitle",
                    "incollection": "booktitle"}
_PUBLISHER_FIELD = {"phdthesis": "school", "mastersthesis": "school",
                    "techreport": "institution"}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"\b\d{4}\b")
_EXTRA_LINE = re.compile(r"^\s*([A-Za-z][\w .-]*?)\s*:\s*(.+?)\s*$")
_ARXIV = re.compile(
    r"(?:arxiv[:./\s]*(?:abs/|pdf/)?|arxiv\.org/(?:abs|pdf)/)"
    r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)
_MARKUP = re.compile(r"<(/?)(i|b|sub|sup|span)\b([^>]*)>", re.IGNORECASE)
# What bibtex.escape would change (or check for LaTeX kept as it is): most values have none.
_NEEDS_ESCAPE = re.compile(r"[&%#_$~^\\{}]")  # and any character outside ASCII
# A capital inside a word, or a digit or plus: protect_title may brace something.
_MAY_NEED_BRACES = re.compile(r"\S[A-Z]|[A-Z]\S*[0-9+]")
_PAGE_RANGE = re.compile(r"(?<=\w)\s*[-\u2013]+\s*(?=\w)")  # 1-10, 1 – 10 -> 1--10
_COMMANDS = {"i": "\\textit{", "b": "\\textbf{", "sub": "\\textsubscript{",
             "sup": "\\textsuperscript{"}


def to_paper(item: ZoteroItem, label: str, key: str | None) -> Paper:
    """The item as a paper record; `key` is the citation key found for it, if any."""
    fields = item.fields
    extra = parse_extra(fields.get("extra", ""))
    year, month, date = parse_date(fields.get("date", ""))
    authors = [_display_name(c) for c in item.creators if c.role in (item.primary_role,
                                                                       "author")]
    editors = [_display_name(c) for c in item.creators if c.role == "editor"]
    doi = fields.get("DOI") or extra.get("doi")
    identifiers = {"zotero": item.key}
    for scheme, name in (("isbn", "ISBN"), ("issn", "ISSN"), ("pmid", "PMID"),
                         ("pmcid", "PMCID")):
        value = fields.get(name) or extra.get(scheme)
        if value:
            identifiers[scheme] = value
    arxiv = arxiv_id(fields, extra, doi)
    if arxiv:
        identifiers["arxiv"] = arxiv
    tags = list(item.collections)
    if item.group:
        tags = [item.group] + [f"{item.group}/{path}" for path in tags]
    entry_type = entry_type_of(item)
    paper = Paper(
        title=plain_text(fields["title"]) if fields.get("title") else None,
        abstract=" ".join(fields.get("abstractNote", "").split()) or None,
        date=date, year=year, month=month, authors=authors, editors=editors,
        urls=[fields["url"]] if fields.get("url") else [],
        sources=[Source(label, item.item_id)],
        entry_type=entry_type,
        venue=plain_text(fields["publicationTitle"]) if fields.get("publicationTitle") else None,
        doi=doi, source_key=key, identifiers=identifiers,
        language=fields.get("language") or None, tags=tags, retracted=item.retracted,
    )
    paper.fields = bibtex_fields(item, paper, extra)
    return paper


def entry_type_of(item: ZoteroItem) -> str:
    """The BibTeX type: a master's thesis is `mastersthesis`, unknown types `misc`."""
    if item.type_name == "thesis" and "master" in item.fields.get("type", "").lower():
        return "mastersthesis"
    return ENTRY_TYPES.get(item.type_name, "misc")


def parse_date(value: str) -> tuple[int | None, int | None, str | None]:
    """Year, month and ISO date (only when the day is known) of `2017-06-00 June 2017`."""
    match = _DATE.match(value)
    if not match:
        found = _YEAR.search(value)
        return (int(found.group()) if found else None), None, None
    year, month, day = (int(part) for part in match.groups())
    known_month = month if 1 <= month <= 12 else None
    date = match.group() if year and known_month and day else None
    return year or None, known_month, date


def parse_extra(extra: str) -> dict[str, str]:
    """Extra's `Key: value` lines, keys lower-cased (the first of each key wins)."""
    values: dict[str, str] = {}
    for line in extra.splitlines():
        match = _EXTRA_LINE.match(line)
        if match:
            values.setdefault(match.group(1).lower(), match.group(2))
    return values


def extra_citation_key(extra: str) -> str | None:
    """The key of a `Citation Key: …` line (Better BibTeX's older `bibtex: …` too)."""
    values = parse_extra(extra)
    key = values.get("citation key") or values.get("bibtex")
    return key.split()[0] if key else None


def arxiv_id(fields: dict[str, str], extra: dict[str, str], doi: str | None) -> str | None:
    """The arXiv id from the archive id, Extra, the DOI (10.48550/arXiv.…) or the URL."""
    for text in (fields.get("archiveID", ""), "arXiv:" + extra["arxiv"] if "arxiv" in extra
                 else "", doi or "", fields.get("url", "")):
        match = _ARXIV.search(text)
        if match:
            return match.group(1)
    return None


def plain_text(rich: str) -> str:
    """A title without its rich-text markup: `<i>E. coli</i>` -> 'E. coli'."""
    return " ".join(_MARKUP.sub("", rich).split())


def latex_title(rich: str) -> str:
    """A title's markup as LaTeX; nocase spans become braces, capitals protected elsewhere."""
    out: list[str] = []
    closers: list[tuple[str, bool]] = []  # what closes each open tag; whether it is nocase
    nocase = 0
    position = 0
    for match in _MARKUP.finditer(rich):
        text = rich[position:match.start()]
        out.append(escape(text) if nocase else _protect(text))
        position = match.end()
        closing, tag, attributes = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            if closers:
                closer, was_nocase = closers.pop()
                nocase -= was_nocase
                out.append(closer)
            continue
        if tag != "span":
            opener, closer = _COMMANDS[tag], "}"
        elif "nocase" in attributes:
            opener, closer = "{", "}"
        elif "small-caps" in attributes:
            opener, closer = "\\textsc{", "}"
        else:
            opener, closer = "", ""  # a span that says nothing BibTeX can say
        is_nocase = tag == "span" and "nocase" in attributes
        out.append(opener)
        closers.append((closer, is_nocase))
        nocase += is_nocase
    text = rich[position:]
    out.append(escape(text) if nocase else _protect(text))
    out.extend(closer for closer, _ in reversed(closers))  # left open: the entry must compile
    return " ".join("".join(out).split())


def bibtex_fields(item: ZoteroItem, paper: Paper, extra: dict[str, str]) -> dict[str, str]:
    """The entry's fields as raw BibTeX values (braced and escaped), for writing out."""
    fields = item.fields
    entry: dict[str, str] = {}

    def put(name: str, value: str | None) -> None:
        if value and not value.isspace():
            entry[name] = "{" + escape(" ".join(value.split())) + "}"

    people = [c for c in item.creators if c.role in (item.primary_role, "author")]
    editors = [c for c in item.creators if c.role == "editor"]
    if people:
        entry["author"] = "{" + " and ".join(_bibtex_name(c) for c in people) + "}"
    if editors:
        entry["editor"] = "{" + " and ".join(_bibtex_name(c) for c in editors) + "}"
    if fields.get("title"):
        entry["title"] = "{" + latex_title(fields["title"]) + "}"
    container = fields.get("publicationTitle")
    if container:
        entry[_CONTAINER_FIELD.get(paper.entry_type or "", "howpublished")] = (
            "{" + latex_title(container) + "}")
    if paper.year:
        entry["year"] = str(paper.year)
    if paper.month:
        entry["month"] = MONTH_MACROS[paper.month - 1]
    put("volume", fields.get("volume"))
    put("number", fields.get("issue") or fields.get("number"))
    put("pages", _PAGE_RANGE.sub("--", fields.get("pages") or ""))
    put("edition", fields.get("edition"))
    put("series", fields.get("series"))
    put(_PUBLISHER_FIELD.get(paper.entry_type or "", "publisher"), fields.get("publisher"))
    put("address", fields.get("place"))
    if paper.entry_type == "techreport" or (paper.entry_type or "").endswith("thesis"):
        thesis_words = ("phd", "ph.d", "doctoral", "dissertation", "master")
        kind = fields.get("type", "")
        if not any(word in kind.lower() for word in thesis_words):
            put("type", kind)
    put("isbn", paper.identifiers.get("isbn"))
    put("issn", paper.identifiers.get("issn"))
    put("doi", paper.doi)
    if paper.urls:
        entry["url"] = "{" + paper.urls[0] + "}"  # as written: the url package reads it
    arxiv = paper.identifiers.get("arxiv")
    if arxiv:
        put("eprint", arxiv)
        put("archiveprefix", "arXiv")
    put("language", paper.language)
    if paper.abstract:  # already on one line
        entry["abstract"] = "{" + escape(paper.abstract) + "}"
    for name, value in extra.items():  # Better BibTeX's `tex.field: value` lines
        if name.startswith("tex.") and re.fullmatch(r"[a-z][a-z0-9_-]*", name[4:]):
            put(name[4:], value)
    return entry


def escape(text: str) -> str:
    """bibtex.escape, without its character-by-character walk where it would change nothing.

    A 20,000-item library has some 20 million characters of abstracts: the walk took 45 s."""
    return text if text.isascii() and not _NEEDS_ESCAPE.search(text) else escape_any(text)


def _protect(text: str) -> str:
    """bibtex.protect_title, skipped where it would change nothing (most titles)."""
    if text.isascii() and not _NEEDS_ESCAPE.search(text) and not _MAY_NEED_BRACES.search(text):
        return text
    return protect_title(text)


def _display_name(creator: Creator) -> str:
    if creator.single_field or not creator.first:
        return creator.last
    return f"{creator.last}, {creator.first}"


def _bibtex_name(creator: Creator) -> str:
    if creator.single_field or not creator.first:
        # Braced as a whole: BibTeX must not split "World Health Organization" into names.
        return "{" + escape(creator.last) + "}"
    return f"{escape(creator.last)}, {escape(creator.first)}"
