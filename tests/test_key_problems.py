"""The facts behind diagnostics, quick fixes and tidying, and the edits they lead to, without
a server: key problems as records, the completion policy, bibliography edits."""

from __future__ import annotations

from citels.bibliography.edits import (
    TextChange,
    append_at_end,
    remove_entry,
    rename_refusal,
    replace_key,
)
from citels.cite_syntax import CiteSpan, KeySpan, bib_entry_keys, key_insertion
from citels.completion_policy import papers_to_offer
from citels.key_problems import (
    duplicate_keys,
    keys_not_found,
    keys_to_add,
    missing_keys,
    unused_entries,
)
from citels.papers import Hit, Paper

CORPUS = {"mdpo2020": Paper(title="Mirror Descent Policy Optimization", key="mdpo2020"),
          "hanabi": Paper(title="The Hanabi Challenge", key="hanabi")}


def span(key: str, line: int = 0) -> KeySpan:
    return KeySpan(key, line, 6, 6 + len(key))


def test_missing_keys_say_whether_the_corpus_can_fill_them():
    cited = [span("knuth84"), span("MDPO2020", 1), span("*", 2), span("nobody", 3),
             span("mdpo2020", 4)]
    missing = missing_keys(cited, {"knuth84"}, lambda key: CORPUS.get(key.lower()))
    assert [(m.span.key, m.in_corpus) for m in missing] == [
        ("MDPO2020", True), ("nobody", False), ("mdpo2020", True)]
    assert keys_to_add(missing) == ["MDPO2020", "mdpo2020"]  # each spelling once, as cited
    assert keys_not_found(missing) == ["nobody"]
    assert missing[0].message(["refs.bib"]) == (
        "MDPO2020 is not in refs.bib; the corpus has it: “Mirror Descent Policy Optimization”")
    assert missing[1].message([]) == "nobody is in no bibliography of this document" \
        " (no bibliography)"


def test_only_the_second_and_later_entries_of_a_key_are_duplicates():
    entries = [span("a", 0), span("B", 1), span("b", 2), span("c", 3), span("b", 4)]
    duplicates = duplicate_keys(entries)
    assert [(d.span.line, d.count) for d in duplicates] == [(2, 3), (4, 3)]
    assert duplicates[0].message() == "b is defined 3 times in this file"


def test_unused_entries_and_nocite_everything():
    entries = [span("Used"), span("spare", 5)]
    assert [u.span.key for u in unused_entries(entries, {"used"})] == ["spare"]
    assert unused_entries(entries, {"*"}) == []


def test_removing_an_entry_takes_the_blank_line_after_it():
    lines = ["@book{a,", "  title = {A},", "}", "", "@book{b, title={B}}", "% the end"]
    (first, second) = bib_entry_keys(lines)
    assert remove_entry(lines, first) == TextChange(0, 0, 4, 0, "")
    assert remove_entry(lines, second) == TextChange(4, 0, 5, 0, "")


def test_removing_the_last_entry_never_addresses_the_line_after_the_final_newline():
    lines = ["@book{a,", "}", "", "@book{b,", "}", ""]  # "...}\n" : six lines, the last empty
    (_, second) = bib_entry_keys(lines)
    # from the end of `a`'s last line to the end of `b`'s: the file ends "@book{a,\n}\n"
    assert remove_entry(lines, second) == TextChange(1, 1, 4, 1, "")


def test_rename_and_append_edits():
    assert replace_key(span("old"), "new") == TextChange(0, 6, 0, 9, "new")
    assert append_at_end("x\r\nab", "@misc{k}") == TextChange(1, 2, 1, 2, "@misc{k}")
    taken = {"hanabi"}.__contains__
    assert rename_refusal("a", "b c", taken) == "'b c' is not a valid citation key"
    assert rename_refusal("a", "hanabi", taken) == "the key hanabi is taken already"
    assert rename_refusal("Hanabi", "hanabi", taken) is None  # a change of case only
    assert rename_refusal("a", "fresh2024", taken) is None


class FakeCatalogue:
    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def get(self, key: str) -> Paper | None:
        return CORPUS.get(key)

    def search(self, text, *, limit, cited=()):
        self.asked.append((text, limit))
        return [Hit(paper, 1.0) for paper in CORPUS.values()][:limit]


def test_completion_leaves_out_keys_already_in_the_citation_and_keeps_the_list_full():
    finder = FakeCatalogue()
    offered = papers_to_offer(finder, "mirror", ["HANABI"], [], limit=1)
    assert [p.key for p in offered] == ["mdpo2020"]
    assert finder.asked == [("mirror", 2)]  # one more, for the one left out


def test_with_nothing_typed_completion_offers_the_documents_citations_latest_first():
    finder = FakeCatalogue()
    offered = papers_to_offer(finder, " ", [], ["hanabi", "mdpo2020", "unknown", "hanabi"],
                              limit=5)
    assert [p.key for p in offered] == ["hanabi", "mdpo2020"]
    assert finder.asked == []
    after_semicolon = CiteSpan("markdown", "@", "", 0, 5, 5, needs_at=True)
    assert key_insertion(after_semicolon, offered[0].key) == (5, "@hanabi")
    in_braces = CiteSpan("latex", "\\cite", "", 0, 6, 6)
    assert key_insertion(in_braces, offered[0].key) == (6, "hanabi")
