"""Words of questions and records: folding, stemming, stopwords and the domain synonyms.

Both sides go through the same steps (fold, split, British spelling, Snowball
stem), so "worried" in a question meets "worries" in an excerpt and
"organizations" meets "organisations". The synonym groups and stopwords are
data (`seed/ask-vocabulary.yaml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer

from db.names import fold
from db.yaml_text import load_yaml

VOCABULARY_FILE = Path(__file__).resolve().parent.parent.parent / "seed" / "ask-vocabulary.yaml"
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_Z = re.compile(r"iz(e|ed|es|ing|ation|ations|er|ers)$")
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """One folded word to its stem ("organizations" and "organisations" alike)."""
    word = word.replace("’", "'").replace("'s", "").replace("'", "")
    word = _Z.sub(r"is\1", word)
    if word.endswith("center"):
        word = word[:-6] + "centre"
    stemmed: str = _STEMMER.stemWord(word)
    return stemmed


def words(text: str) -> list[str]:
    """The folded words of a text, hyphenated words split too ("sub-regional" → sub, regional)."""
    out: list[str] = []
    for w in _WORD.findall(fold(text)):
        out.extend(p for p in re.split(r"[-']", w) if p)
    return out


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


@dataclass(frozen=True)
class Vocabulary:
    stopwords: frozenset[str]  # stems
    groups: tuple[tuple[tuple[str, ...], ...], ...]  # each group: its phrases, as stem tuples
    by_stem: dict[str, tuple[int, ...]]  # single-word stem -> groups it belongs to
    foreign: frozenset[str]  # folded words of other languages
    not_topic: frozenset[str]  # stems that say what kind of answer is wanted, not its topic
    surface: frozenset[str] = frozenset()  # every folded word of the file, as written (for typos)
    in_phrases: dict[str, tuple[int, ...]] = field(default_factory=dict)  # stem -> groups with a phrase holding it
    phrases: tuple[tuple[int, tuple[str, ...]], ...] = ()  # every phrase of two words or more, with its group

    def expand(self, question_stems: list[str], sequence: list[str] | None = None) -> dict[str, dict[str, float]]:
        """Each content stem of the question with the stems to look for in the records:
        itself (1.0) and its synonyms (0.7). A group's phrase ("permanent members")
        joins when all its words are in the question; a phrase of words that are no content
        words by themselves ("take the place of") counts when `sequence`, all the question's
        stems in order, holds it.
        """
        present = set(question_stems)
        out: dict[str, dict[str, float]] = {}
        for s in question_stems:
            if s in self.stopwords or s in out:
                continue
            looks = {s: 1.0}
            groups = set(self.by_stem.get(s, ()))
            for gi in self.in_phrases.get(s, ()):
                # a phrase's small words ("put at risk") are no content stems of the question: they need not be there
                if gi not in groups and any(len(p) > 1 and s in p and all(w in present or w in self.stopwords for w in p)
                                            for p in self.groups[gi]):
                    groups.add(gi)
            for gi in groups:
                for phrase in self.groups[gi]:
                    key = " ".join(phrase)  # a phrase counts as a phrase, never as its single words
                    if key not in looks and key not in self.stopwords:
                        looks[key] = 0.7
            out[s] = looks
        if sequence:
            joined = f" {' '.join(sequence)} "
            for gi, phrase in self.phrases:
                key = " ".join(phrase)
                if key not in out and f" {key} " in joined and not any(w in present for w in phrase) \
                        and not all(w in self.stopwords for w in phrase):
                    out[key] = {key: 1.0, **{" ".join(x): 0.7 for x in self.groups[gi] if x != phrase}}
        return out


@lru_cache(maxsize=1)
def vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    for key, items in data.items():
        if any(isinstance(x, bool) for x in _flat(items)):  # YAML reads a bare on/off/yes/no as true/false
            raise ValueError(f"{path.name}: {key} has a bare on/off/yes/no; quote it")
    stop = frozenset(stem(w) for raw in data.get("stopwords") or () for w in words(str(raw)))
    groups = []
    by_stem: dict[str, list[int]] = {}
    for gi, group in enumerate(data.get("synonyms") or ()):
        phrases = tuple(tuple(stems(str(p))) for p in group if stems(str(p)))
        groups.append(phrases)
        for phrase in phrases:
            if len(phrase) == 1:
                by_stem.setdefault(phrase[0], []).append(gi)
    foreign = frozenset(fold(str(w)) for w in data.get("not_english") or ())
    not_topic = frozenset(stem(w) for raw in data.get("not_topic") or () for w in words(str(raw)))
    surface = frozenset(w for key in ("stopwords", "not_topic", "synonyms", "question_words") for raw in _flat(data.get(key))
                        for w in words(str(raw)))
    in_phrases: dict[str, set[int]] = {}
    for gi, group in enumerate(groups):
        for phrase in group:
            if len(phrase) > 1:
                for w in phrase:
                    in_phrases.setdefault(w, set()).add(gi)
    return Vocabulary(stop, tuple(groups), {k: tuple(v) for k, v in by_stem.items()}, foreign, not_topic, surface,
                      {k: tuple(sorted(v)) for k, v in in_phrases.items()},
                      tuple((gi, p) for gi, group in enumerate(groups) for p in group if len(p) > 1))


def _flat(items: Any) -> list[Any]:
    """Nested lists (as YAML gives them) to one flat list."""
    out: list[Any] = []
    for item in items or ():
        out.extend(_flat(item) if isinstance(item, list) else [item])
    return out
