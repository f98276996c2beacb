"""Typed async queries every interface uses (Discord cogs, the console, briefings)."""

from db.queries.actors import actor_profile, actor_profile_in, actor_statements, load_actor_index
from db.queries.briefs import state_brief
from db.queries.combined import dialogues_with_sources, themes_by_year, themes_with_sources
from db.queries.dialogues import dialogue_detail, dialogue_facts, list_dialogues, meeting_speakers
from db.queries.pillars import pillar_explainer
from db.queries.reports import report_facts
from db.queries.search import search_passages
from db.queries.sources import list_sources
from db.queries.themes import list_themes, load_theme_index, theme_states

__all__ = [
    "actor_profile",
    "actor_profile_in",
    "actor_statements",
    "dialogue_detail",
    "dialogue_facts",
    "dialogues_with_sources",
    "list_dialogues",
    "list_sources",
    "list_themes",
    "load_actor_index",
    "load_theme_index",
    "meeting_speakers",
    "pillar_explainer",
    "report_facts",
    "search_passages",
    "state_brief",
    "theme_states",
    "themes_by_year",
    "themes_with_sources",
]
