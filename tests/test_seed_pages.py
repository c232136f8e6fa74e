"""Each layout of the listing-page captures, on small pages written like the real ones."""

from __future__ import annotations

from citels.corpus.seed_pages import parse_seed_page

LONG = "We propose a method. " * 12  # abstracts are long lines; titles are short ones


def parse(text: str) -> tuple[list, list[str]]:
    warnings: list[str] = []
    return list(parse_seed_page(text, "page.txt", warnings)), warnings


def test_title_abstract_lines_with_the_first_title_glued_to_subscribe():
    page = (
        "Get trending papers in your email inbox once a day!\n"
        "Get trending papers in your email inbox!\n"
        f"SubscribeBarlow Twins: Self-Supervised Learning\n{LONG}\n"
        f"Subscribe to Nothing: A Title That Starts With the Word\n{LONG}\n"
    )
    papers, warnings = parse(page)
    assert [p.title for p in papers] == [
        "Barlow Twins: Self-Supervised Learning",
        "Subscribe to Nothing: A Title That Starts With the Word",
    ]
    assert papers[0].abstract == LONG.strip()
    assert [p.sources[0].line for p in papers] == [3, 5]
    assert warnings == []


def test_blank_separated_pairs_among_page_chrome():
    page = (
        "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
        "Daily Papers\n\nbyAK and the research community\n\nMar 12\n\n"
        f"Refined Regret for Adversarial MDPs\n\n{LONG}\n\n"
        f"Free Process Rewards without Process Labels\n\n{LONG}\n"
    )
    papers, _ = parse(page)
    assert [p.title for p in papers] == [
        "Refined Regret for Adversarial MDPs",
        "Free Process Rewards without Process Labels",
    ]
    assert papers[1].sources[0].line == 17


def test_author_count_organisation_date_and_upvotes():
    page = (
        f"Mirror Descent Policy Optimization\n\n{LONG}\n\n  • 4 authors\n·\nMay 19, 2020\n\n"
        f"Advantage Weighted Matching\n\n{LONG}\n\nadobe Adobe\n·\nSep 29, 2025 1\n\n"
        f"Demystifying Local and Global Fairness\n\n{LONG}\n\n  • 2 authors\n·\n"
    )
    papers, warnings = parse(page)
    first, second, third = papers
    assert (first.author_count, first.date, first.year) == (4, "2020-05-19", 2020)
    assert (second.organisation, second.date, second.author_count) == ("Adobe", "2025-09-29", None)
    assert (third.author_count, third.date) == (2, None)
    assert warnings == []


def test_abstract_only_lines_have_no_title():
    page = "Abstract:We introduce PEPO, a method.\n\n\nAbstract:Another abstract here.\n"
    papers, _ = parse(page)
    assert [(p.title, p.abstract) for p in papers] == [
        (None, "We introduce PEPO, a method."),
        (None, "Another abstract here."),
    ]
    assert papers[1].sources[0].line == 4


def test_code_urls_are_taken_from_the_abstract_without_sentence_punctuation():
    page = "A Title\nCode is at https://github.com/a/b-c. See https://x.org/p?q=1, too.\n"
    papers, _ = parse(page)
    assert papers[0].urls == ["https://github.com/a/b-c", "https://x.org/p?q=1"]


def test_a_title_with_no_abstract_is_skipped_with_a_warning_naming_the_line():
    page = f"A Good Title\n{LONG}\nA Title at the End\n"
    papers, warnings = parse(page)
    assert [p.title for p in papers] == ["A Good Title"]
    assert warnings == ["page.txt:3: a title with no abstract after it; skipped"]


def test_page_chrome_never_becomes_a_paper():
    page = "new\n\nSubscribe\n\nDaily Papers\n\nJan 8\n\n"
    assert parse(page) == ([], [])
