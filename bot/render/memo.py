"""The renderers' performance machinery: laid-out replies kept for the very result objects they were made from.

Each piece here stays because it was measured to pay at a realistic scale (`python -m benchmarks.ablation`,
benchmarks/results.md): the layout memo cuts the served p50 of the read commands by more than half. The store's own
machinery (query results per generation, equal texts kept once) is in db/queries/cache.py; the one other
piece, page packing, is part of what a live page view holds (`PageView.pack`, bot/render/paginator.py).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Hashable, Iterable

from bot.render.layout import Reply


class Laidout:
    """Replies already laid out for the very same result objects, least recently used out.

    The query layer keeps results until the records change and hands the same
    (immutable) objects to everyone who asks, so the same objects in means the
    same reply out; the replies are frozen (`Reply.freeze`), so a cog that changed
    one would fail instead of changing everyone's answer. Entries hold their inputs, so an id cannot be reused while
    its entry exists. Bounded by the pages held (about 20 kB each).
    """

    MAX_PAGES = 400

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[Hashable, ...], tuple[object, Reply]] = OrderedDict()
        self.pages = 0

    def reply(self, key: tuple[Hashable, ...], inputs: object, render: Callable[[], Reply]) -> Reply:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            return entry[1]
        reply = render().freeze()  # everyone who asks gets this very object
        self.entries[key] = (inputs, reply)
        self.pages += len(reply.pages)
        while self.pages > self.MAX_PAGES and self.entries:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.pages -= len(dropped.pages)
        return reply

    def clear(self) -> None:
        self.entries.clear()
        self.pages = 0


LAIDOUT = Laidout()


def forget_layouts() -> None:
    """Forgets every remembered layout (benchmarks measure the uncached path with it)."""
    LAIDOUT.clear()


def ids(items: Iterable[object]) -> tuple[int, ...]:
    return tuple(map(id, items))
