"""Query results kept until the knowledge in the database changes.

Migration 0004 keeps a `knowledge_generation` value in `store_meta` that
triggers replace with a new random value whenever a row of a knowledge table
(meetings, actors, themes, positions, statements, sources, passages …) is
inserted, updated or deleted — by this process or any other, through the ORM or
by hand. A cached result is reused only while the generation read in the
caller's own transaction is the one it was computed under, so it is never
staler than a fresh query would be: a second bot on the same file, an admin
change, a re-seed or an uncommitted change in the same transaction all start a
new generation. A rolled-back change leaves a generation nobody sees again.

The cache is per database engine and bounded by the total size of what it
holds (rows in the results); see `_Cache` for what is evicted first.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import Counter
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Hashable

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import StoreMeta

GENERATION_KEY = "knowledge_generation"
STATS: Counter[tuple[str, bool]] = Counter()  # (kind of result, found in the cache) -> lookups, for benchmarks
BUDGET = 250_000  # rows (positions, statements …) held in cached results: about 150 bytes each


class _Cache:
    """Results of one generation, bounded by rows held.

    Eviction is greedy-dual-size: what took longest to compute per row it holds
    stays longest, aged by recency, so one large, quickly recomputed profile does
    not push out the small counts that took a scan of every position.
    """

    def __init__(self, generation: str) -> None:
        self.generation = generation
        self.entries: dict[Hashable, list] = {}  # key -> [value, size, seconds per row, priority]
        self.size = 0
        self.floor = 0.0  # the priority last evicted: everything still held ages relative to it
        self.pending: dict[Hashable, asyncio.Future] = {}  # results being computed

    def get(self, key: Hashable) -> tuple[bool, Any]:
        entry = self.entries.get(key)
        if entry is None:
            return False, None
        entry[3] = self.floor + entry[2]
        return True, entry[0]

    def put(self, key: Hashable, value: Any, size: int, seconds: float) -> None:
        if size > BUDGET:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        per_row = seconds / size
        self.entries[key] = [value, size, per_row, self.floor + per_row]
        self.size += size
        while self.size > BUDGET:
            victim = min(self.entries, key=lambda k: self.entries[k][3])
            dropped = self.entries.pop(victim)
            self.size -= dropped[1]
            self.floor = dropped[3]


_caches: "weakref.WeakKeyDictionary[Any, _Cache]" = weakref.WeakKeyDictionary()


def clear() -> None:
    """Forgets every cached result (benchmarks measure the uncached path with it)."""
    _caches.clear()


_GENERATION_SQL = f"SELECT value FROM {StoreMeta.__tablename__} WHERE key = ?"


async def generation(session: AsyncSession) -> str | None:
    """The knowledge generation, read in the session's transaction (plain SQL: this runs before every cached read)."""
    connection = await session.connection()
    return (await connection.exec_driver_sql(_GENERATION_SQL, (GENERATION_KEY,))).scalar()


async def cached(
    session: AsyncSession,
    key: Hashable,
    compute: Callable[[], Awaitable[Any]],
    size: Callable[[Any], int] = lambda _: 1,
) -> Any:
    """`compute()`'s result for `key`, reused while the database's knowledge is unchanged.

    Cache only immutable results (tuples of frozen dataclasses): every caller shares them.
    `size` weighs a result against the budget (about one per row it holds).
    """
    known = _reading.get()
    current = known[1] if known is not None and known[0] is session else await generation(session)
    if current is None:  # a database without the generation (not migrated to 0004): no caching
        return await compute()
    engine = session.get_bind()
    cache = _caches.get(engine)
    if cache is None or cache.generation != current:
        cache = _caches[engine] = _Cache(current)
    found, value = cache.get(key)
    STATS[(str(key[0] if isinstance(key, tuple) else key), found)] += 1
    if found:
        return value
    loop = asyncio.get_running_loop()
    pending = cache.pending.get(key)
    # someone is computing this very result: wait for theirs (not from inside a computation, which holds a turn)
    if pending is not None and known is None and pending.get_loop() is loop:
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not pending.cancelled() or (task is not None and task.cancelling()):
                raise
        except Exception:  # noqa: BLE001 - theirs failed: compute it here, and fail here if it fails again
            pass
    pending = cache.pending[key] = loop.create_future()
    # cached reads inside `compute` run in the same transaction: they need not read the generation again
    token = _reading.set((session, current))
    try:
        if known is None:  # the outermost computation takes a turn; nested ones run inside it
            async with _turns(loop):
                started = time.perf_counter()
                value = await compute()
        else:
            started = time.perf_counter()
            value = await compute()
        seconds = time.perf_counter() - started
    except asyncio.CancelledError:
        pending.cancel()
        raise
    except BaseException as error:
        pending.set_exception(error)
        pending.exception()  # retrieved: nobody need be waiting
        raise
    finally:
        _reading.reset(token)
        if cache.pending.get(key) is pending:
            del cache.pending[key]
    if _caches.get(engine) is cache:  # unless another generation began meanwhile
        cache.put(key, value, max(1, size(value)), seconds)
    pending.set_result(value)
    return value


# Computations that miss the cache take turns, a few at a time: they share one interpreter and
# gain nothing from interleaving, while each holds its rows in memory until it is done.
MAX_COMPUTING = 4
_semaphores: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = weakref.WeakKeyDictionary()


def _turns(loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
    semaphore = _semaphores.get(loop)
    if semaphore is None:
        semaphore = _semaphores[loop] = asyncio.Semaphore(MAX_COMPUTING)
    return semaphore


_reading: ContextVar[tuple[AsyncSession, str] | None] = ContextVar("knowledge_generation_read", default=None)
