"""Parse text captured from paper listing pages (the bundled corpus's `.txt` layout).

The captures mix four layouts, learnt from the files themselves:

* a title line then an abstract line, no blank lines; the first title glued to the page's
  "Subscribe" button text;
* title and abstract separated by blank lines, among page chrome ("new", "Daily Papers",
  a bare page date such as "Mar 12", ...);
* each paper followed by metadata: "  • 7 authors" or an organisation line ("adobe Adobe"),
  then "·", then a date "Apr 25, 2023" sometimes followed by an upvote count;
* lines "Abstract:<text>" with no title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from citels.papers import Paper, Source

PAGE_CHROME = frozenset({
    "new",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
})
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_PAGE_DATE = re.compile(rf"^{_MONTH} \d{{1,2}}$")  # the listing's own date: no year
_PAPER_DATE = re.compile(rf"^(?P<date>{_MONTH} \d{{1,2}}, \d{{4}})(?: (?P<upvotes>\d+))?$")
_AUTHOR_COUNT = re.compile(r"^•\s*(?P<count>\d+) authors?$")
_SEPARATOR = "·"
_ABSTRACT_ONLY = "Abstract:"
_GLUED_SUBSCRIBE = "Subscribe"
# Code and project links written in abstracts; trailing sentence punctuation is not part of them.
_URL = re.compile(r"https?://[^\s<>()\[\]{}\"']+[^\s<>()\[\]{}\"'.,;:!?]")


@dataclass
class _Line:
    number: int
    text: str


def parse_seed_page(text: str, path: str, warnings: list[str]) -> Iterator[Paper]:
    """Yield one paper record per paper on the page, in page order.

    Lines that fit no layout are skipped with a warning naming file and line.
    """
    lines = _content_lines(text)
    current: Paper | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else None
        if line.text.startswith(_ABSTRACT_ONLY):
            if current:
                yield current
            abstract = line.text[len(_ABSTRACT_ONLY):].strip()
            current = _paper(None, abstract, path, line.number)
        elif _is_metadata(line, following):
            if current is None:
                warnings.append(f"{path}:{line.number}: paper details before any paper; skipped")
            else:
                _apply_metadata(current, line, following)
        else:
            if current:
                yield current
            current = None
            if following is None or _is_metadata(following, None):
                warnings.append(f"{path}:{line.number}: a title with no abstract after it; skipped")
            else:
                current = _paper(line.text, following.text, path, line.number)
                index += 1
        index += 1
    if current:
        yield current


def _content_lines(text: str) -> list[_Line]:
    """Non-blank lines with page chrome removed and the glued 'Subscribe' cut off."""
    lines = []
    seen_paper_text = False
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped in PAGE_CHROME or _PAGE_DATE.match(stripped):
            continue
        # The first title of some pages is glued to the "Subscribe" button's text.
        if not seen_paper_text and stripped.startswith(_GLUED_SUBSCRIBE):
            stripped = stripped[len(_GLUED_SUBSCRIBE):].strip()
        seen_paper_text = True
        lines.append(_Line(number, stripped))
    return lines


def _is_metadata(line: _Line, following: _Line | None) -> bool:
    text = line.text
    if text == _SEPARATOR or _AUTHOR_COUNT.match(text) or _PAPER_DATE.match(text):
        return True
    # An organisation line stands where the author count would: just before the separator.
    return following is not None and following.text == _SEPARATOR and len(text) < 100


def _apply_metadata(paper: Paper, line: _Line, following: _Line | None) -> None:
    text = line.text
    if text == _SEPARATOR:
        return
    if match := _AUTHOR_COUNT.match(text):
        paper.author_count = int(match["count"])
    elif match := _PAPER_DATE.match(text):
        day = datetime.strptime(match["date"], "%b %d, %Y").date()
        paper.date = day.isoformat()
        paper.year = day.year
    else:
        # "adobe Adobe": the organisation's handle, then its display name.
        handle, _, name = text.partition(" ")
        paper.organisation = name.strip() or handle


def _paper(title: str | None, abstract: str, path: str, line: int) -> Paper:
    return Paper(
        title=title,
        abstract=abstract or None,
        urls=list(dict.fromkeys(_URL.findall(abstract))),
        sources=[Source(path, line)],
    )
