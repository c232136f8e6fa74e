"""Settings: initializationOptions merged with the settings pulled later, then validated."""

from __future__ import annotations

import pytest

from citels.config import Config, merged_settings, parse_settings


@pytest.mark.parametrize(("base", "override", "merged"), [
    # Pulled settings win key by key; keys only the base has are kept.
    ({"corpus": ["a"], "completion": {"limit": 5}}, {"corpus": ["b"]},
     {"corpus": ["b"], "completion": {"limit": 5}}),
    # Nested sections merge rather than replace each other.
    ({"bibtex": {"unicode": "utf8", "abstract": False}}, {"bibtex": {"abstract": True}},
     {"bibtex": {"unicode": "utf8", "abstract": True}}),
    # Either side may come wrapped in {"citels": ...}; the result is unwrapped.
    ({"citels": {"database": "x.sqlite3"}}, {"citels": {"hover": {"showAbstract": False}}},
     {"database": "x.sqlite3", "hover": {"showAbstract": False}}),
    # Nothing pulled (null): the base stands.
    ({"corpus": ["a"]}, None, {"corpus": ["a"]}),
    # No base: what was pulled stands.
    (None, {"corpus": ["b"]}, {"corpus": ["b"]}),
    # Neovim's empty table arrives as a list: it replaces nothing it cannot merge with.
    ({"corpus": ["a"]}, [], []),
])
def test_pulled_settings_override_initialization_options_key_by_key(base, override, merged):
    assert merged_settings(base, override) == merged


def test_merging_leaves_both_inputs_as_they_were():
    base = {"completion": {"limit": 5}}
    merged_settings(base, {"completion": {"limit": 7}})
    assert base == {"completion": {"limit": 5}}


def test_merged_settings_validate_like_any_other():
    config, errors = parse_settings(merged_settings(
        {"completion": {"limit": 5}, "bibtex": {"unicode": "utf8"}},
        {"completion": {"limit": 500}}))
    assert config.completion_limit == Config().completion_limit
    assert config.bibtex_unicode == "utf8"
    assert errors == ["citels.completion.limit must be a whole number from 1 to 50, not 500;"
                      " using the default"]


def test_online_lookups_are_off_unless_turned_on():
    assert Config().online is False
    config, errors = parse_settings({"online": True, "onlineContact": "me@example.org"})
    assert (config.online, config.online_contact, errors) == (True, "me@example.org", [])
    config, errors = parse_settings({"online": "yes", "onlineContact": "not an address"})
    assert (config.online, config.online_contact) == (False, None)
    assert errors == ["citels.online must be true or false, not 'yes'; using the default",
                      "citels.onlineContact must be an e-mail address or null, not"
                      " 'not an address'; using the default"]
