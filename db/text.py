"""Text as people type or paste it, made safe to store and compare.

Every text a person gives the bot (command options, forms, import files) passes
through `clean_text` once, where it arrives: NUL and other control characters
corrupt logs and exports, and invisible or direction-changing characters make
one name look like another (`Cu\\u200bba`, an RTL override).
"""

from __future__ import annotations

import unicodedata

# Invisible characters with no place in the bot's records: direction marks, embeddings,
# overrides and isolates; zero-width space, word joiner, byte-order mark, soft hyphen.
# Zero-width (non-)joiners stay: scripts and emoji sequences need them.
_INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_KEPT_CONTROLS = frozenset("\n\t")


def _dropped(ch: str) -> bool:
    if ch in _INVISIBLE:
        return True
    category = unicodedata.category(ch)
    return (category == "Cc" and ch not in _KEPT_CONTROLS) or category == "Cs"  # Cs: lone surrogates


def clean_text(text: str) -> str:
    """Line breaks unified to \\n; NUL, control, invisible and direction characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable():
        return text
    return "".join(ch for ch in text if not _dropped(ch))


def is_invisible(ch: str) -> bool:
    """Characters a comparison of names ignores: every control and format character, and lone surrogates."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs") and not ch.isspace()
