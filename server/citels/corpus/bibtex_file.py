"""Read a .bib / .biblatex bibliography (bibtexparser 2) into paper records for the index.

Keys are kept exactly as written. Field values are kept raw (as written, braces and macros
included) for writing the entry back unchanged; display values (title, authors, year) are
resolved: @string macros and `#` concatenation expanded, crossref inherited, LaTeX turned
into text. Broken entries are skipped with a warning naming the file and line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from citels.papers import Paper, Source

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

MONTHS = {name: number for number, name in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
# Fields a crossref child inherits from its parent, and under which name (biblatex rules).
_INHERITED_AS = {"title": "booktitle", "author": "editor"}
_NAME_SEPARATOR = re.compile(r"\s+and\s+", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")


def parse_bibtex(text: str, label: str, warnings: list[str]) -> Iterator[Paper]:
    """The papers of a .bib text; a broken entry is skipped with a warning naming file and line."""
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # we report failures ourselves
    import bibtexparser  # here: it takes a tenth of a second, which server start-up need not pay

    parsed = bibtexparser.parse_string(text, parse_stack=[])
    for failed in parsed.failed_blocks:
        warnings.append(f"{label}:{failed.start_line + 1}: {_failure(failed)}; skipped")
    macros = {s.key.lower(): _raw_string_value(s.value) for s in parsed.strings}
    raw_entries = {e.key.lower(): e for e in parsed.entries}
    seen: set[str] = set()
    for entry in parsed.entries:
        if entry.key.lower() in seen:
            warnings.append(f"{label}:{entry.start_line + 1}: a second entry {entry.key}; skipped")
            continue
        seen.add(entry.key.lower())
        raw = {field.key.lower(): str(field.value) for field in entry.fields}
        values = {name: resolve(value, macros) for name, value in raw.items()}
        parent = raw_entries.get(values.get("crossref", "").lower())
        if parent is not None:
            for field in parent.fields:
                name = field.key.lower()
                inherited = _INHERITED_AS.get(name, name) if entry.entry_type.lower() in (
                    "inproceedings", "incollection", "inbook") else name
                values.setdefault(inherited, resolve(str(field.value), macros))
        yield _paper(entry.key, entry.entry_type.lower(), raw, values, label,
                     entry.start_line + 1)


def _failure(block: object) -> str:
    if type(block).__name__ == "DuplicateBlockKeyBlock":
        return f"a second entry {getattr(block, 'key', '')}"
    return "an entry with a syntax error (unbalanced braces or quotes, or a missing comma)"


def _raw_string_value(value: str) -> str:
    return resolve(str(value), {})


def resolve(raw: str, macros: dict[str, str]) -> str:
    """A field's value as the style would see it: `#` joins, macros expanded, braces kept."""
    parts = []
    for part in _split_concatenation(raw.strip()):
        part = part.strip()
        if part[:1] + part[-1:] in ("{}", '""'):
            parts.append(part[1:-1])
        elif part.isdigit():
            parts.append(part)
        else:
            parts.append(macros.get(part.lower(), part))
    return "".join(parts)


def _split_concatenation(raw: str) -> list[str]:
    """Split on `#` outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return parts


@cache
def _latex_converter() -> LatexNodes2Text:
    # Made when first needed: importing pylatexenc takes 40 ms, which a server starting on
    # an index already built (no .bib to read) need not pay.
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db()
    # pylatexenc prints the TeX logos as nothing; a title such as "The {\TeX}book" needs them.
    context.add_context_category(
        "citels-logos", prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=name) for name in ("TeX", "LaTeX", "BibTeX")])
    return LatexNodes2Text(latex_context=context)


def latex_to_text(value: str) -> str:
    """`The {\\TeX}book` -> 'The TeXbook', `G{\\"o}del` -> 'Gödel'."""
    try:
        text = _latex_converter().latex_to_text(value)
    except Exception:  # pylatexenc gives up on some odd input; the braces-free text still reads
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.split())


def split_names(value: str) -> list[str]:
    """BibTeX's `A and B and C`, split at top-level `and`s only."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start:match.start()])
            start = match.end()
    names.append(value[start:])
    return [latex_to_text(name).strip() for name in names if name.strip()]


def _paper(key: str, entry_type: str, raw: dict[str, str], values: dict[str, str],
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
        title=latex_to_text(values["title"]) if values.get("title") else None,
        abstract=latex_to_text(values["abstract"]) if values.get("abstract") else None,
        date=date or None,
        year=year,
        authors=split_names(values.get("author", "")),
        urls=urls,
        sources=[Source(label, line)],
        entry_type=entry_type,
        venue=latex_to_text(values.get("journal") or values.get("journaltitle")
                            or values.get("booktitle") or "") or None,
        doi=values.get("doi") or None,
        month=month,
        source_key=key,
        fields=raw,
    )


def _year(values: dict[str, str]) -> int | None:
    for text in (values.get("year", ""), values.get("date", "")):
        match = re.search(r"\d{4}", text)
        if match:
            return int(match.group())
    return None
