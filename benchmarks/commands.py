"""The measured read commands: what each handler runs, with what arguments, and its answer.

A handler here runs what the command's cog runs, in the same order: open a
session, call the same `db.queries` functions (or `db.ask.ask`), close the
session, call the same `bot.render` renderer, and turn the first page into the
JSON payload discord.py would send (`Embed.to_dict`). Only the HTTP call and
discord.py's interaction plumbing are left out; `benchmarks.__main__` measures
the same commands once more through the real command tree (`bot.console`) to
show what that plumbing adds, and the end-to-end benchmark runs the real
client over sockets.

Arguments are sampled (seeded) from the store itself, so every run asks about
something that exists and the runs spread over light and heavy themes, states
and years. Each case can project its handler's query result into the canonical
form `benchmarks.floor` computes with one SQL query, and the two are compared.
"""

from __future__ import annotations

import random
import re
import sqlite3
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Awaitable, Callable

from discord import app_commands
from sqlalchemy import text

from benchmarks import floor
from bot.render import chart, embeds
from bot.render.layout import Reply
from bot.transformers import ActorTransformer, ThemeTransformer, YearTransformer
from cogs.reference import command_catalogue
from db import queries as q
from db.ask import Answer, ask, passage_query, understand
from db.queries.search import fts_match, fts_terms
from db.seeding import TIMELINE_SOURCE
from db.store import Store


@dataclass
class Env:
    store: Store
    conn: sqlite3.Connection  # the floor's raw connection
    tree: app_commands.CommandTree | None = None  # for /help


Query = Callable[[Any, Env, dict[str, Any]], Awaitable[Any]]


@dataclass
class Case:
    name: str  # as people type it
    args: list[dict[str, Any]]
    query: Query | None = None  # runs inside one session, as the cog's `async with` block does
    render: Callable[[Any, dict[str, Any], Env], Reply] | None = None
    project: Callable[[Any], Any] | None = None  # query result -> the floor's canonical form
    floor: Callable[[sqlite3.Connection, dict[str, Any]], Any] | None = None
    line: Callable[[dict[str, Any]], str] | None = None  # the same command typed into the console
    complete: Callable[[Env, dict[str, Any]], Awaitable[list]] | None = None  # autocomplete cases
    group: str = "command"  # command | autocomplete | chart | reference
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _norm(text: str) -> str:
    return " ".join(text.split())


# -- projections of the handlers' results into the floor's canonical form ------------------


def p_dialogue_list(result: Any) -> Any:
    dialogues, timeline = result
    return (
        tuple((d.year, d.kind, d.dates, d.report_title, d.detailed) for d in dialogues),
        timeline.key if timeline else None,
    )


def p_dialogue_show(detail: Any) -> Any:
    if detail is None:
        return None
    s = detail.summary
    return (
        s.year,
        s.detailed,
        tuple((c.field, c.measure, c.value_text, c.source.key) for c in detail.claims),
        tuple((r.role, r.actor, r.title, r.source.key) for r in detail.roles),
        tuple((st.actor, st.on_behalf_of, st.source.key) for st in detail.statements),
        tuple((t.theme.slug, t.named_actors, t.partial, len(t.unnamed)) for t in detail.themes),
        tuple((qu.speaker, qu.source.key) for qu in detail.quotes),
        tuple(sorted({ref.key for ref in detail.sources})),
    )


def p_theme_list(result: Any) -> Any:
    themes, sources = result
    return (
        tuple(
            (t.theme.slug, t.named_actors, t.years, t.partial, tuple((u.year, u.quantity, u.count) for u in t.unnamed))
            for t in themes
        ),
        tuple(sorted(s.key for s in sources)),
    )


def p_theme_states(result: Any) -> Any:
    if result is None:
        return None
    return result.theme.slug, tuple(
        (
            g.year,
            tuple((p.actor, p.stance, p.summary, p.source.key, p.partial) for p in g.positions),
            tuple((u.quantity, u.count, u.source.key) for u in g.unnamed),
        )
        for g in result.groups
    )


def p_actor_profile(profile: Any) -> Any:
    if profile is None:
        return None
    return (
        profile.name, profile.kind, profile.iso3, profile.aliases,
        tuple((s.year, s.source.key, s.on_behalf_of) for s in profile.statements),
        tuple((s.year, s.source.key, s.actor) for s in profile.spoken_for),
        tuple((r.year, r.source.key, r.role, r.title) for r in profile.roles),
        tuple((p.year, p.source.key, p.theme.slug, p.stance) for p in profile.positions),
        tuple((x.year, x.source.key, x.text) for x in profile.quotes),
    )


