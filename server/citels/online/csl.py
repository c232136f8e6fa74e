"""Small helpers the service mappers share to write CSL-JSON items (CSL-JSON's own names:
`title`, `author` [{family, given} or {literal}], `issued` {date-parts}, `container-title`,
`DOI`, `URL`, `type`, `abstract`, `publisher`, `volume`, `issue`, `page`)."""

from __future__ import annotations

import re
from typing import Any

from citels.names import PARTICLES, family_name, is_organisation

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def text(value: object) -> str | None:
    """A value as one line of text, or None; a list gives its first text."""
    if isinstance(value, list):
        return next((t for v in value if (t := text(v))), None)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return " ".join(str(value).split()) or None
    return None


def person(family: object = None, given: object = None, name: object = None,
           organisation: bool = False) -> dict[str, str] | None:
    """A CSL name: family and given when known, else the name split at its family name
    ("Ashish Vaswani", "Vaswani, Ashish", "van der Maaten"), else a literal (an
    organisation)."""
    family, given, name = text(family), text(given), text(name)
    if family:
        return {"family": family, **({"given": given} if given else {})}
    if not name:
        return None
    if organisation or is_organisation(name):
        return {"literal": name}
    if "," in name:
        last, _, first = name.partition(",")
        return {"family": last.strip(), **({"given": first.strip()} if first.strip() else {})}
    last = family_name(name)
    first = name[:len(name) - len(last)].strip() if name.endswith(last) else ""
    # "van der Berg": CSL's non-dropping particle, which BibTeX writes as the "von" part.
    words = last.split()
    particle = []
    while len(words) > 1 and words[0] in PARTICLES:
        particle.append(words.pop(0))
    return {"family": " ".join(words), **({"given": first} if first else {}),
            **({"non-dropping-particle": " ".join(particle)} if particle else {})}


def date_parts(value: object) -> dict[str, Any] | None:
    """CSL `issued` from an ISO date or a year ("2024-01-02T18:59:59Z", "2024", 2024)."""
    match = _DATE.match(str(value).strip()) if value is not None else None
    if not match:
        return None
    parts = [int(part) for part in match.groups() if part]
    return {"date-parts": [parts]}


def without_empty(item: dict[str, Any]) -> dict[str, Any]:
    """The item without the fields that came out empty."""
    return {name: value for name, value in item.items() if value not in (None, "", [], {})}
