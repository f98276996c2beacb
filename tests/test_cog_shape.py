"""The cogs' shape: they take the typed bot, and they read and write only through the store's methods.

A cog parses options, calls `store.read`/`store.write` (or a facade of db/) and hands the
result to a renderer; sessions and transactions are the store's business (`db/store.py`).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION_ATTRIBUTES = {"reading", "writing", "sessions", "reads"}  # how a session is opened on the store


def _cog_modules() -> list[Path]:
    return sorted((ROOT / "cogs").rglob("*.py"))


def _is_store(node: ast.expr) -> bool:
    """`store`, `self.store`, `self.bot.store`, `store_of(interaction)`."""
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "store_of"
    return (isinstance(node, ast.Name) and node.id == "store") or (isinstance(node, ast.Attribute) and node.attr == "store")


def test_cogs_and_the_rest_of_the_bot_open_no_sessions():
    """Nor does `bot/` (briefing posts, the scheduler, the console): what is read together is one `store.read`."""
    found = []
    for path in [*_cog_modules(), *sorted((ROOT / "bot").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in SESSION_ATTRIBUTES and _is_store(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert not found, found


def test_cogs_take_the_typed_bot():
    """`BriefingBot` and `Interaction` (bot/client.py), not `commands.Bot` and casts or getattr on the client."""
    found = []
    for path in _cog_modules():
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr == "Bot":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} commands.Bot")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "cast"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.id}()")
        if "type: ignore" in source:
            found.append(f"{path.relative_to(ROOT)}: type: ignore")
    assert not found, found
