"""Discord's rules for what a bot may send, checked the way Discord checks them.

Each checker returns Discord-shaped form errors: a nested dict of
`{"_errors": [{"code": ..., "message": ...}]}` keyed by the path of the
offending field, empty when the payload is acceptable.
"""

from __future__ import annotations

import re
from typing import Any

NAME = re.compile(r"^[-_\w]{1,32}$", re.UNICODE)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # bytes per file in a server without boosts (`attachment_size_limit`)
MAX_ATTACHMENTS = 10  # files per message

Errors = dict[str, Any]


def _error(errors: Errors, path: list[str | int], code: str, message: str) -> None:
    node = errors
    for part in path:
        node = node.setdefault(str(part), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def _length(errors: Errors, path: list[str | int], value: Any, low: int, high: int) -> None:
    size = len(value or "")
    if not low <= size <= high:
        _error(errors, path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


# -- application commands -------------------------------------------------------------


def _command_chars(command: dict[str, Any]) -> int:
    total = len(command.get("name", "")) + len(command.get("description", ""))
    for choice in command.get("choices") or []:
        total += len(choice.get("name", "")) + len(str(choice.get("value", "")))
    for option in command.get("options") or []:
        total += _command_chars(option)
    return total


def _check_options(errors: Errors, path: list[str | int], options: list[dict[str, Any]], depth: int) -> None:
    if len(options) > 25:
        _error(errors, path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names = set()
    for i, option in enumerate(options):
        here = [*path, i]
        name = option.get("name", "")
        if not NAME.match(name) or name != name.lower():
            _error(errors, [*here, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if name in names:
            _error(errors, [*here, "name"], "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Duplicate name")
        names.add(name)
        _length(errors, [*here, "description"], option.get("description"), 1, 100)
        choices = option.get("choices") or []
        if len(choices) > 25:
            _error(errors, [*here, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, choice in enumerate(choices):
            _length(errors, [*here, "choices", j, "name"], choice.get("name"), 1, 100)
        if option.get("autocomplete") and choices:
            _error(errors, [*here, "autocomplete"], "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                   "Autocomplete cannot be set with choices")
        if option.get("type") in (1, 2):
            if depth >= 2 or (option["type"] == 2 and depth >= 1):
                _error(errors, here, "APPLICATION_COMMAND_TOO_DEEP", "Subcommands nested too deeply")
            _check_options(errors, [*here, "options"], option.get("options") or [], depth + 1)
    required_seen_optional = False
    for i, option in enumerate(options):
        if option.get("type") in (1, 2):
            continue
        if not option.get("required"):
            required_seen_optional = True
        elif required_seen_optional:
            _error(errors, [*path, i, "required"], "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                   "Required options must be placed before non-required options")


def check_commands(commands: list[dict[str, Any]]) -> Errors:
    errors: Errors = {}
    if len(commands) > 100:
        _error(errors, [], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    for i, command in enumerate(commands):
        name = command.get("name", "")
        if not NAME.match(name) or name != name.lower():
            _error(errors, [i, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if command.get("type", 1) == 1:
            _length(errors, [i, "description"], command.get("description"), 1, 100)
        _check_options(errors, [i, "options"], command.get("options") or [], 0)
        if _command_chars(command) > 8000:
            _error(errors, [i], "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)")
    return errors


# -- messages ------------------------------------------------------------------------


def _embed_size(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    return total


def check_message(body: dict[str, Any], *, modal: bool = False) -> Errors:
    """A message create/edit body, or an interaction response's `data`."""
    errors: Errors = {}
    if "content" in body and body["content"] is not None and len(body["content"]) > 2000:
        _error(errors, ["content"], "BASE_TYPE_BAD_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        _error(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        here: list[str | int] = ["embeds", i]
        if embed.get("title") is not None and len(embed["title"]) > 256:
            _error(errors, [*here, "title"], "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")
        if embed.get("description") is not None and len(embed["description"]) > 4096:
            _error(errors, [*here, "description"], "BASE_TYPE_MAX_LENGTH", "Must be 4096 or fewer in length.")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            _error(errors, [*here, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, field in enumerate(fields):
            _length(errors, [*here, "fields", j, "name"], field.get("name"), 1, 256)
            _length(errors, [*here, "fields", j, "value"], field.get("value"), 1, 1024)
        footer = (embed.get("footer") or {}).get("text")
        if footer is not None and len(footer) > 2048:
            _error(errors, [*here, "footer", "text"], "BASE_TYPE_MAX_LENGTH", "Must be 2048 or fewer in length.")
        author = (embed.get("author") or {}).get("name")
        if author is not None and len(author) > 256:
            _error(errors, [*here, "author", "name"], "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")
        total += _embed_size(embed)
    if total > 6000:
        _error(errors, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    _check_components(errors, body.get("components") or [], modal=modal)
    if modal:
        _length(errors, ["title"], body.get("title"), 1, 45)
        _length(errors, ["custom_id"], body.get("custom_id"), 1, 100)
    return errors


def _check_components(errors: Errors, rows: list[dict[str, Any]], *, modal: bool) -> None:
    if len(rows) > 5:
        _error(errors, ["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    for i, row in enumerate(rows):
        inner = row.get("components") or ([row["component"]] if "component" in row else [])
        if len(inner) > 5:
            _error(errors, ["components", i, "components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for j, component in enumerate(inner):
            here: list[str | int] = ["components", i, "components", j]
            if component.get("custom_id") is not None:
                _length(errors, [*here, "custom_id"], component["custom_id"], 1, 100)
            if component.get("type") == 2 and component.get("label") is not None:
                _length(errors, [*here, "label"], component["label"], 0, 80)
            if component.get("type") == 4:
                label = component.get("label") or row.get("label")
                _length(errors, [*here, "label"], label, 1, 45)
                if component.get("max_length", 4000) > 4000:
                    _error(errors, [*here, "max_length"], "NUMBER_TYPE_MAX", "int value should be <= 4000.")
                if component.get("value") is not None and len(component["value"]) > 4000:
                    _error(errors, [*here, "value"], "BASE_TYPE_MAX_LENGTH", "Must be 4000 or fewer in length.")


def check_files(files: dict[str, bytes], size_limit: int = ATTACHMENT_SIZE_LIMIT) -> tuple[int, dict[str, Any]] | None:
    """(status, error body) when Discord would refuse the files of a message, else None.

    A file over the size limit fails the whole request with 413, before the form is read;
    more than ten files is a form error.
    """
    if any(len(data) > size_limit for data in files.values()):
        return 413, {"code": 40005, "message": "Request entity too large"}
    if len(files) > MAX_ATTACHMENTS:
        errors: Errors = {}
        _error(errors, ["files"], "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_ATTACHMENTS} or fewer in length.")
        return 400, {"code": 50035, "message": "Invalid Form Body", "errors": errors}
    return None


def check_choices(choices: list[dict[str, Any]]) -> Errors:
    errors: Errors = {}
    if len(choices) > 25:
        _error(errors, ["choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, choice in enumerate(choices):
        _length(errors, ["choices", i, "name"], choice.get("name"), 1, 100)
        if isinstance(choice.get("value"), str):
            _length(errors, ["choices", i, "value"], choice["value"], 1, 100)
    return errors


def mentions_allowed(body: dict[str, Any]) -> bool:
    """Whether the message could ping anyone: no `allowed_mentions` means Discord parses them all."""
    allowed = body.get("allowed_mentions")
    if allowed is None:
        text = (body.get("content") or "")
        return bool(re.search(r"@everyone|@here|<@[!&]?\d+>", text))
    return bool(allowed.get("parse") or allowed.get("users") or allowed.get("roles") or allowed.get("replied_user"))