def p_pillar(p: Any) -> Any:
    if p is None:
        return None
    return p.number, p.name, p.source.key, tuple(c.heading for c in p.contributions), tuple(t.slug for t in p.themes)


def p_sources(refs: Any) -> Any:
    return tuple(r.key for r in refs)


def p_answer(answer: Answer) -> Any:
    return (
        answer.kind,
        frozenset((e.source.key, _norm(e.excerpt)) for e in answer.evidence),
        tuple((h.source.key, h.ordinal, h.passages_in_source) for h in answer.hits),
    )


def p_chart(per_year: Any) -> Any:
    return {y: tuple((c.theme.slug, c.named_actors, len(c.unnamed)) for c in counts) for y, counts in per_year[0].items()}


# -- queries and renderers, as the cogs call them ----------------------------------------


async def qy_select_one(session, env, a):  # type: ignore[no-untyped-def]
    return await session.scalar(text("SELECT 1"))


async def qy_dialogue_list(session, env, a):  # type: ignore[no-untyped-def]
    dialogues = await q.list_dialogues(session)
    sources = await q.list_sources(session)
    return dialogues, next((s for s in sources if s.key == TIMELINE_SOURCE), None)


async def qy_theme_list(session, env, a):  # type: ignore[no-untyped-def]
    year = a.get("year")
    years = [year] if year else list(env.store.detailed_years)
    return await q.list_themes(session, year), await q.list_sources(session, years)


async def qy_chart(session, env, a):  # type: ignore[no-untyped-def]
    years, left_out = chart.years_to_chart(env.store.detailed_years, a.get("year"))
    per_year = {y: await q.list_themes(session, y) for y in years}
    return per_year, await q.list_sources(session, years), left_out


async def qy_ask(session, env, a):  # type: ignore[no-untyped-def]
    store = env.store
    return await ask(session, a["question"], store.actors, store.themes, store.years)


def _fake_interaction(env: Env) -> Any:
    """What the transformers read of an interaction: the client's store, the server (none: a direct message), extras."""
    return SimpleNamespace(client=SimpleNamespace(store=env.store), guild_id=None, extras={})


# -- sampling arguments from the store ---------------------------------------------------------


def _sample(rng: random.Random, items: list, n: int) -> list:
    if not items:
        return []
    return [rng.choice(items) for _ in range(n)]


def typed_prefixes(rng: random.Random, names: list[str], n: int) -> list[str]:
    """What people type into an option: prefixes, lower case, a typo, a word from the middle."""
    typed = []
    for _ in range(n):
        name = rng.choice(names)
        how = rng.random()
        if how < 0.45:
            typed.append(name[: rng.randint(1, min(8, len(name)))])
        elif how < 0.6:
            typed.append(name.lower()[: rng.randint(3, max(3, len(name)))])
        elif how < 0.75 and len(name) > 4:
            i = rng.randint(1, len(name) - 3)
            typed.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])  # two letters swapped
        elif how < 0.9:
            words = name.split()
            typed.append(rng.choice(words))
        else:
            typed.append("")
    return typed


