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
