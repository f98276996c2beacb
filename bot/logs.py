"""Logging for every command of `python -m bot`, set up in one place through `discord.utils.setup_logging`.

`LOG_FORMAT=text` (the default) writes one readable line per record; `LOG_FORMAT=json`
writes one JSON object per line (timestamp, level, logger, message, and the exception's
traceback when there is one), which container log collectors read as they are.
Nothing logged at INFO holds what people typed; aiosqlite's per-statement DEBUG log
(which shows bound values) stays off unless `LOG_SQL_PARAMETERS` asks for it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


HANDLER_NAME = "rtop-bot"  # the handler `setup` installs; a second `setup` replaces it rather than adding another


def setup(settings: Settings, *, quiet: bool = False) -> None:
    """Logs to stderr at LOG_LEVEL (WARNING when `quiet`, for the console and `migrate`) in LOG_FORMAT."""
    level = logging.WARNING if quiet else getattr(logging, settings.log_level.upper(), logging.INFO)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.set_name(HANDLER_NAME)
    formatter = JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)
    discord.utils.setup_logging(handler=handler, formatter=formatter, level=level, root=True)
    logging.getLogger("discord").setLevel(max(level, logging.INFO))
    # aiosqlite logs every statement with its values at DEBUG: only when asked for explicitly
    logging.getLogger("aiosqlite").setLevel(logging.NOTSET if settings.log_sql_parameters else max(level, logging.INFO))
