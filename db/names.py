"""Name resolution and completion for actors and themes.

Resolution runs exact name, then alias (or ISO code), then accent- and
case-folded forms, then whole words of exactly one name, and finally fuzzy
matching, which only ever *suggests*:
a typo never silently becomes a different country.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Literal

from rapidfuzz import fuzz, process

from db.text import is_invisible

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[.\"()\[\],;:!?]")
_APOSTROPHE = re.compile(r"'")

MatchKind = Literal["exact", "alias", "code", "folded", "contained"]


def fold(text: str) -> str:
    """Lower-case, drop accents, invisible characters and most punctuation, unify quotes, widths and spaces.

    Names that only look different fold alike: `CUBA`, full-width `Ｃｕｂａ`, `Cu\u200bba`, `Cuba\x00`.
    """
    text = text.translate(_QUOTES)
    if text.isascii() and text.isprintable():  # nothing to decompose or drop (most names)
        text = text.casefold()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch) and not is_invisible(ch)).casefold()
    text = _PUNCT.sub(" ", text)
    text = _APOSTROPHE.sub("", text)  # "d'Ivoire" and "divoire", "People's" and "Peoples"
    text = _SPACES.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


@dataclass(frozen=True)
class NameEntry:
    """Something that can be named: an actor or a theme."""

    id: int
    name: str
    kind: str
    terms: tuple[str, ...] = ()  # aliases or keywords, as written
    code: str | None = None  # ISO alpha-3 for states, slug for themes


def _name_key(entry: NameEntry) -> str:
    return fold(entry.name)


@dataclass(frozen=True)
class Suggestion:
    entry: NameEntry
    matched: str  # the name or alias that matched
    score: float

    @property
    def label(self) -> str:
        if fold(self.matched) in fold(self.entry.name):
            return self.entry.name
        return f"{self.entry.name} ({self.matched})"


@dataclass(frozen=True)
class Resolution:
    query: str
    entry: NameEntry | None
    how: MatchKind | None = None
    suggestions: tuple[Suggestion, ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.entry is not None


class NameIndex:
    """An in-memory index over names and aliases; cheap enough to query per keystroke.

    Entries can be added and dropped one at a time (an import adds thousands), so the
    lookup tables are kept up to date and the term lists for ranking are rebuilt only
    when a ranking needs them.
    """

    def __init__(self, entries: Iterable[NameEntry]) -> None:
        self.entries: list[NameEntry] = []  # sorted by folded name
        self._entry_keys: list[str] = []
        self._by_id: dict[int, NameEntry] = {}
        self._exact: dict[str, NameEntry] = {}
        self._alias: dict[str, set[int]] = defaultdict(set)
        self._code: dict[str, NameEntry] = {}
        self._folded: dict[str, set[int]] = defaultdict(set)
        self._lists: tuple[list[tuple[str, int, str]], list[int], list[str]] | None = None
        for entry in entries:
            self._put(entry)
        self.entries = sorted(self._by_id.values(), key=_name_key)
        self._entry_keys = [_name_key(e) for e in self.entries]  # for inserting in order

    def _put(self, entry: NameEntry) -> None:
        self._by_id[entry.id] = entry
        self._exact[entry.name] = entry
        if entry.code:
            self._code[entry.code.casefold()] = entry
        for term in (entry.name, *entry.terms):
            self._alias[term].add(entry.id)
            folded = fold(term)
            if folded:
                self._folded[folded].add(entry.id)
        self._lists = None

    def add(self, entry: NameEntry) -> None:
        """Adds an entry (replacing one with the same id)."""
        self.discard(entry.id)
        self._put(entry)
        key = _name_key(entry)
        at = bisect.bisect_right(self._entry_keys, key)
        self._entry_keys.insert(at, key)
        self.entries.insert(at, entry)

    def discard(self, entry_id: int) -> None:
        entry = self._by_id.pop(entry_id, None)
        if entry is None:
            return
        if self._exact.get(entry.name) is entry:
            del self._exact[entry.name]
        if entry.code and self._code.get(entry.code.casefold()) is entry:
            del self._code[entry.code.casefold()]
        for term in (entry.name, *entry.terms):
            self._alias[term].discard(entry_id)
            self._folded[fold(term)].discard(entry_id)
        at = self.entries.index(entry)
        del self.entries[at], self._entry_keys[at]
        self._lists = None

    @property
    def _terms(self) -> list[tuple[str, int, str]]:
        """(folded term, entry id, term as written) for ranking and fuzzy matching."""
        return self._term_lists()[0]

    def _term_lists(self) -> tuple[list[tuple[str, int, str]], list[int], list[str]]:
        if self._lists is None:
            terms = [(fold(t), e.id, t) for e in self.entries for t in (e.name, *e.terms) if fold(t)]
            # Acronyms ("EU", "UK") are too short to fuzzy-match without noise.
            fuzzy = [i for i, t in enumerate(terms) if len(t[0]) >= 4]
            self._lists = (terms, fuzzy, [terms[i][0] for i in fuzzy])
        return self._lists

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: int) -> NameEntry | None:
        return self._by_id.get(entry_id)

    def get_code(self, code: str) -> NameEntry | None:
        return self._code.get(code.casefold())

    def lookup(self, query: str) -> tuple[NameEntry, MatchKind] | None:
        """The one entry this exact name, alias, code or folded form names; no scans, no suggestions."""
        if query in self._exact:
            return self._exact[query], "exact"
        ids = self._alias.get(query)
        if ids and len(ids) == 1:
            return self._by_id[next(iter(ids))], "alias"
        code = self._code.get(query.casefold())
        if code is not None:
            return code, "code"
        ids = self._folded.get(fold(query))
        if ids and len(ids) == 1:
            return self._by_id[next(iter(ids))], "folded"
        return None

    def resolve(self, query: str, *, suggestions: int = 5) -> Resolution:
        query = (query or "").strip()
        if not query:
            return Resolution(query, None, None, self._ranked(query, suggestions))
        found = self.lookup(query)
        if found is not None:
            return Resolution(query, found[0], found[1])
        needle = fold(query)
        ids = self._folded.get(needle)
        # whole words of exactly one name ("imperialist doctrine") still name it
        if len(needle) >= 4 and not ids:
            padded = f" {needle} "
            within = {entry_id for folded, entry_id, _ in self._terms if padded in f" {folded} "}
            # and the words of a slug ("sequencing" in pillar-sequencing)
            within |= {e.id for e in self.entries if e.code and padded in f" {fold(e.code.replace('-', ' '))} "}
            if len(within) == 1:
                return Resolution(query, self._by_id[within.pop()], "contained")
        return Resolution(query, None, None, self._ranked(query, suggestions))

    def complete(self, query: str, limit: int = 25) -> list[Suggestion]:
        """Ranked choices for autocomplete: prefix matches first, then fuzzy ones."""
        return list(self._ranked(query, limit))

    def _ranked(self, query: str, limit: int) -> tuple[Suggestion, ...]:
        needle = fold(query)
        best: dict[int, Suggestion] = {}

        def offer(entry_id: int, term: str, score: float) -> None:
            current = best.get(entry_id)
            if current is None or score > current.score:
                best[entry_id] = Suggestion(self._by_id[entry_id], term, score)

        if not needle:
            return tuple(Suggestion(e, e.name, 0.0) for e in self.entries[:limit])
        code = self._code.get(needle)
        if code is not None:
            offer(code.id, code.name, 101.0)
        for folded, entry_id, term in self._terms:
            if folded == needle:
                offer(entry_id, term, 100.0)
            elif folded.startswith(needle):
                offer(entry_id, term, 95.0 - min(len(folded) - len(needle), 20) * 0.1)
            elif f" {needle}" in f" {folded}":
                offer(entry_id, term, 88.0)
            elif needle in folded:
                offer(entry_id, term, 80.0)
        if len(best) < limit and len(needle) >= 3:
            cutoff = 80 if len(needle) <= 4 else 70
            terms, fuzzy, fuzzy_terms = self._term_lists()
            for _, score, index in process.extract(
                needle, fuzzy_terms, scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=cutoff
            ):
                _, entry_id, term = terms[fuzzy[index]]
                offer(entry_id, term, min(float(score), 79.0) * 0.9)
        ranked = sorted(best.values(), key=lambda s: (-s.score, fold(s.entry.name)))
        return tuple(ranked[:limit])
