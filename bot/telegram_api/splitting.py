"""Split an outgoing text into parts that Telegram accepts (at most 4096 characters each).

Rules of `split_message`:

* Length is counted in UTF-16 code units, as Telegram does (😀 counts 2). Every part fits the limit
  and has visible text; empty or whitespace-only input gives no parts; a text that fits comes back
  unchanged as the only part.
* A part ends at a boundary, preferring in this order: a paragraph break (blank line), a line
  break, the end of a sentence (``.``, ``!``, ``?`` or ``…``, possibly followed by closing quotes or
  brackets such as ``»`` ``"`` ``)``, then whitespace), any whitespace. The latest boundary of the
  most preferred kind that lies in the last half of the window wins; when no boundary lies in the
  last half, the latest one of the most preferred kind present is taken. So a paragraph break in the
  last half is never abandoned for a later line break, and a paragraph break near the start of the
  window does not make a tiny part when a line break or sentence end sits late in the window.
* Words are never cut. Only a run of non-whitespace longer than the limit (a huge URL; in HTML, longer
  than the room the reopened tags leave) is cut mid-run, and never inside a surrogate pair or a
  grapheme (combining marks, emoji joiners and modifiers, flags stay with their base), nor inside an
  HTML tag or entity.
* The whitespace at a split point is dropped; nothing else changes. If the first part's leading
  indentation leaves no room for a boundary, that indentation is dropped as well.
* ``html=True`` (Telegram's HTML parse mode): tags open at a split point are closed at the end of the
  part, innermost first, and reopened with their original attributes at the start of the next one.
  The limit applies to the raw markup, added tags included, which is conservative: Telegram counts
  after parsing. Text outside tags must already be escaped by the caller.
* ``limit`` below `MIN_LIMIT` raises ValueError, as does HTML whose tags leave no room for any text
  within the limit once reopened.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

TELEGRAM_LIMIT = 4096
MIN_LIMIT = 16

SENTENCE_ENDS = ".!?…"
CLOSERS = "»\"'”’)]}›"

_HTML_TOKEN = re.compile(
    r"""<(?:[^<>"']|"[^"]*"|'[^']*')*>"""
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
)
_TAG_NAME = re.compile(r"<\s*(/)?\s*([A-Za-z][\w-]*)")
_ZWJ = "\u200d"


class _Kind(Enum):
    TEXT = "text"
    SPACE = "space"
    OPEN = "open"
    CLOSE = "close"
    TAG = "tag"  # a tag that opens nothing: self-closing, comment, unknown syntax


_MARKUP = (_Kind.OPEN, _Kind.CLOSE, _Kind.TAG)


class _Atom(NamedTuple):
    """An unsplittable piece of the input: one character, or in HTML mode also a tag or an entity."""

    raw: str
    kind: _Kind
    units: int
    value: str  # the character(s) it shows for TEXT/SPACE; the lower-case tag name for OPEN/CLOSE


class _Boundary(Enum):
    SPACE = 0
    SENTENCE = 1
    LINE = 2
    PARAGRAPH = 3


_PREFERENCE = (_Boundary.PARAGRAPH, _Boundary.LINE, _Boundary.SENTENCE, _Boundary.SPACE)


class _Gap(NamedTuple):
    """A maximal run of whitespace (and, in HTML, tags) containing whitespace: a place to split."""

    start: int
    end: int
    boundary: _Boundary


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_message(text: str, limit: int = TELEGRAM_LIMIT, *, html: bool = False) -> list[str]:
    """Parts of `text`, each at most `limit` UTF-16 code units long (see the module's rules)."""
    if limit < MIN_LIMIT:
        raise ValueError(f"limit must be at least {MIN_LIMIT} UTF-16 code units, got {limit}")
    atoms = _tokenize(text, html)
    if not any(atom.kind is _Kind.TEXT for atom in atoms):
        return []
    if utf16_len(text) <= limit:
        return [text]
    return _Splitter(text, atoms, limit).parts()


def _tokenize(text: str, html: bool) -> list[_Atom]:
    if not html:
        return [_char_atom(char) for char in text]
    atoms: list[_Atom] = []
    position = 0
    for match in _HTML_TOKEN.finditer(text):
        atoms.extend(_char_atom(char) for char in text[position : match.start()])
        atoms.append(_markup_atom(match.group()))
        position = match.end()
    atoms.extend(_char_atom(char) for char in text[position:])
    return atoms


@lru_cache(maxsize=4096)
def _char_atom(char: str) -> _Atom:
    kind = _Kind.SPACE if char.isspace() else _Kind.TEXT
    return _Atom(char, kind, 2 if ord(char) > 0xFFFF else 1, char)


def _markup_atom(raw: str) -> _Atom:
    units = utf16_len(raw)
    if raw.startswith("&"):
        return _Atom(raw, _Kind.TEXT, units, html_lib.unescape(raw))
    name = _TAG_NAME.match(raw)
    if name is None or raw.endswith("/>"):
        return _Atom(raw, _Kind.TAG, units, "")
    kind = _Kind.CLOSE if name.group(1) else _Kind.OPEN
    return _Atom(raw, kind, units, name.group(2).lower())


def _closing_tag(opening: _Atom) -> str:
    return f"</{opening.value}>"


def _open_stacks(atoms: Sequence[_Atom]) -> list[tuple[_Atom, ...]]:
    """The opening tags still open before each atom (and after the last), outermost first."""
    stacks: list[tuple[_Atom, ...]] = [()]
    stack: list[_Atom] = []
    for atom in atoms:
        if atom.kind is _Kind.OPEN:
            stack.append(atom)
        elif atom.kind is _Kind.CLOSE:
            _close(stack, atom.value)
        stacks.append(tuple(stack))
    return stacks


def _close(stack: list[_Atom], name: str) -> None:
    """Pop up to the innermost open `name`; a stray closing tag changes nothing."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].value == name:
            del stack[depth:]
            return


def _gaps(atoms: Sequence[_Atom]) -> list[_Gap]:
    gaps: list[_Gap] = []
    index = 0
    while index < len(atoms):
        if atoms[index].kind is _Kind.TEXT:
            index += 1
            continue
        end = _skip_gap(atoms, index)
        spaces = "".join(atom.value for atom in atoms[index:end] if atom.kind is _Kind.SPACE)
        if spaces:
            gaps.append(_Gap(index, end, _boundary(atoms, index, spaces)))
        index = end
    return gaps


def _skip_gap(atoms: Sequence[_Atom], index: int) -> int:
    while index < len(atoms) and atoms[index].kind is not _Kind.TEXT:
        index += 1
    return index


def _boundary(atoms: Sequence[_Atom], gap_start: int, spaces: str) -> _Boundary:
    line_breaks = len((spaces + "x").splitlines()) - 1
    if line_breaks >= 2:
        return _Boundary.PARAGRAPH
    if line_breaks == 1:
        return _Boundary.LINE
    if _ends_sentence(atoms, gap_start):
        return _Boundary.SENTENCE
    return _Boundary.SPACE


def _ends_sentence(atoms: Sequence[_Atom], end: int) -> bool:
    """Whether the text before `end` ends with sentence punctuation, closing quotes aside."""
    for index in range(end - 1, -1, -1):
        atom = atoms[index]
        if atom.kind in _MARKUP or atom.value in CLOSERS:
            continue
        return atom.kind is _Kind.TEXT and atom.value[-1:] in SENTENCE_ENDS
    return False


def _extends_grapheme(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (emoji presentation)
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or 0xE0100 <= code <= 0xE01EF
        or 0xDC00 <= code <= 0xDFFF  # a low surrogate left unpaired in the str
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


class _Splitter:
    """Greedy left-to-right splitting of one text; costs come from prefix sums, so each cut is cheap."""

    def __init__(self, text: str, atoms: list[_Atom], limit: int) -> None:
        self.text, self.atoms, self.limit = text, atoms, limit
        self.offsets = [0]
        self.units = [0]
        for atom in atoms:
            self.offsets.append(self.offsets[-1] + len(atom.raw))
            self.units.append(self.units[-1] + atom.units)
        self.stacks = _open_stacks(atoms)
        self.reopening = [sum(tag.units for tag in stack) for stack in self.stacks]
        self.closing = [sum(len(tag.value) + 3 for tag in stack) for stack in self.stacks]
        self.gaps = _gaps(atoms)
        self.gap_starts = [gap.start for gap in self.gaps]

    def parts(self) -> list[str]:
        parts: list[str] = []
        start, end = 0, len(self.atoms)
        while start < end:
            if self.cost(start, end) <= self.limit:
                parts.append(self.render(start, end))
                break
            cut = self.boundary_cut(start)
            if cut is None and start == 0 and _skip_gap(self.atoms, 0) > 0:
                start = _skip_gap(self.atoms, 0)  # the indentation leaves no room: drop it
                continue
            if cut is None:
                cut = self.forced_cut(start)
            parts.append(self.render(start, cut))
            start = _skip_gap(self.atoms, cut)
        return parts

    def cost(self, start: int, end: int) -> int:
        """UTF-16 length of the part made of atoms[start:end], tags reopened and closed."""
        return self.reopening[start] + self.units[end] - self.units[start] + self.closing[end]

    def window_end(self, start: int) -> int:
        """The last index whose part fits before counting the closing tags."""
        budget = self.limit - self.reopening[start] + self.units[start]
        return bisect_right(self.units, budget) - 1

    def boundary_cut(self, start: int) -> int | None:
        first = bisect_right(self.gap_starts, start)
        last = bisect_left(self.gap_starts, self.window_end(start) + 1)
        fitting = [gap for gap in self.gaps[first:last] if self.cost(start, gap.start) <= self.limit]
        return _choose(fitting, lambda gap: self.cost(start, gap.start) * 2 >= self.limit)

    def forced_cut(self, start: int) -> int:
        """The latest cut inside an over-long run of non-whitespace, keeping graphemes whole."""
        fallback = None
        for index in range(self.window_end(start), start, -1):
            if self.atoms[index - 1].kind is not _Kind.TEXT or self.cost(start, index) > self.limit:
                continue
            if not self.splits_grapheme(index):
                return index
            fallback = fallback or index  # a grapheme longer than the limit: cut it after all
        if fallback is None:
            raise ValueError(
                f"limit {self.limit} leaves no room for text once the open HTML tags are repeated"
            )
        return fallback

    def splits_grapheme(self, index: int) -> bool:
        if index >= len(self.atoms) or self.atoms[index].kind is not _Kind.TEXT:
            return False
        before, after = self.atoms[index - 1].value[-1], self.atoms[index].value[0]
        if _extends_grapheme(after) or before == _ZWJ:
            return True
        if _is_regional_indicator(before) and _is_regional_indicator(after):
            return self.regional_run_before(index) % 2 == 1
        return False

    def regional_run_before(self, index: int) -> int:
        count = 0
        while index > 0 and self.atoms[index - 1].kind is _Kind.TEXT:
            value = self.atoms[index - 1].value
            if len(value) != 1 or not _is_regional_indicator(value):
                break
            count += 1
            index -= 1
        return count

    def render(self, start: int, end: int) -> str:
        reopened = "".join(tag.raw for tag in self.stacks[start])
        closed = "".join(_closing_tag(tag) for tag in reversed(self.stacks[end]))
        return reopened + self.text[self.offsets[start] : self.offsets[end]] + closed


def _choose(gaps: list[_Gap], is_late: Callable[[_Gap], bool]) -> int | None:
    """Where to cut among fitting gaps (in text order): see the module's boundary rule."""
    if not gaps:
        return None
    for boundary in _PREFERENCE:
        late = [gap for gap in gaps if gap.boundary is boundary and is_late(gap)]
        if late:
            return late[-1].start
    best = next(boundary for boundary in _PREFERENCE if any(gap.boundary is boundary for gap in gaps))
    return [gap for gap in gaps if gap.boundary is best][-1].start
