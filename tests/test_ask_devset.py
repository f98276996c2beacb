"""/ask's development set (tests/ask/devset.yaml): every question read as its family, every fact right.

Prints the accuracy per family; any failing case fails the test.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.render import ask as render
from db.ask import ask
from db.ask.words import stems, vocabulary
from db.yaml_text import load_yaml

DEVSET = Path(__file__).parent / "ask" / "devset.yaml"


def load_devset() -> list[tuple[str, str, list[str], list[str]]]:
    return [tuple(row) for row in load_yaml(DEVSET.read_text(encoding="utf-8"))]  # type: ignore[misc]


def reply_text(reply) -> str:  # type: ignore[no-untyped-def]
    """What a person reads: titles, descriptions and fields of every page (not the footer)."""
    out = []
    for page in reply.pages:
        for embed in page:
            data = embed.to_dict()
            out += [data.get("title", ""), data.get("description", "")]
            for f in data.get("fields", []):
                out += [f["name"], f["value"]]
    return "\n".join(out).replace("\\", "")


def test_devset_is_broad():
    cases = load_devset()
    assert len(cases) >= 400
    families = Counter(family for family, *_ in cases)
    assert all(n >= 3 for n in families.values()), families
    assert len({q for _, q, _, _ in cases}) == len(cases), "each question once"


async def test_devset(store):
    cases = load_devset()
    results: dict[str, list[bool]] = {}
    failures = []
    without_name_words = with_theme = 0
    stop = vocabulary().stopwords
    for family, question, must, must_not in cases:
        async with store.sessions() as session:
            answer = await ask(session, question, store.actors, store.themes, store.years)
        text = reply_text(render.answer(answer))
        problems = []
        got = answer.reading.family if answer.found else "search"
        if got != family:
            problems.append(f"read as {got} ({render.read_as(answer.reading)}), not {family}")
        problems += [f"missing {m!r}" for m in must if m not in text]
        problems += [f"has {m!r}" for m in must_not if m in text]
        if family != "search" and not answer.found:
            problems.append("no answer")
        if answer.found and not answer.evidence:
            problems.append("no evidence")
        results.setdefault(family, []).append(not problems)
        if problems:
            failures.append(f"{question!r}: {'; '.join(problems)}")
        if answer.reading.theme is not None:
            with_theme += 1
            name = set(stems(answer.reading.theme.name)) - stop
            without_name_words += not (name & set(stems(question)))
    lines = [f"{f:16} {sum(ok)}/{len(ok)} ({100 * sum(ok) / len(ok):.0f}%)" for f, ok in results.items()]
    total = sum(sum(ok) for ok in results.values())
    print("\n/ask development set, accuracy per family:\n" + "\n".join(lines) + f"\nall {total}/{len(cases)}")
    without_any = without_name_words + len(cases) - with_theme
    print(f"questions without the words of their theme's name: {without_any}/{len(cases)} "
          f"(of those about a theme: {without_name_words}/{with_theme})")
    assert without_any * 2 >= len(cases)
    assert without_name_words * 2 >= with_theme, "at least half the questions about a theme avoid its name's words"
    assert not failures, f"{len(failures)} of {len(cases)} failed:\n" + "\n".join(failures)
