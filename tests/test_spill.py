"""A first index's spill remembers every key it gave, however many: keys are never given
twice, whichever of its stores (the batch in memory, the keys database) holds them."""

from __future__ import annotations

from pathlib import Path

from citels.papers import Paper
from citels.store.spill import RecordSpill


def counted_spill(path: Path | None, papers: int) -> RecordSpill:
    spill = RecordSpill(path, ["corpus.jsonl"])
    for line in range(1, papers + 1):
        spill.add("corpus.jsonl", line, f"mid{line:05d}", Paper(title=f"Paper {line}"))
    spill.finish_reading()
    return spill


def test_every_key_given_is_found_and_no_other(tmp_path: Path):
    # More keys than one batch written at a time, so most are asked back from the database.
    with counted_spill(tmp_path / "spill.sqlite3", 5_000) as spill:
        for number in range(5_000):
            spill.give_key(f"Vaswani{number}Attention2017", f"mid{number:05d}",
                           generated=number % 2 == 0)
        assert all(spill.owner_of_key(f"vaswani{number}attention2017") == f"mid{number:05d}"
                   for number in range(5_000))
        assert [spill.owner_of_key(f"Vaswani{number}Attention2017a")
                for number in range(5_000)] == [None] * 5_000
        assert spill.owner_of_key("Shazeer2017") is None
        generated = list(spill.generated_keys())
        assert generated == [(f"mid{number:05d}", f"Vaswani{number}Attention2017")
                             for number in range(0, 5_000, 2)]


def test_a_spill_leaves_no_file_behind(tmp_path: Path):
    with counted_spill(tmp_path / "spill.sqlite3", 10) as spill:
        spill.give_key("a2020", "mid00001", generated=True)
    assert list(tmp_path.iterdir()) == []


def test_a_spill_in_memory_keeps_its_keys_too():
    with counted_spill(None, 3_000) as spill:
        for number in range(3_000):
            spill.give_key(f"key{number}", f"mid{number:05d}", generated=True)
        assert spill.owner_of_key("KEY2999") == "mid02999"
        assert spill.owner_of_key("key3000") is None
