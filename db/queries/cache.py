"""The store's performance machinery: query results kept until the knowledge a server reads changes, and equal
texts kept once (`shared`). Each stays because it was measured to pay at a realistic scale
(`python -m benchmarks.ablation`, benchmarks/results.md); the renderers' is in bot/render/memo.py.

Migrations 0004 and 0006 keep a generation per knowledge layer in `store_meta`
(`knowledge_generation:<layer>`, 0 for the shared base) that triggers replace
with a new random value whenever a row of that layer (meetings, actors, themes,
positions, statements, sources, passages, hidden records …) is inserted, updated
or deleted — by this process or any other, through the ORM or by hand. A result
is cached per layer read (`db.layers`) and reused only while the base's and that
layer's generations read in the caller's own transaction are the ones it was
computed under, so it is never staler than a fresh query would be: a second bot
on the same file, an admin change, a re-seed or an uncommitted change in the
same transaction all start a new generation. A change in one server's layer
leaves every other layer's results in place; a server with no layer of its own
shares the base's. A rolled-back change leaves a generation nobody sees again.

The cache is per database engine and bounded by the total size of what it
holds (rows in the results), over every layer; see `_Cache` for what is evicted first.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import Counter
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Hashable, Optional, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from db.layers import layer_in
from db.models import BASE_LAYER, StoreMeta

GENERATION_KEY = "knowledge_generation"
STATS: Counter[tuple[str, bool]] = Counter()  # (kind of result, found in the cache) -> lookups, for benchmarks
T = TypeVar("T")
BUDGET = 250_000  # rows (positions, statements …) held in cached results: about 150 bytes each


def generation_key(layer: int) -> str:
    return f"{GENERATION_KEY}:{layer}"


class _Cache:
    """Results of one base generation, per layer, bounded by rows held over all of them.

    Eviction is greedy-dual-size: what took longest to compute per row it holds
    stays longest, aged by recency, so one large, quickly recomputed profile does
    not push out the small counts that took a scan of every position.
    """

    def __init__(self, generation: str) -> None:
        self.generation = generation  # the base's
        self.layers: dict[int, str] = {}  # a server layer -> the generation its entries were computed under
        self.entries: dict[Hashable, list[Any]] = {}  # (layer, key) -> [value, size, seconds per row, priority]
        self.size = 0
        self.floor = 0.0  # the priority last evicted: everything still held ages relative to it
        self.pending: dict[Hashable, asyncio.Future[Any]] = {}  # results being computed

    def enter(self, layer: int, generation: str) -> None:
        """Forgets a server layer's results when its generation is no longer the one they were computed under."""
        if layer == BASE_LAYER or self.layers.get(layer) == generation:
            return
        if layer in self.layers:
            for key in [k for k in self.entries if isinstance(k, tuple) and k[0] == layer]:  # keys are (layer, key)
                self.size -= self.entries.pop(key)[1]
        self.layers[layer] = generation

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


def _generations_sql(layer: int, dialect: str) -> str:
    # the keys hold only digits, so they are written into the SQL
    base, own = generation_key(BASE_LAYER), generation_key(int(layer))
    if dialect != "postgresql":
        return f"SELECT key, value, NULL AS pending FROM {StoreMeta.__tablename__} WHERE key IN ('{base}', '{own}')"
    # PostgreSQL bumps a generation as the transaction that changed it commits (migration 0007): until then a
    # transaction that changed a layer knows it by the setting its row triggers left (`rtop.pending_<layer>`)
    return (
        "SELECT k.key, m.value, current_setting('rtop.pending_' || k.layer, true) AS pending "
        f"FROM (VALUES ('{base}', '{BASE_LAYER}'), ('{own}', '{int(layer)}')) AS k (key, layer) "
        f"LEFT JOIN {StoreMeta.__tablename__} AS m ON m.key = k.key"
    )


async def generations(session: AsyncSession, layer: int) -> tuple[int, str | None, str | None]:
    """(layer to cache under, base generation, that layer's), read in the session's transaction.

    Plain SQL: this runs before every cached read. A layer without a generation
    has never held a record: it reads exactly the base, and shares its results.
    """
    connection = await session.connection()
    rows = (await connection.exec_driver_sql(_generations_sql(layer, connection.dialect.name))).all()
    found: dict[str, str] = {}
    for row in rows:
        if row.pending:  # changed by this transaction, not committed: answers here are this transaction's alone
            found[row.key] = f"{row.value or ''}:pending:{row.pending}"
        elif row.value is not None:
            found[row.key] = row.value
    base, own = found.get(generation_key(BASE_LAYER)), found.get(generation_key(layer))
    if layer == BASE_LAYER or own is None:
        return BASE_LAYER, base, base
    return layer, base, own


async def cached(
    session: AsyncSession,
    key: Hashable,
    compute: Callable[[], Awaitable[T]],
    size: Callable[[Any], int] = lambda _: 1,  # of a T (Any: `len` fits any sized T)
) -> T:
    """`compute()`'s result for `key`, reused while the database's knowledge is unchanged.

    Cache only immutable results (tuples of frozen dataclasses): every caller shares them.
    `size` weighs a result against the budget (about one per row it holds).
    """
    known = _reading.get()
    if known is not None and known[0] is session:
        current = known[1]
    else:
        current = await generations(session, layer_in(session) or BASE_LAYER)
    layer, base, own = current
    if base is None or own is None:  # a database without generations (not migrated): no caching
        return await compute()
    bind = session.get_bind()
    engine = bind.pool if isinstance(bind, Engine) else bind  # one cache per pool (see read_session_factory)
    cache = _caches.get(engine)
    if cache is None or cache.generation != base:
        cache = _caches[engine] = _Cache(base)
    cache.enter(layer, own)
    key = (layer, key)
    found, value = cache.get(key)
    name = key[1]
    STATS[(str(name[0] if isinstance(name, tuple) else name), found)] += 1
    if found:
        return cast(T, value)
    loop = asyncio.get_running_loop()
    pending = cache.pending.get(key)
    # someone is computing this very result: wait for theirs (not from inside a computation, which holds a turn)
    if pending is not None and known is None and pending.get_loop() is loop:
        try:
            return cast(T, await asyncio.shield(pending))
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
    if _caches.get(engine) is cache and cache.layers.get(layer, own) == own:  # unless another generation began meanwhile
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


_reading: ContextVar[tuple[AsyncSession, tuple[int, str | None, str | None]] | None] = ContextVar("knowledge_generation_read", default=None)


# -- equal texts kept once --------------------------------------------------------------------
#
# Cached results hold many equal strings: stances, the summary and the excerpt that
# actors named together share, the same excerpt in a profile and in a theme's list.
# Each row read from SQLite brings its own copy; `shared` hands out one. Bounded:
# past MAX_SHARED_TEXTS distinct texts it starts afresh (equal copies are then only
# kept twice, never wrong).

MAX_SHARED_TEXTS = 50_000
_TEXTS: dict[Any, Any] = {}
TextT = TypeVar("TextT", bound=Optional[str])


def shared(text: TextT) -> TextT:
    found = _TEXTS.get(text)
    if found is None:
        if len(_TEXTS) >= MAX_SHARED_TEXTS:
            _TEXTS.clear()
        found = _TEXTS[text] = text
    return found
