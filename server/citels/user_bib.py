"""Reading entries from the user's own .bib files (bibtexparser 2), and describing them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from citels.render import escape_markdown, readable


@dataclass(frozen=True)
class UserEntry:
    """An entry of a user's .bib file, with its fields as written (macros expanded)."""

    key: str
    entry_type: str
    fields: dict[str, str]
    source: str  # the file's name, to say where it came from


def find_entry(text: str, key: str, source: str) -> UserEntry | None:
    """The entry with this key (compared ignoring case), or None; broken entries are skipped."""
    # bibtexparser logs each block it cannot parse; a broken neighbour is not our news here.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    import bibtexparser  # here: it takes a tenth of a second, which server start-up need not pay

    library = bibtexparser.parse_string(text)
    for entry in library.entries:
        if entry.key.lower() == key.lower():
            fields = {name.lower(): str(field.value) for name, field in entry.fields_dict.items()}
            return UserEntry(entry.key, entry.entry_type, fields, source)
    return None


def describe_entry(key: str, entry: UserEntry | None, searched: str | None, *,
                   markdown: bool) -> str:
    """Hover text for a key the corpus does not know: its .bib entry, or where we looked."""
    code = f"`{key}`" if markdown else key
    if entry is None:
        where = f"nor in {searched}" if searched else "and the document declares no bibliography"
        return f"{code}: not in the corpus, {where}"
    title = readable(entry.fields.get("title", "")).replace("{", "").replace("}", "")
    facts = [entry.fields[name] for name in ("author", "year") if entry.fields.get(name)]
    lines = [f"**{escape_markdown(title)}**" if markdown else title,
             escape_markdown(" · ".join(facts)) if markdown else " · ".join(facts),
             f"{code} (from {entry.source}, not in the corpus)"]
    abstract = entry.fields.get("abstract")
    if abstract:
        lines.append(escape_markdown(readable(abstract)) if markdown else readable(abstract))
    return "\n\n".join(line for line in lines if line)
