"""The in-memory index /ask ranks readings with, built from the records' own words.

Each theme is a small document: its name, keywords, description and the
summaries and excerpts of the positions recorded under it, stemmed. Built once
per name index (the store makes new name indexes whenever actors, themes or
meetings change) and kept in memory, so a question costs no query to read.
Pure Python over the rows, so it works on any database the store runs on.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.ask.words import Vocabulary, stems, vocabulary, words
from db.names import NameEntry, NameIndex, fold
from db.queries.convert import reference, rows
from db.ask.records import report_points
from db.results import ReportFactInfo

_Doc = TypeVar("_Doc")
WEIGHT_MEMO = 20000  # stems whose weights per theme are kept (cleared when full)
EVIDENCE_PER_THEME = 30  # summaries and excerpts read per theme: enough for its vocabulary, bounded at any scale

REPORT_TITLE_FLOOR = 2.0  # what the words matching a report's title must weigh: more than one word most titles hold
COMMON_SHARE = 0.2  # a word in more than this share of the report's points is the report's topic, not one point's

# field weights: a word of the theme's name tells most, a word of one excerpt least
NAME, KEYWORD, DESCRIPTION, EVIDENCE = 3.0, 2.5, 1.5, 0.8


@dataclass
class ThemeDoc:
    entry: NameEntry
    name: frozenset[str]
    keywords: frozenset[str]
    description: frozenset[str]
    evidence: Counter[str]
    phrases: tuple[tuple[str, ...], ...]  # the name and multi-word keywords, as stem sequences
    pillar: int | None = None
    texts: tuple[str, str, str] = ("", "", "")
    years: frozenset[int] = frozenset()  # meetings with records under the theme
    actor_ids: frozenset[int] = frozenset()  # actors named under the theme
    excerpts: tuple[tuple[frozenset[str], str], ...] = ()  # the stems of each summary and excerpt, as a set and joined  # keywords and name, description, evidence: stems joined, for phrases

    def weight(self, s: str) -> float:
        if " " in s:
            padded = f" {s} "
            if padded in self.texts[0]:
                return KEYWORD
            if padded in self.texts[1]:
                return DESCRIPTION
            return EVIDENCE if padded in self.texts[2] else 0.0
        if s in self.name:
            return NAME
        if s in self.keywords:
            return KEYWORD
        if s in self.description:
            return DESCRIPTION
        n = self.evidence.get(s, 0)
        return EVIDENCE * min(1.0, n / 2) if n else 0.0


@dataclass(frozen=True)
class FactDoc:
    """One point a document makes (`report_facts`), as stems: what a question about the report is matched with."""

    fact: ReportFactInfo
    subject: frozenset[str]
    body: frozenset[str]  # the summary's and the excerpt's stems
    phrase: str  # the subject's stems joined, padded with spaces


@dataclass
class AskIndex:
    themes: list[ThemeDoc]
    idf: dict[str, float]
    known: frozenset[str]  # every stem of the records' words (themes, actors)
    actor_terms: list[tuple[str, NameEntry]]  # folded names and aliases, for typos
    vocab: Vocabulary
    by_slug: dict[str, ThemeDoc] = field(default_factory=dict)
    actors: NameIndex | None = None
    lexicon: frozenset[str] = frozenset()  # folded words of the records and the vocabulary, for typos
    lexicon_list: tuple[str, ...] = ()
    facts: tuple[FactDoc, ...] = ()

    def score_facts(self, looks: dict[str, dict[str, float]], sequence: list[str]) -> list[tuple[float, FactDoc]]:
        """The documents' points by how well the question's words match them, best first: a word of a point's
        subject counts most, one of its summary or excerpt less; a point whose subject the question names
        nearly whole counts more."""
        joined = " " + " ".join(sequence) + " "
        totals: dict[int, float] = {}
        covers: dict[int, int] = {}
        for q, variants in looks.items():
            if q.isdigit() or q in self.fact_common:
                continue
            best: dict[int, float] = {}
            cover: dict[int, int] = {}
            for s, w in variants.items():
                for i, (value, covered) in self._fact_weights(s).items():
                    if w * value > best.get(i, 0.0):
                        best[i] = w * value
                    if covered > cover.get(i, 0):
                        cover[i] = covered
            for i, value in best.items():
                totals[i] = totals.get(i, 0.0) + value
            for i, covered in cover.items():
                covers[i] = covers.get(i, 0) + covered
        scored = []
        for i in sorted(totals):
            doc, score, covered = self.facts[i], totals[i], covers.get(i, 0)
            own = doc.subject - self.fact_common
            if score > 0 and own:
                share = covered / len(own)
                score += 3.0 * share
                if len(doc.phrase.split()) > 1 and doc.phrase in joined:
                    score += 3.0
                if covered < 2 and share < 0.5:
                    score *= 0.3  # one word of a long subject ("come", "third") does not name the point
            if score > 0:
                scored.append((score, doc))
        scored.sort(key=lambda x: -x[0])
        return scored

    fact_idf: dict[str, float] = field(default_factory=dict)
    fact_common: frozenset[str] = frozenset()  # words most of the points share ("regional"): they name none
    # stem -> the positions of the themes (points) whose words hold it: only those can score for a question
    theme_postings: dict[str, tuple[int, ...]] = field(default_factory=dict)
    theme_always: tuple[int, ...] = ()  # themes with a phrase of small words only ("whether or how")
    fact_postings: dict[str, tuple[int, ...]] = field(default_factory=dict)
    idf_list: tuple[str, ...] = ()  # the stems of `idf` and the folded names of `actor_terms`, for typos
    actor_term_list: tuple[str, ...] = ()
    stopword_list: tuple[str, ...] = ()  # the vocabulary's small words as written ("which", "about"), for their typos
    theme_phrases: tuple[str, ...] = ()  # the themes' names and keywords of two words or more, stems joined and padded
    report_titles: dict[int, frozenset[str]] = field(default_factory=dict)  # year -> the stems of its report's titles
    report_idf: dict[str, float] = field(default_factory=dict)  # how few of the titles hold each stem
    weight_memo: dict[str, dict[int, float]] = field(default_factory=dict)  # see _theme_weights
    fact_memo: dict[str, dict[int, tuple[float, int]]] = field(default_factory=dict)  # see _fact_weights

    def report_years(self, looks: dict[str, dict[str, float]], strict: bool = False) -> tuple[int, ...]:
        """The year of the one report whose title the question's words name best ("the regional arrangements
        report"), or of each report they name as well ("the dialogue on early warning": 2010's and 2018's); none
        when they name none. `strict`: two of the title's words, or a third of them ("the dialogue on timely and
        decisive response"), not one word of a long title ("the next dialogue")."""
        scores: dict[int, float] = {}
        matched: dict[int, int] = {}
        for variants in looks.values():
            for year, title in self.report_titles.items():
                best = max((w * self.report_idf[v] for v, w in variants.items() if v in title), default=0.0)
                if best:
                    scores[year] = scores.get(year, 0.0) + best
                    matched[year] = matched.get(year, 0) + 1
        if not scores or max(scores.values()) < REPORT_TITLE_FLOOR:
            return ()
        top = max(scores.values())
        return tuple(sorted(year for year, score in scores.items() if score >= top and not (
            strict and matched[year] < 2 and 3 * matched[year] < len(self.report_titles[year]))))

    def _fact_weights(self, s: str) -> dict[int, tuple[float, int]]:
        """For a stem (or a phrase) of a question: per report point whose words hold it, (what it tells, weighted
        by rarity; how many of the point's subject words it covers); worked out once per stem and kept."""
        found = self.fact_memo.get(s)
        if found is None:
            found = {}
            if s not in self.fact_common:
                phrase = " " in s
                idf = (sum(self.fact_idf.get(x, 1.0) for x in s.split() if x not in self.fact_common) if phrase
                       else self.fact_idf.get(s, 1.0))
                for i, doc in self._candidates({s: {s: 1.0}}, self.fact_postings, (), self.facts):
                    if phrase:
                        held = f" {s} " in doc.phrase
                        fw = NAME if held else 0.0
                        covered = sum(1 for x in s.split() if x not in self.fact_common) if held else 0
                    else:
                        fw = NAME if s in doc.subject else EVIDENCE if s in doc.body else 0.0
                        covered = 1 if s in doc.subject else 0
                    if fw or covered:
                        found[i] = (fw * idf, covered)
            if len(self.fact_memo) >= WEIGHT_MEMO:
                self.fact_memo.clear()
            self.fact_memo[s] = found
        return found

    def _theme_weights(self, s: str) -> dict[int, float]:
        """How much a stem (or a phrase) of a question tells of each theme whose words hold it, by position;
        worked out once per stem and kept, as the words of questions recur."""
        found = self.weight_memo.get(s)
        if found is None:
            found = {}
            for i, doc in self._candidates({s: {s: 1.0}}, self.theme_postings, (), self.themes):
                if s.isdigit() and (int(s) in doc.years or f" {s} " not in doc.texts[0] + doc.texts[1]):
                    continue  # a year names a theme only when its own words hold it and it is not its meeting's year
                fw = doc.weight(s) * (0.3 if s.isdigit() else 1.0)
                if fw:
                    found[i] = fw
            if len(self.weight_memo) >= WEIGHT_MEMO:
                self.weight_memo.clear()
            self.weight_memo[s] = found
        return found

    def _candidates(self, looks: dict[str, dict[str, float]], postings: dict[str, tuple[int, ...]],
                    always: tuple[int, ...], docs: "Sequence[_Doc]") -> "list[tuple[int, _Doc]]":
        """The documents any of the looked-for stems (or a phrase's first word) is in, in the documents' order."""
        found: set[int] = set(always)
        for variants in looks.values():
            for s in variants:
                if " " in s:
                    for word in s.split():
                        if word in postings:
                            found.update(postings[word])
                            break
                elif s in postings:
                    found.update(postings[s])
        return [(i, docs[i]) for i in sorted(found)]

    def names_topic(self, actor: NameEntry) -> bool:
        """Whether the actor's name is also a theme's keyword ("Libya", "Syria"): then it may name the topic."""
        names = {" ".join(stems(t)) for t in (actor.name, *actor.terms)}
        return any(f" {n} " in doc.texts[0] for doc in self.themes for n in names if n)

    def score_themes(
        self, looks: dict[str, dict[str, float]], sequence: list[str], years: tuple[int, ...] = ()
    ) -> list[tuple[float, ThemeDoc]]:
        """Themes by how well the question's words match their words, best first.

        Each word of the question counts once: by itself or by its best synonym in the theme.
        """
        scored = []
        joined = " " + " ".join(sequence) + " "
        totals: dict[int, float] = {}
        for variants in looks.values():  # each word of the question: its best variant per theme
            best: dict[int, float] = {}
            for s, w in variants.items():
                idf = self.idf.get(s, 1.0)
                for i, fw in self._theme_weights(s).items():
                    if w * fw * idf > best.get(i, 0.0):
                        best[i] = w * fw * idf
            for i, value in best.items():
                totals[i] = totals.get(i, 0.0) + value
        for i in sorted(set(totals) | set(self.theme_always)):
            doc, score = self.themes[i], totals.get(i, 0.0)
            for phrase in doc.phrases:
                if len(phrase) > 1 and f" {' '.join(phrase)} " in joined:
                    score += 1.5 * len(phrase)
            if score > 0 and doc.name:
                # of two themes the question's words match, the one whose name it covers more
                covered = sum(1 for s in doc.name if any(s in v for v in looks.values()))
                score += 2.0 * covered / len(doc.name)
            if score > 0 and years and doc.years and not doc.years & set(years) and not any(f" {y} " in doc.texts[1] for y in years):
                score *= 0.6  # nothing recorded under the theme in the years asked about (nor are they its topic)
            if score > 0:
                scored.append((score, doc))
        scored.sort(key=lambda x: -x[0])
        return self._together(scored[:8], looks) + scored[8:]

    def _together(self, scored: list[tuple[float, ThemeDoc]], looks: dict[str, dict[str, float]]) -> list[tuple[float, ThemeDoc]]:
        """Of the best themes, those with one excerpt that holds most of the question's words together rank higher."""
        weights = {q: self.idf.get(q, 1.0) for q in looks if not q.isdigit()}
        total = sum(weights.values())
        if total <= 0 or len(weights) < 3:
            return scored
        out = []
        # per word of the question: its single stems (as a set) and its phrases (padded)
        sought = {q: (frozenset(v for v in looks[q] if " " not in v), tuple(f" {v} " for v in looks[q] if " " in v))
                  for q in weights}
        for score, doc in scored:
            best = 0.0
            for words_of, joined in doc.excerpts:
                held = sum(w for q, w in weights.items()
                           if not sought[q][0].isdisjoint(words_of) or any(ph in joined for ph in sought[q][1]))
                best = max(best, held / total)
            out.append((score + 4.0 * best * best, doc))
        out.sort(key=lambda x: -x[0])
        return out


