"""Where people's text enters the bot: every command option and form value is cleaned once, on arrival."""

from __future__ import annotations

from typing import Any

from db.text import clean_text


def clean_options(data: Any) -> None:
    """Cleans the string values of a command's options (and its subcommands' options) in place."""
    if not isinstance(data, dict):
        return
    for option in data.get("options") or ():
        if isinstance(option.get("value"), str):
            option["value"] = clean_text(option["value"])
        clean_options(option)


def clean_form(values: dict[str, str]) -> dict[str, str]:
    """A submitted form's values, cleaned and trimmed."""
    return {name: clean_text(value).strip() for name, value in values.items()}
