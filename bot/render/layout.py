"""Reply objects and the packer that lays sections out on pages within Discord's limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

import discord

from bot.render import limits
from db.excerpts import UNVERIFIED
from db.results import SourceRef

# Colours: a calm UN blue for answers, amber for "nothing found", red for errors.
INFO = discord.Colour(0x1F6FB2)
NOTICE = discord.Colour(0xE0A800)
ERROR = discord.Colour(0xC0392B)

PAGE_BUDGET = 5600
MAX_PAGES = 50  # leaves room under the 6000-character message limit for the page counter


@dataclass
class Section:
    """A titled block of lines; long sections continue over several fields or pages.

    `lines` may be a generator: lines after the last page a reply can have are then never made.
    """

    name: str
    lines: Iterable[str]
    inline: bool = False


@dataclass
class Attachment:
    filename: str
    data: bytes
    description: str | None = None

    def to_file(self) -> discord.File:
        import io

        return discord.File(io.BytesIO(self.data), filename=self.filename, description=self.description)


class FrozenReplyError(TypeError):
    """A reply the renderers keep and hand to everyone who asks (`Reply.freeze`) was about to be changed."""

    def __init__(self) -> None:
        super().__init__(
            "this reply is shared by everyone who gets the same answer: build a new one, or copy an embed "
            "with discord.Embed.from_dict(embed.to_dict()) before changing it"
        )


class FrozenEmbed(discord.Embed):
    """An embed of a frozen reply: setting any of its parts raises FrozenReplyError."""

    __slots__ = ()  # the same layout as discord.Embed, so `Reply.freeze` can turn an embed into one in place

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenReplyError()

    def __delattr__(self, name: str) -> None:
        raise FrozenReplyError()

    def _refuse(self, *args: object, **kwargs: object) -> discord.Embed:
        raise FrozenReplyError()

    # the field methods change a list in place, without setting an attribute
    add_field = insert_field_at = set_field_at = remove_field = clear_fields = _refuse  # type: ignore[assignment]  # one refusal for five signatures


@dataclass
class Reply:
    """What a command answers: one or more pages of embeds, optional files."""

    pages: Sequence[Sequence[discord.Embed]]
    content: str | None = None
    files: list[Attachment] = field(default_factory=list)  # a tuple once frozen
    ephemeral: bool = False
    error: bool = False
    truncated: bool = False
    packed: bytes | None = field(default=None, repr=False, compare=False)  # the pages as compressed JSON, once made

    @property
    def first(self) -> Sequence[discord.Embed]:
        return self.pages[0] if self.pages else []

    def freeze(self) -> Reply:
        """Makes the reply read-only (its pages, embeds and files), for a reply kept and shared by many.

        Only `packed`, which is made from the pages, may still be set. Returns the reply.
        """
        for page in self.pages:
            for embed in page:
                embed.__class__ = FrozenEmbed
        object.__setattr__(self, "pages", tuple(tuple(page) for page in self.pages))
        object.__setattr__(self, "files", tuple(self.files))
        object.__setattr__(self, "_frozen", True)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        if name != "packed" and self.__dict__.get("_frozen"):
            raise FrozenReplyError()
        super().__setattr__(name, value)


def source_label(ref: SourceRef) -> str:
    publisher = ref.publisher
    if "(" in publisher and publisher.endswith(")"):
        short = publisher[publisher.rindex("(") + 1 : -1]
        publisher = short if " " not in short else publisher[: publisher.rindex("(")].strip()
    when = ref.date or (ref.date_note or "undated")
    address = f", {ref.url}" if ref.url else ""
    unverified = f" ({UNVERIFIED})" if not ref.verified else ""
    return f"{publisher}, “{limits.clip(ref.title, 90)}” ({when}){address}{unverified}"


class Citations:
    """Numbers the sources a reply cites, in order of first use."""

    def __init__(self) -> None:
        self._refs: dict[SourceRef, int] = {}
        # the same reference object is usually cited many times: skip hashing its fields again
        self._marks: dict[int, tuple[SourceRef, str]] = {}

    def cite(self, ref: SourceRef) -> str:
        known = self._marks.get(id(ref))
        if known is not None and known[0] is ref:
            return known[1]
        if ref not in self._refs:
            self._refs[ref] = len(self._refs) + 1
        mark = f"[{self._refs[ref]}]"
        self._marks[id(ref)] = (ref, mark)  # holds `ref`, so its id cannot be reused meanwhile
        return mark

    def __bool__(self) -> bool:
        return bool(self._refs)

    @property
    def refs(self) -> list[SourceRef]:
        return list(self._refs)

    def footer(self) -> str:
        return "Sources: " + " · ".join(f"[{n}] {source_label(ref)}" for ref, n in self._refs.items())


def _split_long(line: str, limit: int) -> list[str]:
    """Cuts a line longer than `limit` at spaces (mid-word only if a word is that long)."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return pieces + ([line] if line else [])