def build_cases(env: Env, runs: int, seed: int = 7) -> list[Case]:
    """Every measured read command and autocomplete, with `runs` sampled argument sets each."""
    rng = random.Random(seed)
    conn = env.conn
    store = env.store
    years = list(store.years)
    detailed = list(store.detailed_years)
    themes_with_data = [r[0] for r in conn.execute(
        "SELECT slug FROM themes t WHERE EXISTS (SELECT 1 FROM positions p WHERE p.theme_id = t.id) "
        "OR EXISTS (SELECT 1 FROM unnamed_claims u WHERE u.theme_id = t.id) ORDER BY id")]
    theme_years = conn.execute(
        "SELECT DISTINCT t.slug, d.year FROM positions p JOIN themes t ON t.id = p.theme_id "
        "JOIN dialogues d ON d.id = p.dialogue_id ORDER BY 1, 2").fetchall()
    actors_with_records = [r[0] for r in conn.execute(
        "SELECT name FROM actors a WHERE EXISTS (SELECT 1 FROM positions p WHERE p.actor_id = a.id) "
        "OR EXISTS (SELECT 1 FROM statements s WHERE s.actor_id = a.id) "
        "OR EXISTS (SELECT 1 FROM roles r WHERE r.actor_id = a.id) ORDER BY id")]
    all_actors = [r[0] for r in conn.execute("SELECT name FROM actors ORDER BY id")]
    theme_names = [r[0] for r in conn.execute("SELECT name FROM themes ORDER BY id")]

    def ask_args(kind: str) -> list[dict[str, Any]]:
        return _ask_questions(env, rng, kind, runs, theme_years, years)

    cases = [
        Case("(reference) a session and SELECT 1", [{}] * runs, qy_select_one, lambda r, a, e: Reply(pages=[[]]),
             lambda r: r, lambda c, a: c.execute("SELECT 1").fetchone()[0], group="reference",
             note="what any query costs through the async session, against sqlite3"),
        Case("dialogue list", [{}] * runs, qy_dialogue_list,
             lambda r, a, e: embeds.dialogue_list(*r), p_dialogue_list,
             lambda c, a: floor.dialogue_list(c), lambda a: "/dialogue list"),
        Case("dialogue show year:", [{"year": y} for y in _sample(rng, years, runs)],
             lambda s, e, a: q.dialogue_detail(s, a["year"]), lambda r, a, e: embeds.dialogue_detail(r),
             p_dialogue_show, lambda c, a: floor.dialogue_show(c, a["year"]),
             lambda a: f"/dialogue show year:{a['year']}"),
        Case("theme list", [{}] * runs, qy_theme_list,
             lambda r, a, e: embeds.theme_list(r[0], None, r[1]), p_theme_list,
             lambda c, a: floor.theme_list(c, None, env.store.detailed_years), lambda a: "/theme list"),
        Case("theme list dialogue:", [{"year": y} for y in _sample(rng, detailed, runs)], qy_theme_list,
             lambda r, a, e: embeds.theme_list(r[0], a["year"], r[1]), p_theme_list,
             lambda c, a: floor.theme_list(c, a["year"], [a["year"]]), lambda a: f"/theme list dialogue:{a['year']}"),
        Case("theme states theme:", [{"slug": t} for t in _sample(rng, themes_with_data, runs)],
             lambda s, e, a: q.theme_states(s, a["slug"], None), lambda r, a, e: embeds.theme_states(r, None),
             p_theme_states, lambda c, a: floor.theme_states(c, a["slug"], None),
             lambda a: f"/theme states theme:{a['slug']}"),
        Case("theme states theme: dialogue:",
             [{"slug": t, "year": y} for t, y in _sample(rng, theme_years, runs)],
             lambda s, e, a: q.theme_states(s, a["slug"], a["year"]),
             lambda r, a, e: embeds.theme_states(r, a["year"]), p_theme_states,
             lambda c, a: floor.theme_states(c, a["slug"], a["year"]),
             lambda a: f"/theme states theme:{a['slug']} dialogue:{a['year']}"),
        Case("state profile state:", [{"name": n} for n in _sample(rng, actors_with_records, runs)],
             lambda s, e, a: q.actor_profile(s, a["name"]), lambda r, a, e: embeds.actor_profile(r),
             p_actor_profile, lambda c, a: floor.actor_profile(c, a["name"]),
             lambda a: f"/state profile state:{a['name']}"),
        Case("pillar explain pillar:", [{"pillar": p} for p in _sample(rng, [1, 2, 3], runs)],
             lambda s, e, a: q.pillar_explainer(s, a["pillar"]), lambda r, a, e: embeds.pillar(r),
             p_pillar, lambda c, a: floor.pillar(c, a["pillar"]), lambda a: f"/pillar explain pillar:{a['pillar']}"),
        Case("sources", [{}] * runs, lambda s, e, a: q.list_sources(s), lambda r, a, e: embeds.sources(r),
             p_sources, lambda c, a: floor.sources(c), lambda a: "/sources"),
        Case("help", [{}] * runs, None, lambda r, a, e: embeds.help_page(command_catalogue(e.tree)),
             None, None, lambda a: "/help", note="no query"),
    ]
    for kind, label in (("theme_count", "how many raised a theme in a year"), ("behalf", "who spoke for"),
                        ("actor_said", "what a state said in a year"), ("report", "the year's report"),
                        ("search", "free text: passage search")):
        args = ask_args(kind)
        if args:
            cases.append(Case(f"ask question: ({label})", args, qy_ask, lambda r, a, e: embeds.answer(r), p_answer,
                              lambda c, a: floor.ask(c, a["kind"], a["params"]),
                              lambda a: f"/ask question:{a['question']}"))
    cases.append(Case(
        "theme chart dialogue:", [{"year": y} for y in _sample(rng, detailed, max(3, runs // 10))], qy_chart,
        lambda r, a, e: chart.theme_chart(r[0], r[1], a["year"], left_out=r[2]), p_chart, None,
        lambda a: f"/theme chart dialogue:{a['year']}", group="chart", note="PNG via matplotlib; deferred first"))
    cases.append(Case(
        "theme chart", [{}] * max(3, runs // 10), qy_chart,
        lambda r, a, e: chart.theme_chart(r[0], r[1], None, left_out=r[2]), p_chart, None, lambda a: "/theme chart",
        group="chart", note="the most recent detailed years"))

    actor_t, theme_t, year_t, detailed_t = ActorTransformer(), ThemeTransformer(), YearTransformer(), YearTransformer(True)
    cases += [
        Case("autocomplete state:", [{"typed": t} for t in typed_prefixes(rng, all_actors, runs)],
             complete=lambda e, a: actor_t.autocomplete(_fake_interaction(e), a["typed"]), group="autocomplete"),
        Case("autocomplete theme:", [{"typed": t} for t in typed_prefixes(rng, theme_names, runs)],
             complete=lambda e, a: theme_t.autocomplete(_fake_interaction(e), a["typed"]), group="autocomplete"),
        Case("autocomplete year:", [{"typed": t} for t in _sample(rng, ["", "2", "20", "201", "202", "203", "2014"], runs)],
             complete=lambda e, a: year_t.autocomplete(_fake_interaction(e), a["typed"]), group="autocomplete"),
        Case("autocomplete dialogue: (detailed)", [{"typed": t} for t in _sample(rng, ["", "20", "201", "204"], runs)],
             complete=lambda e, a: detailed_t.autocomplete(_fake_interaction(e), a["typed"]), group="autocomplete"),
    ]
    return cases


def _ask_questions(env: Env, rng: random.Random, kind: str, runs: int,
                   theme_years: list[tuple[str, int]], years: list[int]) -> list[dict[str, Any]]:
    """Questions of one kind that the bot reads as meant, with the floor's parameters."""
    store, conn = env.store, env.conn
    candidates: list[tuple[str, dict[str, Any], Callable[[Any], bool]]] = []
    if kind == "theme_count":
        for slug, year in rng.sample(theme_years, min(len(theme_years), runs * 3)):
            entry = next(e for e in store.themes.entries if e.code == slug)
            candidates.append((f"How many states raised {entry.name} in {year}?", {"slug": slug, "year": year},
                               lambda u, e=entry, y=year: u.intent == "theme_count" and u.theme == e and u.year == y))
    elif kind == "behalf":
        names = [r[0] for r in conn.execute(
            "SELECT DISTINCT a.name FROM statement_behalf sb JOIN actors a ON a.id = sb.actor_id ORDER BY 1")]
        for name in rng.sample(names, min(len(names), runs * 3)):
            candidates.append((f"Who spoke for {name}?", {"name": name},
                               lambda u, n=name: u.intent == "behalf" and u.actor is not None and u.actor.name == n))
    elif kind == "actor_said":
        pairs = conn.execute(
            "SELECT DISTINCT a.name, d.year FROM statements s JOIN actors a ON a.id = s.actor_id "
            "JOIN dialogues d ON d.id = s.dialogue_id ORDER BY 1, 2").fetchall()
        for name, year in rng.sample(pairs, min(len(pairs), runs * 3)):
            candidates.append((f"What did {name} say in {year}?", {"name": name, "year": year},
                               lambda u, n=name, y=year: u.intent == "actor_said" and u.actor is not None
                               and u.actor.name == n and u.year == y))
    elif kind == "report":
        for year in [rng.choice(years) for _ in range(runs * 2)]:
            candidates.append((f"What was the {year} report called?", {"year": year},
                               lambda u, y=year: u.intent == "report" and u.year == y))
    elif kind == "search":
        words = sorted({w for (t,) in conn.execute("SELECT text FROM passages ORDER BY id LIMIT 400")
                        for w in re.findall(r"\b[a-z]{6,}\b", t)})
        for _ in range(runs * 4):
            pair = rng.sample(words, 2)
            question = f"Anything on {pair[0]} or {pair[1]}?"
            match = fts_match(fts_terms(passage_query(question)))
            if not match:
                continue
            candidates.append((question, {"match": match}, lambda u: u.intent == "search"))
    chosen = []
    for question, params, meant in candidates:
        if meant(understand(question, store.actors, store.themes, store.years)):
            chosen.append({"question": question, "kind": kind, "params": params})
        if len(chosen) >= runs:
            break
    return chosen
