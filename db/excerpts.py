"""Checking that an excerpt someone typed is in its source: verbatim up to whitespace, quotes, dashes and accents.

Seed excerpts are checked byte for byte (whitespace aside) when the dataset loads;
excerpts typed by admins or imported are checked here, with the folding people
need when they retype a passage (curly or straight quotes, accents, dashes,
markdown emphasis), and refused with the closest passage when not found.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

from db.errors import ValidationError
from db.passages import clean, split_passages

UNVERIFIED = "excerpt not verified against a stored text"
_SENTENCE = re.compile(r"(?<=[.!?”])\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "‐": "-",
                         "\u00a0": " "})


def fold_text(text: str) -> str:
    """Markdown, accents, case, quote and dash styles and whitespace folded away."""
    text = unicodedata.normalize("NFKD", clean(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).casefold().strip()


@lru_cache(maxsize=16)
def _folded_source(text: str) -> str:
    return fold_text(text)


def occurs_in(excerpt: str, text: str) -> bool:
    needle = fold_text(excerpt)
    return bool(needle) and needle in _folded_source(text)  # a source's text is folded once, not per record


def closest_passage(excerpt: str, text: str, limit: int = 300) -> str:
    """The sentence of `text` closest in words to `excerpt` (cleaned, at most `limit` characters)."""
    needle = fold_text(excerpt)
    sentences = [s for _, passage in split_passages(text) for s in _SENTENCE.split(clean(passage)) if s.strip()]
    best = max(sentences, key=lambda s: fuzz.token_set_ratio(needle, fold_text(s)), default="")
    return best if len(best) <= limit else best[: limit - 1].rstrip() + "…"


def check_excerpt(excerpt: str, source_key: str, source_text: str | None, field: str = "excerpt") -> None:
    """Refuses an excerpt that is not in its source's stored text; a source without one is not checked
    (its records are shown as not verified)."""
    if not source_text:
        return
    if occurs_in(excerpt, source_text):
        return
    raise ValidationError(
        f"The `{field}` is not found in `{source_key}` (the check ignores spacing, quote and dash styles and accents). "
        f"Copy the words from the source exactly. Closest passage: “{closest_passage(excerpt, source_text)}”"
    )
