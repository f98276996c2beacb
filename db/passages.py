"""Split a source text into paragraph-sized passages for full-text search."""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]]*)\]\(#?[^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+")
MIN_CHARS = 160
_TERMINAL = ".!?:”\")"
MAX_CHARS = 900


def clean(text: str) -> str:
    """Readable text: markdown links and emphasis markers dropped, spaces collapsed."""
    text = _LINK.sub(r"\1", text)
    text = text.replace("*", "").replace("\\(", "(").replace("\\)", ")")
    return re.sub(r"\s+", " ", text).strip()


def _split_long(text: str) -> list[str]:
    if len(text) <= MAX_CHARS:
        return [text]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) + 1 > MAX_CHARS:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def split_passages(text: str) -> list[tuple[int, str]]:
    """(character offset in the source, cleaned passage) pairs, in order.

    Lines are paragraphs in some sources and link fragments in others, so lines
    are merged until a passage is long enough and ends a sentence, and long
    paragraphs are cut at sentence ends.
    """
    passages: list[tuple[int, str]] = []
    start: int | None = None
    buffer = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = clean(line)
        if stripped:
            if start is None:
                start = offset
            buffer = f"{buffer} {stripped}".strip()
            if len(buffer) >= MIN_CHARS and buffer[-1] in _TERMINAL:
                passages.extend((start, piece) for piece in _split_long(buffer))
                start, buffer = None, ""
        offset += len(line)
    if buffer:
        if passages and len(buffer) < MIN_CHARS // 2:
            last_start, last = passages.pop()
            passages.append((last_start, f"{last} {buffer}"))
        else:
            passages.append((start or 0, buffer))
    return passages
