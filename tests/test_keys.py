"""Citation keys: Better BibTeX's shape, ASCII, unique, and never changing once given."""

from __future__ import annotations

import pytest

from citels.keys import base_key, is_valid_key, unique_key
from citels.papers import Paper


@pytest.mark.parametrize(
    ("paper", "key"),
    [
        (Paper(title="Mirror Descent Policy Optimization", year=2020), "mirrorDescentPolicy2020"),
        (Paper(title="TÜLU 3: Pushing Frontiers in Open Language Model Post-Training"),
         "tulu3Pushing"),
        (Paper(title="The Update-Equivalence Framework for Decision-Time Planning", year=2023),
         "updateEquivalenceFramework2023"),
        (Paper(title="u-μP: The Unit-Scaled Maximal Update Parametrization"), "uMupUnit"),
        (Paper(title="Goodhart's Law in Reinforcement Learning"), "goodhartsLawReinforcement"),
        (Paper(title="CFG++: Manifold-constrained Classifier Free Guidance"),
         "cfgManifoldConstrained"),
        (Paper(title="Attention", authors=["Vaswani, Ashish"], year=2017), "vaswaniAttention2017"),
        (Paper(title="Attention", authors=["Kurt Gödel"]), "godelAttention"),
        (Paper(abstract="We introduce PEPO (Pessimistic Ensemble), a method."), "pepo"),
        (Paper(abstract="Fairness of decision-making algorithms is important."), None),
    ],
)
def test_base_keys(paper: Paper, key: str | None):
    generated = base_key(paper)
    if key is None:  # no named method: a short hash of the abstract
        assert generated.startswith("untitled") and len(generated) == len("untitled") + 6
    else:
        assert generated == key
    assert generated.isascii() and is_valid_key(generated)


def test_clashes_get_letter_suffixes_compared_case_insensitively():
    taken = {"mirrordescentpolicy2020", "mirrordescentpolicy2020a"}
    assert unique_key("mirrorDescentPolicy2020", taken.__contains__) == "mirrorDescentPolicy2020b"
    many = {"k"} | {"k" + c for c in "abcdefghijklmnopqrstuvwxyz"}
    assert unique_key("k", many.__contains__) == "kaa"


def test_many_papers_with_one_base_get_the_same_keys_when_the_tried_suffixes_are_kept():
    # Thousands of papers can start their titles alike; remembering where the suffixes got
    # to must not change which keys they get.
    remembered: dict[str, int] = {}
    taken_fast: set[str] = {"learningx"}
    taken_slow: set[str] = {"learningx"}
    fast, slow = [], []
    for base in ["learning", "Learning", "other"] * 300:
        fast.append(unique_key(base, taken_fast.__contains__, remembered))
        taken_fast.add(fast[-1].lower())
        slow.append(unique_key(base, taken_slow.__contains__))
        taken_slow.add(slow[-1].lower())
    assert fast == slow
    assert fast[:4] == ["learning", "Learninga", "other", "learningb"]
    assert "learningx" not in {key.lower() for key in fast}  # taken before: skipped


@pytest.mark.parametrize("key", ["a b", "1abc", "", "a{b}", "a,b", "a%b", "ü"])
def test_invalid_keys(key: str):
    assert not is_valid_key(key)
