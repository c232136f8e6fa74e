"""Read a .bib / .biblatex bibliography into paper records, as biber would.

The text is cut into entries, @strings and failures by `bib_scan.py` (regular expressions for
well-formed entries, bibtexparser 2 for the rest); this module makes papers of them.

Keys are kept exactly as written. Field values are kept raw (as written, braces and macros
included) for writing the entry back unchanged; display values (title, authors, year) are
resolved: @string macros and `#` concatenation expanded, crossref and biblatex xdata
inherited (also from the other .bib files of the library, `library.py`), LaTeX turned into
text. What biber forgives is kept with a warning (a repeated field keeps its first value);
what it cannot use (an entry without a key) is skipped with a warning naming file and line.

bibtexparser's ResolveStringReferencesMiddleware expands a value that is one macro name only,
in one file, and it has no crossref middleware: `#` joins, macros of other files, crossref
and xdata are resolved here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from citels.corpus import bib_scan
from citels.corpus.bib_scan import Entry, String
from citels.corpus.latex_text import latex_to_text, split_names
from citels.corpus.library import NO_LIBRARY, Library, resolve, split_concatenation
from citels.papers import Paper, Source

__all__ = ["latex_to_text", "parse_bibtex", "resolve", "split_names"]

MONTHS = {name: number for number, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
# Fields a crossref child inherits from its parent, and under which name (biblatex rules).
_INHERITED_AS = {"title": "booktitle", "author": "editor"}
_IN_A_BOOK = ("inproceedings", "incollection", "inbook")
_NOT_INHERITED = {"crossref", "xdata"}
# A child's own: never copied from a parent under the same name.
_OWN = {"title", "subtitle", "titleaddon", "shorttitle", "ids"}
_URL = re.compile(r"https?://\S+")
_NOT_PAPERS = ("xdata",)  # biblatex data containers: inherited from, never cited


def parse_bibtex(text: str, label: str, warnings: list[str],
                 library: Library = NO_LIBRARY, first_line: int = 1) -> Iterator[Paper]:
    """The papers of a .bib text; `library` holds the definitions of its sibling files (and
    of the file's other entries when `text` is a piece of it, from line `first_line`)."""
    return papers_of(bib_scan.pieces(text, first_line, _CHUNK_CHARACTERS), label, warnings,
                     library)


def papers_of(pieces: Iterable[bib_scan.Piece], label: str, warnings: list[str],
              library: Library = NO_LIBRARY) -> Iterator[Paper]:
    """The papers of a .bib text's pieces (`corpus/bib_scan.py`), as biber reads them."""
    macros = dict(library.macros)
    entries: list[Entry] = []
    # Keys as bibtexparser compares them (case and all): a second one is skipped where it is.
    entry_keys: set[str] = set()
    string_keys: set[str] = set()
    for piece in pieces:
        if type(piece) is Entry:
            for name, line in piece.repeats:
                warnings.append(f"{label}:{line}: {piece.key} repeats field {name};"
                                " the first value is kept")
            if not piece.repeats:  # bibtexparser holds such an entry apart
                if piece.key in entry_keys:
                    warnings.append(f"{label}:{piece.line}: a second entry {piece.key}; skipped")
                    continue
                entry_keys.add(piece.key)
            entries.append(piece)
        elif type(piece) is String:  # in order: a definition may use an earlier one
            if piece.key in string_keys:
                warnings.append(f"{label}:{piece.line}: a second entry {piece.key}; skipped")
                continue
            string_keys.add(piece.key)
            macros[piece.key.lower()] = resolve(piece.value, macros)
        else:
            warnings.append(f"{label}:{piece.line}: {piece.message}; skipped")
    local: dict[str, dict[str, str]] = {}
    for entry in entries:
        if not entry.key.strip():
            warnings.append(f"{label}:{entry.line}: an entry without a key; skipped")
        elif entry.key.lower() in local:
            warnings.append(f"{label}:{entry.line}: a second entry {entry.key}; skipped")
        else:
            local[entry.key.lower()] = entry.fields
    resolver = _Resolver(local, library, macros)
    done: set[str] = set()
    for entry in entries:
        key = entry.key.lower()
        raw = entry.fields
        if not key.strip() or key in done or local.get(key) is not raw:
            continue
        done.add(key)
        if entry.entry_type in _NOT_PAPERS:
            continue
        for name, parent in resolver.missing_parents(raw):
            warnings.append(f"{label}:{entry.line}: {entry.key} has {name} {parent}, which no"
                            " file of the library defines; nothing is inherited from it")
        for name, macro in _undefined_macros(raw, macros):
            warnings.append(f"{label}:{entry.line}: {entry.key}'s {name} uses @string {macro},"
                            " which no file of the library defines; the name is kept")
        fields = resolver.values(key, raw, entry.entry_type)
        # Only what a paper shows or is searched by is resolved (a library's entries carry
        # many more fields: files, keywords, dates of access).
        values = {name: resolve(fields[name], {}) for name in _SHOWN if name in fields}
        yield _paper(entry.key, entry.entry_type, fields, values, label, entry.line)


# The fields _paper reads.
_SHOWN = ("title", "abstract", "year", "date", "month", "author", "editor", "url", "note",
          "journal", "journaltitle", "booktitle", "doi", "isbn", "issn", "pmid",
          "archiveprefix", "eprinttype", "eprint", "langid", "language")
# The most text bibtexparser is given at once (see bib_scan.CHUNK_CHARACTERS).
_CHUNK_CHARACTERS = bib_scan.CHUNK_CHARACTERS


class _Resolver:
    """An entry's values as the style sees them: macros, crossref and xdata resolved."""

    def __init__(self, local: dict[str, dict[str, str]], library: Library,
                 macros: dict[str, str]) -> None:
        self.local, self.library, self.macros = local, library, macros

    def raw_of(self, key: str) -> tuple[str, dict[str, str]] | None:
        raw = self.local.get(key.lower())
        return ("", raw) if raw is not None else self.library.entry(key)

    def missing_parents(self, raw: dict[str, str]) -> list[tuple[str, str]]:
        """(field, key) of each crossref or xdata parent the entry names that no file of the
        library defines."""
        if "crossref" not in raw and "xdata" not in raw:  # most entries
            return []
        named = [("crossref", resolve(raw.get("crossref", ""), {}).strip())]
        named += [("xdata", k.strip()) for k in resolve(raw.get("xdata", ""), {}).split(",")]
        return [(name, key) for name, key in named if key and self.raw_of(key) is None]

    def values(self, key: str, raw: dict[str, str], entry_type: str,
               seen: frozenset[str] = frozenset()) -> dict[str, str]:
        """The entry standing alone: raw values with macros expanded, and the fields of its
        crossref and xdata parents copied in (crossref and xdata themselves dropped), so a
        style that never sees the parent prints the same."""
        fields = {name: standalone(value, self.macros) for name, value in raw.items()
                  if name not in _NOT_INHERITED}
        if "crossref" not in raw and "xdata" not in raw:  # most entries
            return fields
        seen = seen | {key.lower()}
        for parent_key in (k.strip() for k in resolve(raw.get("xdata", ""), {}).split(",")):
            for name, value in (self._parent(parent_key, seen) or {}).items():
                fields.setdefault(name, value)
        parent = self._parent(resolve(raw.get("crossref", ""), {}).strip(), seen)
        if parent:
            renamed = entry_type in _IN_A_BOOK
            for name, value in parent.items():  # same names first: a parent's own booktitle
                if not (renamed and name in _INHERITED_AS) and name not in _OWN:
                    fields.setdefault(name, value)
            for name, value in parent.items() if renamed else ():
                if name in _INHERITED_AS:
                    fields.setdefault(_INHERITED_AS[name], value)
        return fields

    def _parent(self, key: str, seen: frozenset[str]) -> dict[str, str] | None:
        # An empty key names no parent; a cycle (a crossref to itself) inherits nothing.
        found = self.raw_of(key) if key and key.lower() not in seen else None
        if found is None:
            return None
        entry_type, raw = found
        return self.values(key, raw, entry_type, seen)


def _undefined_macros(raw: dict[str, str], macros: dict[str, str]) -> list[tuple[str, str]]:
    """(field, name) of each @string name a field uses that is not defined (bibtex and biber
    warn of it too); month names are every style's own."""
    found = []
    for name, value in raw.items():
        if value[:1] == "{" and "#" not in value:  # one braced value: most values
            continue
        for part in split_concatenation(value.strip()):
            part = part.strip()
            if (part and part[0] not in "{\"" and not part.isdigit()
                    and part.lower() not in macros and part.lower() not in MONTHS):
                found.append((name, part))
    return found


def standalone(raw: str, macros: dict[str, str]) -> str:
    """A raw value that needs no @string: as written, or braced with its macros expanded."""
    if raw[:1] == "{" and "#" not in raw:  # one braced value: most values
        return raw
    parts = [part.strip() for part in split_concatenation(raw.strip())]
    if len(parts) == 1 and parts[0].lower() not in macros:
        return raw  # byte for byte: braces, quotes, a number, a month or an unknown name
    return "{" + resolve(raw, macros) + "}"


def _paper(key: str, entry_type: str, fields: dict[str, str], values: dict[str, str],
           label: str, line: int) -> Paper:
    year = _year(values)
    month = MONTHS.get(values.get("month", "").strip().lower()[:3]) or (
        int(values["month"]) if values.get("month", "").strip().isdigit() else None)
    date = values.get("date", "")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        date = ""
    urls = [values["url"]] if values.get("url") else []
    urls += [u for u in _URL.findall(values.get("note", "")) if u not in urls]
    return Paper(
        title=latex_to_text(values["title"]) or None if values.get("title") else None,
        abstract=latex_to_text(values["abstract"]) if values.get("abstract") else None,
        date=date or None,
        year=year,
        authors=split_names(values.get("author", "")),
        editors=split_names(values.get("editor", "")),
        urls=urls,
        sources=[Source(label, line)],
        entry_type=entry_type,
        venue=latex_to_text(values.get("journal") or values.get("journaltitle")
                            or values.get("booktitle") or "") or None,
        doi=values.get("doi") or None,
        month=month,
        source_key=key,
        fields=fields,
        identifiers=_identifiers(values),
        language=values.get("langid") or values.get("language") or None,
    )


def _identifiers(values: dict[str, str]) -> dict[str, str]:
    found = {scheme: values[scheme].strip() for scheme in ("isbn", "issn", "pmid")
             if values.get(scheme, "").strip()}
    prefix = (values.get("archiveprefix") or values.get("eprinttype") or "").strip().lower()
    if values.get("eprint", "").strip() and prefix == "arxiv":
        found["arxiv"] = values["eprint"].strip()
    return found


def _year(values: dict[str, str]) -> int | None:
    for text in (values.get("year", ""), values.get("date", "")):
        match = re.search(r"\d{4}", text)
        if match:
            return int(match.group())
    return None
