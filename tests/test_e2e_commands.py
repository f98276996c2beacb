"""The real discord.py client against the local Discord double, driven as people drive Discord."""

from __future__ import annotations


from tests.discord_double.harness import ADMIN, MEMBER, OTHER_MEMBER, until
from tests.discord_double.server import INTERACTION_DEADLINE, DiscordDouble


async def test_startup_identifies_and_sync_registers_every_command(live):
    double = live.double
    assert double.identifies == 1
    names = {c["name"] for c in double.commands[None]}
    assert {"dialogue", "theme", "state", "pillar", "ask", "sources", "help", "admin"} <= names
    assert live.bot.get_guild(double.guild_id) is not None


MEMBER_COMMANDS = [
    ("dialogue list", {}, "Timeline"),
    ("dialogue show", {"year": 2014}, "A/68/947"),
    ("theme list", {"dialogue": 2014}, "Veto restraint"),
    ("theme states", {"theme": "veto-restraint", "dialogue": 2014}, "Fourteen states"),
    ("theme chart", {"dialogue": 2012}, "Themes raised at the 2012 dialogue"),
    ("state profile", {"state": "Ivory Coast"}, "Côte d'Ivoire"),
    ("pillar explain", {"pillar": 1}, "Pillar 1"),
    ("ask", {"question": "Who spoke for the Group of Friends?"}, "Rwanda"),
    ("sources", {}, "ICRtoP"),
    ("help", {}, "/theme states"),
    ("brief theme", {"theme": "veto-restraint", "public": True}, "Briefing note: Veto restraint"),
]


async def test_every_member_command_answers_within_the_deadline(live):
    """One bot, every command in turn (a bot per command would cost a start-up each)."""
    failures = []
    for path, options, expected in MEMBER_COMMANDS:
        interaction = await live.double.invoke(MEMBER, path, options)
        await interaction.answered(timeout=15)
        late = interaction.latency is None or interaction.latency >= INTERACTION_DEADLINE
        if late or expected not in interaction.final.text() or interaction.rejected:
            failures.append((path, interaction.latency, interaction.rejected, interaction.final.text()[:300]))
    assert failures == []


async def test_chart_arrives_as_a_png_attachment(live):
    interaction = await live.double.invoke(MEMBER, "theme chart", {})
    await interaction.answered(timeout=15)
    assert interaction.callback["type"] == 5  # deferred first
    png = interaction.final.files["themes.png"]
    assert png.startswith(b"\x89PNG")


async def test_briefing_notes_arrive_privately_as_pdf_and_markdown_within_the_attachment_limit(live):
    interaction = await live.double.invoke(MEMBER, "brief state", {"state": "Ivory Coast"})
    await interaction.answered(timeout=15)
    assert interaction.callback["type"] == 5 and interaction.final.ephemeral  # deferred, privately
    files = interaction.final.files
    assert files["brief-state-cote-d-ivoire.pdf"].startswith(b"%PDF-")
    assert files["brief-state-cote-d-ivoire.md"].startswith("# Côte d'Ivoire".encode())
    live.double.attachment_size_limit = 20_000  # as if the server allowed less than the note needs
    interaction = await live.double.invoke(MEMBER, "brief dialogue", {"year": 2011, "public": True})
    await interaction.answered(timeout=15)
    assert "too large to attach" in interaction.final.text() and not interaction.final.files
    assert interaction.final.ephemeral  # the error goes to the person alone, not the channel


async def test_autocomplete_interactions(live):
    interaction = await live.double.autocomplete(MEMBER, "state profile", {"state": "Ivory"}, focused="state")
    await interaction.answered()
    assert interaction.choices[0]["value"] == "Côte d'Ivoire"
    years = await live.double.autocomplete(MEMBER, "theme states", {"theme": "veto", "dialogue": "201"}, "dialogue")
    await years.answered()
    assert [c["value"] for c in years.choices] == [2014, 2012, 2011]


