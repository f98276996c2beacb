"""Answers free-text questions about the dialogues from the structured records.

No language model and no route table: the question's words are matched with
the records' own words (`db.ask.index`), every family of question it could be
is scored as a candidate reading (`db.ask.reading`), and the best is answered
from the records (`db.ask.families`) as a structured `Answer`; close runners-up
come back as alternatives. When the records hold no answer, the answer says so
and carries the source passages that match best, as passages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from db import queries as q
from db.ask.answers import FAMILIES, Answer, Evidence, Reading
from db.ask.families import Answerer
from db.ask.index import _INDEXES, ask_index
from db.ask.reading import clean_question, not_english, rank
from db.ask.words import stem, vocabulary, words
from db.queries.search import fts_terms
from db.names import NameIndex

if TYPE_CHECKING:  # db.store imports this package to build the index at start-up
    from db.store import Store

MAX_QUESTION = 300
CLOSE = 0.6  # readings scoring within this of the best are offered as alternatives
MAX_ALTERNATIVES = 2


def check_question(question: str) -> str | None:
    """Why a question cannot be read ("empty", "too_long", "no_words"), or None."""
    text = clean_question(question or "")
    if not text:
        return "empty"
    if len(question) > MAX_QUESTION:
        return "too_long"
    if not any(ch.isalnum() for ch in text):
        return "no_words"
    return None


async def _held(session: AsyncSession) -> tuple[int, ...]:
    return tuple(d.year for d in await q.list_dialogues(session) if d.kind != "no_meeting")


async def ask(
    session: AsyncSession, question: str, actors: NameIndex, themes: NameIndex, years: tuple[int, ...]
) -> Answer:
    text = clean_question(question)
    index = await ask_index(session, actors, themes)
    if not_english(text, index):
        return Answer(question, Reading("search"), "not_english", years_known=years)
    _, readings = rank(text, actors, index, await _held(session))
    best = readings[0]
    alternatives: list[Reading] = []
    for r in readings[1:]:
        if r.family == "search" or best.score - r.score > CLOSE:
            continue
        if any(r.same_as(x) or (r.family == x.family and r.theme == x.theme and r.actors == x.actors) for x in (best, *alternatives)):
            continue
        alternatives.append(r)
        if len(alternatives) >= MAX_ALTERNATIVES:
            break
    answer = await answer_reading(session, question, best, years, tuple(alternatives))
    if answer.status == "no_answer" and best.family != "search":
        # the best reading finds nothing: a close runner-up that the records answer is the better reading
        for r in readings[1:4]:
            if r.family == "search" or best.score - r.score > 2 * CLOSE:
                break
            other = await answer_reading(session, question, r, years)
            if other.found:
                rest = tuple(x for x in (best, *alternatives) if not x.same_as(r))[:MAX_ALTERNATIVES]
                return Answer(other.question, other.reading, other.status, other.parts, other.hits, rest, other.note,
                              other.years_known)
    return answer


async def answer_reading(
    session: AsyncSession, question: str, reading: Reading, years: tuple[int, ...], alternatives: tuple[Reading, ...] = ()
) -> Answer:
    """The answer to one reading of the question (the best, or one the person picked)."""
    unknown = [y for y in reading.years if y not in years]
    if unknown:
        return Answer(question, reading, "unknown_year", alternatives=alternatives, years_known=years,
                      note=str(unknown[0]))
    parts = await Answerer(session, reading, years).run()
    if parts:
        return Answer(question, reading, "answered", parts, alternatives=alternatives, years_known=years)
    hits = await q.search_passages(session, passage_query(question), limit=3)
    return Answer(question, reading, "no_answer", (), tuple(hits), alternatives, years_known=years)


def passage_query(question: str) -> str:
    """The question's words worth searching the source texts for: without the words every passage has
    ("responsibility", "states") or every question has ("who", "anything"), which only slow the search down."""
    vocab = vocabulary()
    said = [w for w in words(clean_question(question)) if stem(w) not in vocab.stopwords]
    # only words that ask for a kind of answer ("anything on statements?"): those, else the question as asked
    for kept in ([w for w in said if stem(w) not in vocab.not_topic], said):
        if fts_terms(" ".join(kept)):
            return " ".join(kept)
    return clean_question(question)


def understand(question: str, actors: NameIndex, themes: NameIndex, years: tuple[int, ...]) -> Reading:
    """The best reading of a question, once `prepare` has built the index (for benchmarks' sampling)."""
    index = _INDEXES.get(themes)
    if index is None:
        raise RuntimeError("call db.ask.prepare(store) first")
    held = tuple(y for y in years)
    return rank(clean_question(question), actors, index, held)[1][0]


async def prepare(store: Store) -> None:
    """Builds /ask's index for the store's current names (the first question would otherwise)."""
    async with store.sessions() as session:
        await ask_index(session, store.actors, store.themes)


__all__ = ["FAMILIES", "MAX_QUESTION", "Answer", "Evidence", "Reading", "answer_reading", "ask", "check_question", "passage_query", "prepare", "understand"]
