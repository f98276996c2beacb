"""Backups of a SQLite store, with SQLite's online backup (consistent while the bot runs).

They live in `backups/` next to the store, named `<store>-<UTC time>-<reason>.sqlite3`;
the newest `keep` are kept. The bot takes one before every migration and every
re-seed, and one a day; `./manage.sh backup` takes one now and `./manage.sh restore
[FILE]` puts one back.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from db.storage import StoreUnavailable

log = logging.getLogger(__name__)

DEFAULT_KEEP = 10
DAILY = timedelta(days=1)
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"-(\d{8}T\d{12}Z)-([a-z-]+)\.sqlite3$")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or another kind of database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    name = parsed.database
    if name.startswith("file:"):  # a URI filename (…?uri=true): the path, without its query
        name = name.removeprefix("file:").split("?")[0]
    return Path(name).expanduser()


def folder(store: Path) -> Path:
    return store.parent / "backups"


def taken_at(backup: Path) -> datetime | None:
    match = _NAME.search(backup.name)
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC) if match else None


def list_backups(store: Path) -> list[Path]:
    """This store's backups, the newest first."""
    where = folder(store)
    if not where.is_dir():
        return []
    found = {p: when for p in where.glob(f"{store.stem}-*.sqlite3") if (when := taken_at(p)) is not None}
    return sorted(found, key=found.__getitem__, reverse=True)


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def take(store: Path, reason: str, *, keep: int = DEFAULT_KEEP, now: datetime | None = None) -> Path:
    """Backs the store up now; removes the oldest beyond `keep`. Returns the backup's path."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    where = folder(store)
    where.mkdir(parents=True, exist_ok=True)
    target = where / f"{store.stem}-{moment.strftime(_STAMP)}-{reason}.sqlite3"
    partial = target.with_name(target.name + ".partial")  # never mistaken for a backup until complete
    try:
        _copy(store, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    for old in list_backups(store)[max(keep, 1):]:
        old.unlink(missing_ok=True)
    log.info("Backed up %s to %s (%s)", store, target, reason)
    return target


def take_if_due(store: Path, *, keep: int = DEFAULT_KEEP, every: timedelta = DAILY) -> Path | None:
    """The daily backup: taken when the newest backup is older than `every` (or there is none)."""
    newest = next(iter(list_backups(store)), None)
    taken = taken_at(newest) if newest is not None else None
    if taken is not None and datetime.now(UTC) - taken < every:
        return None
    return take(store, "daily", keep=keep)


def check(path: Path) -> str | None:
    """None when `path` is a sound SQLite database; otherwise what is wrong with it."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.Error as error:
        return str(error)
    problems = [r[0] for r in rows if r[0] != "ok"]
    return "; ".join(p.replace("\n", " ") for p in problems)[:300] or None


def find(store: Path, name: str | None) -> Path:
    """The backup to restore: the newest, a path, or a file name in the backups folder."""
    if not name:
        newest = next(iter(list_backups(store)), None)
        if newest is None:
            raise StoreUnavailable(f"There are no backups of {store} in {folder(store)}.")
        return newest
    for candidate in (Path(name).expanduser(), folder(store) / name):
        if candidate.is_file():
            return candidate
    raise StoreUnavailable(f"No backup {name}: give a file from {folder(store)} (`./manage.sh backup --list`).")


def restore(store: Path, backup: Path, *, keep: int = DEFAULT_KEEP) -> Path | None:
    """Replaces the store with `backup`; the store as it was is kept first (as a backup, or moved aside when it
    is damaged). Returns where the old store went. Stop the bot first: it keeps the old records in memory."""
    problem = check(backup)
    if problem:
        raise StoreUnavailable(f"{backup} is not a sound backup ({problem}); pick another with `./manage.sh restore FILE`.")
    kept: Path | None = None
    if store.exists():
        if check(store) is None:
            kept = take(store, "before-restore", keep=keep + 1)  # the backup restored from is not pruned
        else:
            kept = store.with_name(f"{store.name}.damaged-{datetime.now(UTC).strftime(_STAMP)}")
            store.replace(kept)
            for suffix in ("-wal", "-shm"):
                side = store.with_name(store.name + suffix)
                if side.exists():
                    side.replace(kept.with_name(kept.name + suffix))
    store.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup, store)
    log.info("Restored %s from %s", store, backup)
    return kept