async def test_paging_buttons_work_for_the_invoker_and_refuse_others(live):
    interaction = await live.double.invoke(MEMBER, "theme list", {})
    await interaction.answered()
    message = interaction.final
    refused = await live.double.click(OTHER_MEMBER, message, "Next")
    await refused.answered()
    assert refused.original.ephemeral and "belong to the person" in refused.original.text()
    turned = await live.double.click(MEMBER, message, "Next")
    await turned.answered()
    assert "Page 2/2" in live.double.messages[message.id].text()


async def test_user_errors_are_ephemeral_with_suggestions(live):
    interaction = await live.double.invoke(MEMBER, "state profile", {"state": "Venezeula"})
    await interaction.answered()
    assert interaction.final.ephemeral
    assert "Venezuela (Bolivarian Republic of)" in interaction.final.text()


async def test_modal_submission_as_admin(live):
    opened = await live.double.invoke(ADMIN, "admin theme add", {"slug": "early-warning-apps", "name": "Warning apps"})
    await opened.answered()
    assert opened.modal is not None
    submitted = await live.double.submit(ADMIN, opened, {
        "description": "Phone apps that warn communities of atrocity risks.", "keywords": "apps, phones"})
    await submitted.answered()
    assert "Added theme early-warning-apps" in submitted.final.text()
    assert (await live.bot.store.names(live.double.guild_id)).themes.resolve("phones").found


async def test_data_changing_commands_refused_for_members_and_accepted_for_admins(live):
    refused = await live.double.invoke(MEMBER, "admin actor alias", {"actor": "Cuba", "alias": "Republic of Cuba"})
    await refused.answered()
    assert refused.final.ephemeral and "Nothing was changed" in refused.final.text()
    assert not (await live.bot.store.names(live.double.guild_id)).actors.resolve("Republic of Cuba").found
    accepted = await live.double.invoke(ADMIN, "admin actor alias", {"actor": "Cuba", "alias": "Republic of Cuba"})
    await accepted.answered()
    assert "Added alias" in accepted.final.text()
    assert (await live.bot.store.names(live.double.guild_id)).actors.resolve("Republic of Cuba").found


async def test_a_dropped_gateway_resumes_and_commands_keep_working(live):
    await live.double.drop_gateway()
    await until(lambda: live.double.resumes > 0, what="the bot to resume its gateway session")
    assert live.double.resumes == 1 and live.double.identifies == 1
    interaction = await live.double.invoke(MEMBER, "sources", {})
    await interaction.answered()
    assert "ICRtoP" in interaction.final.text()


async def test_no_unhandled_errors_were_logged(live):
    interaction = await live.double.invoke(MEMBER, "dialogue show", {"year": 2012})
    await interaction.answered()
    assert [r for r in live.errors.records if r.exc_info] == []


def _sample(option: dict, double: DiscordDouble):
    if option.get("choices"):
        return option["choices"][0]["value"]
    return {3: "Cuba", 4: 2014, 5: True, 7: double.channel_ids[0], 11: ("admin-records.json", b"{}")}[option["type"]]


def _guarded(double: DiscordDouble) -> list[tuple[str, dict]]:
    from tests.test_e2e_fuzz import leaf_commands

    return [(path, command) for path, command in leaf_commands(double) if path.split()[0] in ("admin", "briefing")]


REFUSAL = "Only members with the Manage Server permission"


async def test_every_data_changing_command_refuses_members_and_admits_admins(live):
    double = live.double
    guarded = _guarded(double)
    assert len(guarded) >= 30
    for path, command in guarded:
        values = {o["name"]: _sample(o, double) for o in command.get("options") or [] if o.get("required")}
        refused = await double.invoke(MEMBER, path, values)
        await refused.answered()
        assert refused.final.ephemeral and REFUSAL in refused.final.text(), path
        admitted = await double.invoke(ADMIN, path, values)
        await admitted.answered()
        assert admitted.latency < INTERACTION_DEADLINE, path
        shown = admitted.final.text() if admitted.final else ""
        assert admitted.modal is not None or REFUSAL not in shown, path
    assert [r for r in live.errors.records if r.exc_info] == []
