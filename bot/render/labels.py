"""The words users read for the records' enums and codes: one place for every label, mark and phrase.

Keyed by the enums of `db.models` and `db.briefing_models` where there is one; the
stores keep their values as plain strings, and a str enum member looks up the same
entry as its value. Choice lists (`bot.choices`) take their names from here.
"""

from __future__ import annotations

from db.briefing_models import Cadence, ContentKind, RunStatus, ScheduleStatus
from db.models import ActorKind, MeetingKind, RoleKind, Stance

MEETING_KINDS: dict[str, str] = {
    MeetingKind.informal_interactive_dialogue: "Informal interactive dialogue",
    MeetingKind.plenary_debate: "Plenary debate",
    MeetingKind.no_meeting: "No meeting",
}
ACTOR_KINDS: dict[str, str] = {
    ActorKind.member_state: "UN member state",
    ActorKind.observer_state: "UN observer state",
    ActorKind.regional_organisation: "Regional organisation",
    ActorKind.group_of_states: "Group of states",
    ActorKind.civil_society: "Civil-society organisation",
    ActorKind.un_official: "UN official or panelist",
}
ROLES: dict[str, str] = {
    RoleKind.opening_remarks: "Opening remarks",
    RoleKind.moderator: "Moderator",
    RoleKind.panelist: "Panel",
    RoleKind.participant: "In the session",
}
STANCE_MARKS: dict[str, str] = {Stance.supports: "✅", Stance.concerned: "⚠️", Stance.opposes: "❌", Stance.neutral: "➖"}
# what the marks mean, where an answer lists records of other stances than the one asked about
STANCE_LEGEND = " · ".join(f"{STANCE_MARKS[s]} {word}" for s, word in (
    (Stance.supports, "support"), (Stance.concerned, "concerns"), (Stance.opposes, "opposition"), (Stance.neutral, "mention")))
# a stance inside a sentence: "Recorded as opposing the veto …"
STANCE_WORDS: dict[str, str] = {
    Stance.opposes: "opposing", Stance.concerned: "raising concerns about", Stance.supports: "supporting",
    Stance.neutral: "mentioning",
}

# the three pillars in a few words, for choice lists (the records hold their names and definitions)
PILLARS = {1: "The State's responsibility to protect", 2: "International assistance", 3: "Timely and decisive response"}

# how a source measured participation: as a heading ("Member states: 63") …
MEASURES = {
    "member_states": "Member states",
    "governments_represented": "Governments represented",
    "regional_organisations": "Regional organisations",
    "civil_society": "Civil society",
    "icrtop_members": "ICRtoP members",
    "as_reported": "Reference table",
}
# … and inside a sentence ("Participation (member states)")
MEASURE_PHRASES = {
    "member_states": "member states",
    "governments_represented": "governments represented",
    "regional_organisations": "regional organisations",
    "civil_society": "civil-society organisations",
    "icrtop_members": "ICRtoP members",
    "as_reported": "as the timeline reports it",
}
REPORT_KINDS = {
    "finding": "Finding",
    "mechanism": "Mechanism",
    "body": "Body",
    "recommendation": "Recommendation",
    "question": "Question",
    "commentary": "Commentary",
}
DOCUMENTS = {"report": "The Secretary-General's report", "concept_note": "The concept note",
             "commentary": "Additional commentary"}

# scheduled briefings
CONTENT_KINDS = {
    ContentKind.pillar: "Pillar explainer",
    ContentKind.dialogue: "Dialogue digest",
    ContentKind.theme: "Theme spotlight",
    ContentKind.state: "State spotlight",
    ContentKind.on_this_day: "On this day",
}
# the content kinds as /briefing schedule and preview offer them: what each posts
CONTENT_CHOICES = {
    ContentKind.pillar: "Pillar explainer (1 → 2 → 3)",
    ContentKind.dialogue: "Dialogue digest (through the timeline)",
    ContentKind.theme: "Theme spotlight (a theme, who raised it)",
    ContentKind.state: "State spotlight (one actor's record)",
    ContentKind.on_this_day: "On this day (daily; anniversaries only)",
}
CADENCES = {Cadence.daily: "Daily", Cadence.weekly: "Weekly", Cadence.monthly: "Monthly"}
SCHEDULE_STATUS_MARKS = {
    ScheduleStatus.active: "▶️ active", ScheduleStatus.paused: "⏸️ paused", ScheduleStatus.cancelled: "⏹️ cancelled",
}
RUN_STATUSES = {
    RunStatus.claimed: "posting",
    RunStatus.posted: "posted",
    RunStatus.skipped: "nothing to post",
    RunStatus.missed: "missed",
    RunStatus.failed: "failed",
    RunStatus.abandoned: "interrupted",
}


def meeting_kind(kind: str) -> str:
    """A meeting kind's label; a kind without one (from an older store) in words."""
    return MEETING_KINDS.get(kind, kind.replace("_", " ").capitalize())


def content_kind(kind: ContentKind) -> str:
    return CONTENT_KINDS[kind]
