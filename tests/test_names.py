"""Name resolution: exact, alias, folded, then suggestions only."""

from __future__ import annotations

import pytest

ALIASES = {
    "Ivory Coast": "Côte d'Ivoire",
    "Cote d'Ivoire": "Côte d'Ivoire",
    "Côte D'Ivoire": "Côte d'Ivoire",
    "Cote d’Ivoire": "Côte d'Ivoire",
    "UK": "United Kingdom of Great Britain and Northern Ireland",
    "United Kingdom": "United Kingdom of Great Britain and Northern Ireland",
    "USA": "United States of America",
    "US": "United States of America",
    "United States": "United States of America",
    "Russia": "Russian Federation",
    "North Korea": "Democratic People's Republic of Korea",
    "DPRK": "Democratic People's Republic of Korea",
    "Democratic People’s Republic of Korea": "Democratic People's Republic of Korea",
    "South Korea": "Republic of Korea",
    "ROK": "Republic of Korea",
    "Vietnam": "Viet Nam",
    "Syria": "Syrian Arab Republic",
    "Iran": "Iran (Islamic Republic of)",
    "Bolivia": "Bolivia (Plurinational State of)",
    "Venezuela": "Venezuela (Bolivarian Republic of)",
    "Czechia": "Czechia",
    "Czech Republic": "Czechia",
    "Turkey": "Türkiye",
    "Türkiye": "Türkiye",
    "turkiye": "Türkiye",
    "Tanzania": "United Republic of Tanzania",
    "Laos": "Lao People's Democratic Republic",
    "Moldova": "Republic of Moldova",
    "CIV": "Côte d'Ivoire",
    "icrtop": "International Coalition for the Responsibility to Protect",
    "Group of Friends of RtoP": "Group of Friends of the Responsibility to Protect",
    "CARICOM": "Caribbean Community",
}


@pytest.mark.parametrize("typed, canonical", ALIASES.items())
def test_aliases_resolve(base_names, typed, canonical):
    result = base_names.actors.resolve(typed)
    assert result.entry is not None, result.suggestions
    assert result.entry.name == canonical


def test_all_member_and_observer_states_are_present(base_names):
    kinds = [e.kind for e in base_names.actors.entries]
    assert kinds.count("member_state") == 193
    assert kinds.count("observer_state") == 2
    assert all(e.code and len(e.code) == 3 for e in base_names.actors.entries if e.kind.endswith("_state"))


def test_unknown_name_gives_suggestions_not_a_match(base_names):
    result = base_names.actors.resolve("Atlantis")
    assert result.entry is None
    assert result.suggestions
    typo = base_names.actors.resolve("Venezeula")
    assert typo.entry is None
    assert typo.suggestions[0].entry.name == "Venezuela (Bolivarian Republic of)"


def test_theme_resolution_by_slug_name_and_keyword(base_names):
    assert base_names.themes.resolve("veto-restraint").entry.code == "veto-restraint"
    assert base_names.themes.resolve("Veto restraint").entry.code == "veto-restraint"
    assert base_names.themes.resolve("veto").entry.code == "veto-restraint"
    assert base_names.themes.resolve("prevention").entry.code == "prevention-cornerstone"
    assert base_names.themes.resolve("prevnetion").entry is None


def test_completion_is_ranked_and_capped(base_names):
    choices = base_names.actors.complete("", limit=25)
    assert len(choices) == 25
    ivory = base_names.actors.complete("Ivory")
    assert ivory[0].entry.name == "Côte d'Ivoire"
    assert ivory[0].label == "Côte d'Ivoire (Ivory Coast)"
    korea = [s.entry.name for s in base_names.actors.complete("korea")]
    assert korea[:2] == ["Democratic People's Republic of Korea", "Republic of Korea"] or korea[:2] == [
        "Republic of Korea",
        "Democratic People's Republic of Korea",
    ]