_INDEXES: "weakref.WeakKeyDictionary[NameIndex, AskIndex]" = weakref.WeakKeyDictionary()


async def ask_index(session: AsyncSession, actors: NameIndex, themes: NameIndex) -> AskIndex:
    index = _INDEXES.get(themes)
    if index is None or index.actors is not actors:
        index = await _build(session, actors, themes)
        _INDEXES[themes] = index
    return index


async def _build(session: AsyncSession, actors: NameIndex, themes: NameIndex) -> AskIndex:
    vocab = vocabulary()
    ref = await reference(session)
    evidence: dict[int, Counter[str]] = {}
    theme_years: dict[int, set[int]] = {}
    for model in (m.Position, m.UnnamedClaim):
        for theme_id, dialogue_id in await rows(session, select(model.theme_id, model.dialogue_id).distinct()):
            theme_years.setdefault(theme_id, set()).add(ref.years.get(dialogue_id, 0))
    theme_actors: dict[int, set[int]] = {}
    for theme_id, actor_id in await rows(session, select(m.Position.theme_id, m.Position.actor_id).distinct()):
        theme_actors.setdefault(theme_id, set()).add(actor_id)
    joined: dict[int, list[str]] = {}
    excerpt_sets: dict[int, list[tuple[frozenset[str], str]]] = {}
    for model in (m.Position, m.UnnamedClaim):
        rn = func.row_number().over(partition_by=model.theme_id, order_by=model.id).label("rn")
        sub = select(model.theme_id, model.summary, model.excerpt, rn).subquery()
        found = await rows(session, select(sub.c.theme_id, sub.c.summary, sub.c.excerpt).where(sub.c.rn <= EVIDENCE_PER_THEME))
        seen: set[tuple[int, str]] = set()
        for theme_id, summary, excerpt in found:
            bag = evidence.setdefault(theme_id, Counter())
            for text in (summary, excerpt):
                if (theme_id, text) in seen:
                    continue
                seen.add((theme_id, text))
                text_stems = stems(text)
                bag.update(set(text_stems) - vocab.stopwords)
                joined.setdefault(theme_id, []).append(" ".join(text_stems))
                excerpt_sets.setdefault(theme_id, []).append((frozenset(text_stems), f" {' '.join(text_stems)} "))
    docs = []
    for entry in themes.entries:
        info = ref.themes.get(entry.id)
        description = info.description if info else ""
        keyword_stems = [stems(k) for k in entry.terms]
        docs.append(ThemeDoc(
            entry=entry,
            name=frozenset(stems(entry.name)) - vocab.stopwords,
            keywords=frozenset(s for ks in keyword_stems for s in ks) - vocab.stopwords,
            description=frozenset(stems(description)) - vocab.stopwords,
            evidence=evidence.get(entry.id, Counter()),
            phrases=tuple(p for p in [tuple(stems(entry.name)), *map(tuple, keyword_stems)] if p),
            pillar=info.pillar if info else None,
            years=frozenset(theme_years.get(entry.id, ())),
            actor_ids=frozenset(theme_actors.get(entry.id, ())),
            excerpts=tuple(excerpt_sets.get(entry.id, ())),
            texts=(
                " | ".join(" ".join(p) for p in [stems(entry.name), *keyword_stems]).join("  "),
                " ".join(stems(description)).join("  "),
                " | ".join(joined.get(entry.id, ())).join("  "),
            ),
        ))
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.name | doc.keywords | doc.description | set(doc.evidence))
    n = max(1, len(docs))
    idf = {s: math.log(1 + n / c) for s, c in df.items()}
    known = set(df)
    actor_terms = []
    for entry in actors.entries:
        for term in (entry.name, *entry.terms):
            folded = fold(term)
            known.update(stems(term))
            if len(folded) >= 4:
                actor_terms.append((folded, entry))
    known.update(vocab.stopwords, vocab.not_topic)
    for group in vocab.groups:
        for phrase in group:
            known.update(phrase)
    lexicon: set[str] = set(vocab.surface)
    for entry in themes.entries:
        info = ref.themes.get(entry.id)
        lexicon.update(words(" ".join((entry.name, *entry.terms, info.description if info else ""))))
    for entry in actors.entries:
        lexicon.update(words(" ".join((entry.name, *entry.terms))))
    theme_postings: dict[str, list[int]] = {}
    always = []
    small = vocab.stopwords | vocab.not_topic
    for i, doc in enumerate(docs):
        for st in doc.name | doc.keywords | doc.description | set(doc.evidence) | {w for p in doc.phrases for w in p}:
            theme_postings.setdefault(st, []).append(i)
        if any(len(p) > 1 and all(w in small for w in p) for p in doc.phrases):
            always.append(i)
    facts = _fact_docs(await report_points(session), vocab)
    fact_postings: dict[str, list[int]] = {}
    for i, f in enumerate(facts):
        for st in f.subject | f.body | set(f.phrase.split()):
            fact_postings.setdefault(st, []).append(i)
    fact_df: Counter[str] = Counter()
    for f in facts:
        fact_df.update(f.subject | f.body)
        known.update(f.subject | f.body)
        lexicon.update(words(f"{f.fact.subject} {f.fact.summary}"))
    fact_idf = {s: math.log(1 + len(facts) / c) for s, c in fact_df.items()}
    fact_common = frozenset(s for s, c in fact_df.items() if c > COMMON_SHARE * len(facts))
    titles: dict[int, set[str]] = {}
    for dialogue_id, title in await rows(session, select(m.DialogueClaim.dialogue_id, m.DialogueClaim.value_text)
                                         .where(m.DialogueClaim.field == "report_title")):
        titles.setdefault(ref.years.get(dialogue_id, 0), set()).update(set(stems(title)) - small)
    title_df: Counter[str] = Counter(s for title in titles.values() for s in title)
    lexicon = {w for w in lexicon if len(w) >= 3 and not w.isdigit()}
    return AskIndex(docs, idf, frozenset(known), actor_terms, vocab, {d.entry.code or "": d for d in docs}, actors,
                    frozenset(lexicon), tuple(sorted(lexicon)), facts, fact_idf, fact_common,
                    {k: tuple(v) for k, v in theme_postings.items()}, tuple(always),
                    {k: tuple(v) for k, v in fact_postings.items()}, tuple(idf), tuple(t for t, _ in actor_terms),
                    tuple(sorted(w for w in vocab.surface if len(w) >= 3 and stems(w) and all(x in vocab.stopwords for x in stems(w)))),
                    tuple(sorted({f" {' '.join(p)} " for d in docs for p in d.phrases if len(p) > 1})),
                    {year: frozenset(title) for year, title in titles.items()},
                    {s: math.log(1 + len(titles) / c) for s, c in title_df.items()})


def _fact_docs(found: tuple[ReportFactInfo, ...], vocab: Vocabulary) -> tuple[FactDoc, ...]:
    """The report's points (the 2011 report's findings, mechanisms, bodies, recommendations), as stems."""
    out = []
    for f in found:
        if f.document != "report":
            continue
        subject = stems(f.subject)
        out.append(FactDoc(f, frozenset(subject) - vocab.stopwords,
                           frozenset(stems(f"{f.summary} {f.excerpt}")) - vocab.stopwords, f" {' '.join(subject)} "))
    return tuple(out)


__all__ = ["AskIndex", "FactDoc", "ThemeDoc", "ask_index", "words"]