def _chunks(lines: Iterable[str], limit: int) -> Iterator[str]:
    """Joins lines into blocks of at most `limit` characters; long lines continue in the next block."""
    current = ""
    for line in (piece for raw in lines for piece in _split_long(raw, limit)):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            yield current
            current = line
        else:
            current = candidate
    if current:
        yield current


def _fields(sections: Sequence[Section]) -> Iterator[tuple[str, str, bool]]:
    """(name, value, inline) of every embed field the sections fill, made as the pages need them."""
    for section in sections:
        for i, chunk in enumerate(_chunks(section.lines, limits.FIELD_VALUE)):
            name = section.name if i == 0 else f"{section.name} (continued)"
            yield limits.clip(name, limits.FIELD_NAME), chunk, section.inline


def build_reply(
    title: str,
    *,
    description: str = "",
    sections: Sequence[Section] = (),
    citations: Citations | None = None,
    footer: str = "",
    colour: discord.Colour = INFO,
    ephemeral: bool = False,
    error: bool = False,
    url: str | None = None,
) -> Reply:
    """Lays out a reply over as many pages as it needs, each within Discord's limits.

    Nothing is dropped: long descriptions, sections and lines continue in the next
    field or page. A reply that would need more pages than a person can page
    through is cut at MAX_PAGES, and says so.
    """
    title = limits.clip(title, limits.EMBED_TITLE)
    footer_text = " · ".join(x for x in (footer, citations.footer() if citations else "") if x)
    footer_text = limits.clip(footer_text, limits.FOOTER - 40)
    truncated = False

    desc_chunks = list(_chunks(description.split("\n") if description else [], limits.EMBED_DESCRIPTION))

    fixed = len(title) + len(footer_text) + 40
    pages: list[discord.Embed] = []

    def new_page(description: str | None) -> discord.Embed:
        embed = discord.Embed(title=title, description=description or None, colour=colour, url=url)
        pages.append(embed)
        return embed

    for chunk in desc_chunks or [""]:
        embed = new_page(chunk)
    used = fixed + len(embed.description or "")
    fields_here = 0  # counted here: Embed.fields makes a new proxy of every field on each call
    for name, value, inline in _fields(sections) if len(pages) <= MAX_PAGES else ():
        size = len(name) + len(value)
        if fields_here >= limits.EMBED_FIELDS or used + size > PAGE_BUDGET:
            if len(pages) >= MAX_PAGES:  # the rest would only fill pages that are cut: stop making it
                truncated = True
                break
            embed = new_page(None)
            used = fixed
            fields_here = 0
        embed.add_field(name=name, value=value, inline=inline)
        fields_here += 1
        used += size

    if len(pages) > MAX_PAGES:
        del pages[MAX_PAGES:]
        truncated = True
    total = len(pages)
    for number, embed in enumerate(pages, start=1):
        parts = []
        if total > 1:
            parts.append(f"Page {number}/{total}")
        if truncated:
            parts.append(f"Shortened to the first {MAX_PAGES} pages")
        if footer_text:
            parts.append(footer_text)
        if parts:
            embed.set_footer(text=limits.clip(" · ".join(parts), limits.FOOTER))
    return Reply(pages=[[p] for p in pages], ephemeral=ephemeral, error=error, truncated=truncated)


def message_reply(
    title: str, text: str, *, colour: discord.Colour = NOTICE, ephemeral: bool = True, error: bool = False
) -> Reply:
    return build_reply(title, description=text, colour=colour, ephemeral=ephemeral, error=error)
