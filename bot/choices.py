"""App-command choice lists, made from the records' enums and named by their labels (`bot.render.labels`)."""

from __future__ import annotations

import enum
from typing import Any, Mapping

from discord import app_commands

from bot.render import labels
from db.briefing_models import Cadence, ContentKind
from db.models import ActorKind, MeetingKind, RoleKind, Stance

Choice = app_commands.Choice


def enum_choices(kinds: type[enum.Enum], names: Mapping[Any, str] | None = None) -> list[Choice[str]]:
    """One choice per member, in the enum's order, named by its label (or its value when there are no labels)."""
    return [Choice(name=names[k.value] if names else k.value, value=k.value) for k in kinds]


ACTOR_KINDS = enum_choices(ActorKind, labels.ACTOR_KINDS)
MEETING_KINDS = enum_choices(MeetingKind, labels.MEETING_KINDS)
STANCES = enum_choices(Stance)
ROLES = enum_choices(RoleKind, labels.ROLES)
CADENCES = enum_choices(Cadence)
CONTENT_KINDS = enum_choices(ContentKind, labels.CONTENT_CHOICES)
PILLARS = [Choice(name=f"Pillar {n}", value=n) for n in labels.PILLARS]  # an admin's theme: its related pillar
PILLARS_NAMED = [Choice(name=f"{n} — {name}", value=n) for n, name in labels.PILLARS.items()]  # /pillar explain
