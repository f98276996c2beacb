"""Knowledge in layers: what a server reads, filtered in one place.

The shared base (layer 0) holds the seed and what curator servers record; each
other server has a layer of its own (its guild id) for what its admins add or
correct. A server reads the base and its own layer, minus the shared records it
has hidden (removed, or replaced by its own version). A session reads one layer
when `session.info[LAYER]` says so: every ORM query it runs (column selects,
joins, subqueries, relationship loads) then gets the filter from
`_only_visible`, so no query names layers itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Collection, Iterator

from sqlalchemy import ColumnElement, event, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.util import LoaderCriteriaOption

from db.models import BASE_LAYER, HiddenRecord, Layered

LAYER = "knowledge_layer"  # session.info key: the layer a session reads


def layer_of(guild_id: int | None, curators: Collection[int]) -> int:
    """The layer a server's admins write to and its members read: the base in DMs and curator servers."""
    if guild_id is None or guild_id in curators:
        return BASE_LAYER
    return guild_id


Criteria = Callable[[Any], ColumnElement[bool]]  # given a Layered class


def _base(cls: type[Layered]) -> ColumnElement[bool]:
    return cls.layer == BASE_LAYER


def _layered(layer: int) -> Criteria:
    def visible(cls: type[Layered]) -> ColumnElement[bool]:
        hidden = select(HiddenRecord.row_id).where(
            HiddenRecord.layer == layer, HiddenRecord.table_name == cls.table_name
        )
        return or_(cls.layer == BASE_LAYER, cls.layer == layer) & cls.id.not_in(hidden)

    return visible


def reading(layer: int) -> LoaderCriteriaOption:
    """The loader option that limits every layered table to what `layer` sees."""
    criteria: Criteria = _base if layer == BASE_LAYER else _layered(layer)
    return with_loader_criteria(Layered, criteria, include_aliases=True)


@event.listens_for(Session, "do_orm_execute")
def _only_visible(state: ORMExecuteState) -> None:
    layer = state.session.info.get(LAYER)
    if layer is None or not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    state.statement = state.statement.options(reading(layer))


def set_layer(session: Session, layer: int | None) -> None:
    """Makes `session` read `layer` (None: every layer, for maintenance)."""
    if layer is None:
        session.info.pop(LAYER, None)
    else:
        session.info[LAYER] = layer


def layer_in(session: Session | AsyncSession) -> int | None:
    layer: int | None = session.info.get(LAYER)
    return layer


@contextmanager
def every_layer(session: Session) -> Iterator[None]:
    """Lets `session` see every layer for a moment (to count what still points at a shared record)."""
    layer = session.info.pop(LAYER, None)
    try:
        yield
    finally:
        if layer is not None:
            session.info[LAYER] = layer
