"""Index-time filters: arXiv categories with globs, year ranges, languages."""

from __future__ import annotations

import pytest

from citels.corpus.filters import (
    FilterError,
    PaperFilter,
    paper_filter,
    parse_categories,
    parse_languages,
    parse_years,
)
from citels.papers import Paper


@pytest.mark.parametrize(("text", "years"), [
    ("2015-", (2015, None)),
    ("-1999", (None, 1999)),
    ("2015-2020", (2015, 2020)),
    (" 2015 - 2020 ", (2015, 2020)),
    ("2019", (2019, 2019)),
])
def test_year_ranges(text, years):
    assert parse_years(text) == years


@pytest.mark.parametrize(("text", "message"), [
    ("-", "is not a year or a range"),
    ("15-", "is not a year or a range"),
    ("since 2015", "is not a year or a range"),
    ("2020-2015", "ends before it starts"),
    ("2015 2020", "needs a dash"),
])
def test_bad_year_ranges_say_what_is_wrong(text, message):
    with pytest.raises(FilterError, match=message):
        parse_years(text)


def test_categories_and_languages_are_lists_folded_to_lower_case():
    assert parse_categories("cs.*, stat.ML") == ("cs.*", "stat.ml")
    assert parse_languages("en, de-AT") == ("en", "de")
    with pytest.raises(FilterError, match="names no category"):
        parse_categories(" , ")
    with pytest.raises(FilterError, match="has a space inside"):
        parse_categories("cs.* stat.ML")
    with pytest.raises(FilterError, match="not a list of language codes"):
        parse_languages("english!")


@pytest.mark.parametrize(("paper", "kept"), [
    (Paper(title="a", tags=["cs.CL", "stat.ML"], year=2016), True),
    (Paper(title="b", tags=["math.CO", "cs.DM"], year=2020), True),   # any category matches
    (Paper(title="c", tags=["hep-th"], year=2020), False),
    (Paper(title="d", tags=["cs.LG"], year=2014), False),              # before the range
    (Paper(title="e", tags=[], year=2018), True),                     # says nothing: kept
    (Paper(title="f", tags=["cs.AI"]), True),                          # no year: kept
    (Paper(title="g", tags=["cs.AI"], year=2019, language="fr"), False),
    (Paper(title="h", tags=["cs.AI"], year=2019, language="en-GB"), True),
])
def test_cs_since_2015_in_english(paper, kept):
    keep = paper_filter(categories="cs.*", years="2015-", languages="en")
    assert keep.accepts(paper) is kept


def test_a_category_without_a_glob_is_matched_whole_and_regardless_of_case():
    keep = paper_filter(categories="cs.cl")
    assert keep.accepts(Paper(tags=["cs.CL"])) and not keep.accepts(Paper(tags=["cs.CLX"]))


def test_the_empty_filter_keeps_everything():
    assert paper_filter().is_empty and paper_filter() == PaperFilter()
    assert not paper_filter(years="2015").is_empty
    assert paper_filter().accepts(Paper(tags=["anything"], year=1, language="xx"))
