"""Renderers for admin replies: confirmations, the audit log, import summaries."""

from __future__ import annotations

import json
from typing import Any, Sequence

import discord

from bot.render.embeds import esc
from bot.render.layout import ERROR, INFO, NOTICE, Attachment, Reply, Section, build_reply
from db.admin.service import PLACE_KEYS, AuditInfo, Change
from db.admin.transfer import ImportPlan

ACTION_WORDS = {"add": "Added", "edit": "Changed", "remove": "Removed", "undo": "Undid"}


def _fields(record: dict[str, Any] | None) -> list[str]:
    if not record:
        return []
    lines = []
    for key, value in record.items():
        if key in PLACE_KEYS or value in (None, "", []):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"**{key}:** {esc(shown)[:300]}")
    return lines


def where(shared: bool) -> str:
    """Where a change applies: the shared knowledge (a curator server) or the server's own records."""
    if shared:
        return "Applies in every server: every command sees the change now."
    return "Applies in this server only: its commands see the change now; other servers keep the shared records."


def change(result: Change) -> Reply:
    word = ACTION_WORDS.get(result.action, result.action.capitalize())
    record = f" (record #{result.record_id})" if result.record_id else ""
    sections = []
    if result.action in ("edit", "undo") and result.before and result.after:
        changed = [k for k in result.after if result.after.get(k) != result.before.get(k) and k not in PLACE_KEYS]
        sections.append(Section("Before", _fields({k: result.before.get(k) for k in changed}) or ["—"]))
        sections.append(Section("After", _fields({k: result.after.get(k) for k in changed}) or ["—"]))
    else:
        sections.append(Section("Record", _fields(result.after or result.before) or ["—"]))
    undo = "" if result.action == "undo" else f" Undo it with `/admin undo entry:{result.entry_id}`."
    return build_reply(
        f"{word} {result.label}"[:256],
        description=f"Audit entry #{result.entry_id}{record}. {where(result.shared)}{undo}",
        sections=sections,
        colour=INFO,
        ephemeral=True,
    )


def audit(entries: Sequence[AuditInfo]) -> Reply:
    lines = []
    for e in entries:
        status = f" · undone by #{e.undone_by}" if e.undone_by else ""
        target = f" (undoes #{e.undoes})" if e.undoes else ""
        when = discord.utils.format_dt(e.at, "f")
        lines.append(f"**#{e.id}** {when} · {esc(e.user_name)} · {e.action}{target} · {esc(e.label)}{status}")
    return build_reply(
        "Audit log",
        description="Recent changes in this server, newest first. Revert one with `/admin undo entry:`.",
        sections=[Section("Changes", lines or ["No changes yet."])],
        ephemeral=True,
    )


def export(records_json: str, positions_csv: str) -> Reply:
    data = json.loads(records_json)
    counts = [f"{kind}: {len(rows)}" for kind, rows in data["records"].items() if rows]
    removed = len(data.get("removed_seed_records") or [])
    reply = build_reply(
        "Export",
        description=(
            "`admin-records.json` holds every record added or corrected by admins here, and the seed records "
            "they removed; import it with `/admin import`. `positions.csv` lists every position (seed and admin) "
            "for spreadsheets."
        ),
        sections=[Section("Admin records", counts or ["none yet"]), Section("Removed seed records", [str(removed)])],
        ephemeral=True,
    )
    reply.files.append(Attachment("admin-records.json", records_json.encode("utf-8")))
    reply.files.append(Attachment("positions.csv", positions_csv.encode("utf-8")))
    return reply


def import_plan(plan: ImportPlan, *, applied: bool = False) -> Reply:
    if plan.problem:
        return build_reply("Import refused", description=esc(plan.problem), colour=ERROR, ephemeral=True, error=True)
    summary = (
        f"{plan.count('add')} to add · {plan.count('update')} to update · {plan.count('remove')} seed records to "
        f"remove · {plan.count('unchanged')} unchanged · {len(plan.errors)} errors"
    )
    errors = [f"**{o.section} row {o.row}** ({esc(o.label)}): {esc(o.error or '')}" for o in plan.errors]
    changes = [f"{o.action}: {esc(o.label)}" for o in plan.outcomes if o.action in ("add", "update", "remove")]
    if applied:
        title, text, colour = "Import applied", summary + "\nEverything was applied in one transaction.", INFO
    elif plan.ok:
        title, text, colour = "Import: dry run", summary + "\nNothing is changed until you press Confirm.", NOTICE
    else:
        title = "Import: errors"
        text = summary + "\nFix the rows below and attach the file again; nothing was changed."
        colour = ERROR
    return build_reply(
        title,
        description=text,
        sections=[Section("Errors", errors), Section("Changes", changes)],
        colour=colour,
        ephemeral=True,
        error=bool(plan.errors) and not applied,
    )
