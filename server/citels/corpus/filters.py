"""Index-time filters: keep only the papers of some arXiv categories, years or languages.

Written on the command line as `--category cs.*,stat.ML`, `--years 2015-` (also
`2015-2020`, `-1999`, `2019`) and `--language en,de`. A paper passes a filter it says
nothing about (no categories, no year, no language): arXiv records carry no language and
a user's own library no categories, and neither should vanish for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from citels.papers import Paper

_YEAR_RANGE = re.compile(r"^\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]+)*$")


class FilterError(ValueError):
    """A filter as written that cannot be used; the message says which part and why."""


@dataclass(frozen=True)
class PaperFilter:
    """Which papers an index keeps; the empty filter keeps every paper."""

    categories: tuple[str, ...] = ()  # glob patterns, lower case: "cs.*", "stat.ml"
    first_year: int | None = None
    last_year: int | None = None
    languages: tuple[str, ...] = ()  # ISO 639 codes, lower case

    def accepts(self, paper: Paper) -> bool:
        """Whether the paper passes every filter (one it says nothing about it passes)."""
        if self.categories and paper.tags:
            tags = [tag.lower() for tag in paper.tags]
            if not any(fnmatchcase(tag, pattern) for tag in tags for pattern in self.categories):
                return False
        if paper.year is not None:
            if self.first_year is not None and paper.year < self.first_year:
                return False
            if self.last_year is not None and paper.year > self.last_year:
                return False
        if self.languages and paper.language:
            return paper.language.lower().split("-")[0] in self.languages
        return True

    @property
    def is_empty(self) -> bool:
        """Whether the filter keeps every paper."""
        return self == PaperFilter()


def paper_filter(categories: str | None = None, years: str | None = None,
                 languages: str | None = None) -> PaperFilter:
    """The filter the three command-line values describe; raises FilterError for a bad one."""
    first, last = parse_years(years) if years else (None, None)
    return PaperFilter(parse_categories(categories) if categories else (), first, last,
                       parse_languages(languages) if languages else ())


def parse_categories(text: str) -> tuple[str, ...]:
    """Category patterns from `cs.*,stat.ML` (globs: * any run, ? one character)."""
    patterns = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    if not patterns:
        raise FilterError(f"--category: {text!r} names no category (for example cs.* or "
                          "cs.CL,stat.ML)")
    for pattern in patterns:
        if any(char.isspace() for char in pattern):
            raise FilterError(f"--category: {pattern!r} has a space inside; separate "
                              "categories with commas")
    return patterns


def parse_years(text: str) -> tuple[int | None, int | None]:
    """(first, last) from `2015-`, `-1999`, `2015-2020` or `2019`; None where open."""
    match = _YEAR_RANGE.match(text)
    if not match or not (match[1] or match[3]):
        raise FilterError(f"--years: {text!r} is not a year or a range of years (2015, "
                          "2015-, -1999, 2015-2020)")
    first = int(match[1]) if match[1] else None
    last = int(match[3]) if match[3] else None
    if not match[2]:
        if last is not None:  # "2015 2020": two years with no dash between
            raise FilterError(f"--years: {text!r} needs a dash between its two years")
        last = first
    if first is not None and last is not None and first > last:
        raise FilterError(f"--years: {text!r} ends before it starts")
    return first, last


def parse_languages(text: str) -> tuple[str, ...]:
    """Language codes from `en,de` (ISO 639; a region such as en-GB counts as en)."""
    codes = tuple(part.strip().lower().split("-")[0] for part in text.split(",")
                  if part.strip())
    bad = [code for code in codes if not _LANGUAGE.match(code)]
    if not codes or bad:
        raise FilterError(f"--language: {text!r} is not a list of language codes "
                          "(for example en or en,de)")
    return codes
