"""Word splitting and written names: what the index and the queries agree a word is."""

from __future__ import annotations

import pytest

from citels.text import names_in_text, words


@pytest.mark.parametrize(("text", "expected"), [
    ("Don't stop", ["dont", "stop"]),  # an apostrophe inside a word joins it
    ("the models' outputs", ["the", "models", "outputs"]),  # beside a space it parts
    ("'quoted' words", ["quoted", "words"]),
    ("O'Neil’s rock’n’roll", ["oneils", "rocknroll"]),  # typographic ones too
    ("a''b", ["a", "b"]),  # LaTeX's closing quotes part words
    ("x''y'z", ["x", "yz"]),
    ("GPT-4o, u-μP and TÜLU_3", ["gpt", "4o", "u", "mup", "and", "tulu", "3"]),
    ("日本'語 text", ["text"]),
])
def test_words(text: str, expected: list[str]):
    assert words(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("We present MaD-Mix and GPT-4o.", ["MaD-Mix", "GPT-4o"]),
    ("A VinePPO-style method, then aB and xaB.", ["VinePPO-style", "aB", "xaB"]),
    ("Sentence Starts Are Not Names. Nor is RLHF.", ["RLHF"]),
    ("a+B is no name, x+aB-c is one", ["x+aB-c"]),
    ("", []),
])
def test_names_in_text(text: str, expected: list[str]):
    assert names_in_text(text) == expected


def test_spaced_words_hold_the_same_words_as_words():
    # The scorer finds a typed word (' w ') or a word's start (' w') in an abstract's spaced
    # words: they must be exactly `words`, whatever the text's punctuation and accents.
    from citels.text import spaced_words, words
    for sample in ["Mirror descent (MD), a well-known first-order method; RL's PPO/TRPO.",
                   "Don't stop: it's ''quoted'' here", "Naïve café — Erdős–Rényi graphs",
                   "line\nbreaks\tand\u00a0spaces", "", "x-y_z 3.14 GPT-4o"]:
        spaced = spaced_words(sample)
        assert spaced.startswith(" ") and spaced.endswith(" ")
        assert spaced.split() == words(sample)
