"""README.md, "Asking in plain words (/ask)": every console example is what the console prints.

A README line ending in "…" is the start of the printed line (the rest cut); a line that is only "…"
stands for printed lines left out; the page headings and "(only you can see this)" are left out too.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.console import format_outcome

README = Path(__file__).parent.parent / "README.md"
_LEFT_OUT = re.compile(r"^--- (?:page|message) \d+ of \d+.*---$|^\(only you can see this\)$")


def readme_examples() -> list[tuple[str, list[str]]]:
    section = README.read_text(encoding="utf-8").split("## Asking in plain words (/ask)", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    examples = []
    for chunk in block.strip().split("\n\n"):
        first, *expected = chunk.splitlines()
        assert first.startswith("> /ask question:"), first
        examples.append((first[2:], expected))
    return examples


def fits(want: str, line: str) -> bool:
    return line.startswith(want[:-1]) if want.endswith("…") else line == want


def mismatch(expected: list[str], printed: list[str]) -> str | None:
    """Where the printed lines stop matching the README's, or None."""
    lines = [re.sub(r"^-- Page \d+/\d+ · ", "-- ", x) for x in printed if x.strip() and not _LEFT_OUT.match(x)]
    at, skipping = 0, False
    for want in expected:
        if want == "…":
            skipping = True
            continue
        while skipping and at < len(lines) and not fits(want, lines[at]):
            at += 1
        if at >= len(lines) or not fits(want, lines[at]):
            return f"expected {want!r}, printed {lines[at] if at < len(lines) else 'nothing more'!r}"
        at, skipping = at + 1, False
    return None


def test_the_readme_shows_every_family():
    questions = [q for q, _ in readme_examples()]
    assert len(questions) >= 20 and len(set(questions)) == len(questions)


async def test_readme_ask_examples_are_what_the_console_prints(console):
    problems = []
    for command, expected in readme_examples():
        printed = format_outcome(await console.run(command)).splitlines()
        problem = mismatch(expected, printed)
        if problem:
            problems.append(f"{command}: {problem}")
    assert not problems, "\n".join(problems)
