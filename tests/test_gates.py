"""The type gate's escape hatch stays small: few `type: ignore`s, each with its code and its reason."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_IGNORES = 10
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<code>\[[a-z, -]+\])?(?P<rest>.*)$")


def test_type_ignores_are_few_and_each_says_why():
    found = []
    for folder in ("bot", "cogs", "db"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                match = IGNORE.search(line)
                if match:
                    found.append((f"{path.relative_to(ROOT)}:{number}", match["code"], match["rest"].strip()))
    assert len(found) <= MAX_IGNORES, found
    for where, code, reason in found:
        assert code, f"{where}: name the error code, e.g. type: ignore[override]"
        assert reason.startswith("#") and len(reason) > 10, f"{where}: say why after the ignore (# …)"
