"""Faults of the store's file (damaged, read-only, full disk, …) in words an operator and a user can act on.

SQLite names its errors (`sqlite3.Error.sqlite_errorname`, e.g. SQLITE_READONLY);
SQLAlchemy wraps them, keeping the original as `.orig`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


class StoreUnavailable(RuntimeError):
    """The bot cannot start on this store. The message is one line: what is wrong and what to do."""


@dataclass(frozen=True)
class StorageFault:
    code: str  # SQLite's error name without the SQLITE_ prefix and extended part: READONLY, FULL, …
    problem: str  # for the operator: what is wrong with the file
    remedy: str  # for the operator: what to do
    user_title: str = "Cannot save changes"
    user_text: str = ""  # for a person whose command hit the fault; empty: an unexpected error

    def line(self, path: str) -> str:
        return f"{self.problem.format(path=path)} {self.remedy.format(path=path)}"


RESTORE = "Restore a backup with `./manage.sh restore` (the newest) or `./manage.sh restore FILE`."
_FAULTS = {
    "NOTADB": StorageFault("NOTADB", "{path} is not a SQLite database (or it is damaged).",
                           f"{RESTORE} Or point DATABASE_URL at the right file."),
    "CORRUPT": StorageFault("CORRUPT", "{path} is damaged.", RESTORE,
                            "The database is damaged",
                            "The bot's database is damaged, so nothing can be saved. Tell the bot's operator."),
    "READONLY": StorageFault("READONLY", "{path} is read-only.",
                             "Make the file, and the folder it is in, writable for the bot.",
                             user_text="The bot's database is read-only at the moment, so no change can be saved; "
                                       "nothing was changed. Reading works as usual. Tell the bot's operator."),
    "FULL": StorageFault("FULL", "The disk holding {path} is full.",
                         "Free some space, then start the bot again; nothing was lost.",
                         user_text="The bot's server is out of disk space, so no change can be saved; nothing was "
                                   "changed. Tell the bot's operator."),
    "IOERR": StorageFault("IOERR", "Reading or writing {path} failed (disk I/O error).",
                          "Check that the disk has free space and is healthy, then start the bot again.",
                          user_text="The bot could not write to its database (a disk problem), so nothing was "
                                    "changed. Tell the bot's operator."),
    "CANTOPEN": StorageFault("CANTOPEN", "Cannot open or create {path}.",
                             "Check that its folder exists and that the bot may write to it."),
}


def sqlite_error(error: BaseException | None) -> sqlite3.Error | None:
    """The SQLite error behind `error` (through SQLAlchemy's wrapper and exception chains), if any."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, sqlite3.Error):
            return error
        orig = getattr(error, "orig", None)
        error = orig if isinstance(orig, BaseException) else (error.__cause__ or error.__context__)
        seen += 1
    return None


def fault_of(error: BaseException) -> StorageFault | None:
    """The storage fault `error` comes from, or None when it is something else (a bug, a lock, …)."""
    found = sqlite_error(error)
    name = getattr(found, "sqlite_errorname", "") or ""
    code = name.removeprefix("SQLITE_").split("_")[0]
    return _FAULTS.get(code)
