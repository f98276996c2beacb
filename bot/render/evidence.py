"""Evidence windows: the part of a long excerpt that holds the words proving the claim.

A long excerpt cut at a fixed length can end before the words that prove the
claim (an opening sentence about someone else, then the point). The window is
placed where the claim's key words are, the actor's name counting too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from bot.render.limits import ELLIPSIS
from db.passages import clean


def _fold_one(ch: str) -> str:
    """One character case-, accent- and quote-folded to one character."""
    base = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in base if not unicodedata.combining(c)) or ch
    base = {"’": "'", "‘": "'", "“": '"', "”": '"'}.get(base, base)
    return base[0].casefold()[0] if base else ch


class _FoldTable(dict[int, str]):
    """`str.translate`'s table for `_fold`: each character's fold, worked out the first time it is met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_one(chr(code))
        return folded


_FOLDS = _FoldTable()


def _fold(text: str) -> str:
    """Case, accents and curly quotes folded; same length as the text, so offsets carry over."""
    return text.lower() if text.isascii() else text.translate(_FOLDS)


def window(excerpt: str, claim_terms: Iterable[str], limit: int, actor_terms: Iterable[str] = ()) -> str:
    """The cleaned excerpt, or the `limit`-character stretch of it covering the most claim terms
    (then actor terms), with an ellipsis where it was cut."""
    text = clean(excerpt)
    if len(text) <= limit:
        return text
    folded = _fold(text)
    found: list[tuple[int, int, int]] = []  # (start, end, weight)
    for weight, terms in ((2, claim_terms), (1, actor_terms)):
        for term in {_fold(t.strip()) for t in terms if t and len(t.strip()) >= 3}:
            for match in re.finditer(r"\b" + re.escape(term) + r"\b", folded):
                found.append((match.start(), match.end(), weight))
    span = limit - 2  # room for the ellipses
    best_start, best_score = 0, -1.0
    sentences = [m.end() for m in re.finditer(r"[.;:!?][”\"’']?\s+", text)]
    starts = {0, *(max(0, s - 40) for s, _, _ in found)}
    for s, _, _ in found:  # the start of the sentence holding a term reads best
        starts.update(b for b in sentences if s - span < b <= s)
    for start in sorted(starts):
        start = min(start, max(0, len(text) - span))
        score = sum(w for s, e, w in found if s >= start and e <= start + span) + (0.5 if start in sentences else 0)
        if score > best_score:
            best_start, best_score = start, score
    start = best_start
    if start and start not in sentences and text[start - 1] != " ":
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + span)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + span // 2 else end
    piece = text[start:end].strip()
    return (ELLIPSIS if start else "") + piece + (ELLIPSIS if end < len(text) else "")
