"""Streaming JSON for loaders: one value at a time from a sliding text buffer, never the whole file.

There is no streaming JSON library among our dependencies, so :class:`JsonText` keeps a window over
the text and decodes one value at a time with :meth:`json.JSONDecoder.raw_decode`: memory grows
with the largest value, not with the file. On it, :func:`read_json_items` reads the items of a
top-level array (a syntax error inside one item becomes a :class:`Reject` for that item and the
reader moves on) or JSON lines; the GLEIF loaders walk nested documents with it
(``loaders/_gleif.py``). A file that is not JSON at all is an :class:`UnreadableFileError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ownergraph.errors import UnreadableFileError
from ownergraph.model import Reject, SourceFile

RAW_LIMIT = 4096
"""Characters of a bad item kept in the rejects table."""
_CHUNK = 1 << 16
_MAX_ITEM = 64 * 2**20
"""Characters one value may span before the reader gives up on the rest of the file."""
_NON_BLANK = re.compile(r"[^ \t\r\n]")
_STRUCTURE = re.compile(r'["{}\[\]]')
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR_END = re.compile(r"[,\]\n]")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class JsonItem:
    """One parsed item with the line it starts on and, in an array, its JSON path (``$[3]``)."""

    value: Any
    line: int
    location: str | None = None


def raw_json(value: Any) -> str:
    """An item re-serialised for the rejects table (truncated to :data:`RAW_LIMIT`)."""
    return json.dumps(value, ensure_ascii=False)[:RAW_LIMIT]


class JsonText:
    """A sliding window over JSON text that decodes one value at a time.

    ``head`` is text already read from ``handle`` (to look at the first character).
    """

    def __init__(self, handle: IO[str], path: Path, head: str = "") -> None:
        self.handle = handle
        self.path = path
        self.buffer = head
        self.pos = 0
        self.line = 1
        """The line number at ``pos``."""
        self.ended = False
        self.stopped = False
        """Set when a value never ends: nothing after it can be read."""

    def error(self, reason: str) -> UnreadableFileError:
        return UnreadableFileError(self.path, f"malformed JSON at line {self.line}: {reason}")

    def peek(self) -> str:
        """The next non-blank character, not consumed; '' at the end of the text."""
        while True:
            match = _NON_BLANK.search(self.buffer, self.pos)
            if match:
                self._advance(match.start())
                return match.group()
            self._advance(len(self.buffer))
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        """Consume ``char`` (the next non-blank character); a file error when it is another."""
        if self.peek() != char:
            raise self.error(f"expected {char!r}")
        self._advance(self.pos + 1)

    def separator(self, closing: str) -> bool:
        """Consume a ``,`` (False) or see ``closing`` (True, not consumed)."""
        char = self.peek()
        if char == closing:
            return True
        self.expect(",")
        return False

    def value(self) -> Any:
        """The next value; a file error when it is malformed."""
        found = self.item()
        if isinstance(found, JsonItem):
            return found.value
        if not self.stopped:
            raise self.error(found.reason)
        if self.ended:
            raise self.error("the file ends inside a value (truncated?)")
        raise self.error(f"a value longer than {_MAX_ITEM} characters or with unbalanced brackets")

    def item(self, location: str | None = None) -> JsonItem | Reject:
        """The next value, or a Reject when it is malformed and the reading can go on after it.

        A malformed value is skipped by its brackets and strings alone; one that never ends
        (or exceeds :data:`_MAX_ITEM`) sets :attr:`stopped`.
        """
        self.peek()
        while True:
            start, line = self.pos, self.line
            try:
                value, end = _DECODER.raw_decode(self.buffer, start)
            except json.JSONDecodeError as error:
                bad_end = _item_end(self.buffer, start) if start < len(self.buffer) else None
                if bad_end is None:
                    if len(self.buffer) - start < _MAX_ITEM and self._more():
                        continue
                    return self._stop(location)
                self._advance(bad_end)
                return Reject(
                    f"not JSON: {error.msg}",
                    line=line,
                    location=location,
                    raw=self.buffer[start:bad_end][:RAW_LIMIT],
                )
            # A number at the end of the window may go on in the next chunk.
            if end == len(self.buffer) and self._more():
                continue
            self._advance(end)
            return JsonItem(value, line, location)

    def rest(self) -> str:
        """The text buffered from the current position (for a reject's raw text)."""
        return self.buffer[self.pos :][:RAW_LIMIT]

    def _stop(self, location: str | None) -> Reject:
        self.stopped = True
        reason = (
            "unterminated item: the file ends inside it"
            if self.ended
            else f"item longer than {_MAX_ITEM} characters or with unbalanced brackets"
        )
        return Reject(
            f"{reason}; the rest of the file is skipped",
            line=self.line,
            location=location,
            raw=self.rest(),
        )

    def _advance(self, position: int) -> None:
        self.line += self.buffer.count("\n", self.pos, position)
        self.pos = position

    def _more(self) -> bool:
        """Read more text (at least as much as is buffered, so decoding a long value again stays
        linear), dropping what was consumed."""
        if self.ended:
            return False
        chunk = self.handle.read(max(_CHUNK, len(self.buffer) - self.pos))
        if not chunk:
            self.ended = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True


def read_json_items(source: SourceFile) -> Iterator[JsonItem | Reject]:
    """Yield the items of ``source``: a JSON array of items, or one JSON value per line.

    The first non-blank character decides: ``[`` is an array, ``{`` is JSON lines, anything else
    makes the file unreadable, as does a first line of JSON lines that does not parse.
    """
    with source.open_text() as handle:
        head = handle.read(_CHUNK)
        first = head.lstrip(" \t\r\n")[:1]
        if not first:
            raise UnreadableFileError(source.path, "empty file, no JSON")
        if first == "[":
            yield from array_items(JsonText(handle, source.path, head))
        elif first == "{":
            yield from _json_lines(handle, head, source.path)
        else:
            raise UnreadableFileError(
                source.path, f"not JSON: expected '[' or '{{' but the file starts with {first!r}"
            )


def array_items(text: JsonText, location: str = "$") -> Iterator[JsonItem | Reject]:
    """The items of the top-level array at the start of ``text``, each with its JSON path.

    A malformed item, a missing comma, a missing end or content after the array is a Reject;
    the items around it are read.
    """
    text.expect("[")
    index = 0
    while True:
        char = text.peek()
        if not char:
            yield Reject("the file ends inside the array (truncated?)", line=text.line)
            return
        if char == "]":
            text.expect("]")
            if text.peek():
                yield Reject("content after the end of the array", line=text.line, raw=text.rest())
            return
        where = f"{location}[{index}]"
        yield text.item(where)
        if text.stopped:
            return
        index += 1
        char = text.peek()
        if char == ",":
            text.expect(",")
        elif char and char != "]":
            yield Reject(f"expected ',' or ']' after {where}", line=text.line)


def _json_lines(handle: IO[str], head: str, path: Path) -> Iterator[JsonItem | Reject]:
    seen_item = False
    for number, line in enumerate(_lines(handle, head), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            if not seen_item:
                raise UnreadableFileError(
                    path, f"line {number} is not JSON ({error.msg}); not a JSON lines file"
                ) from None
            yield Reject(f"not JSON: {error.msg}", line=number, raw=line.rstrip("\r\n")[:RAW_LIMIT])
            continue
        seen_item = True
        yield JsonItem(value, number)


def _lines(handle: IO[str], head: str) -> Iterator[str]:
    """The lines of the file whose first characters, ``head``, were already read."""
    # Split on "\n" only: a JSON string may hold a raw U+2028, which str.splitlines would cut.
    *complete, partial = head.split("\n")
    yield from complete
    if partial:
        yield partial + handle.readline()
    yield from handle


def _item_end(text: str, start: int) -> int | None:
    """Where the value starting at ``start`` ends, judged by brackets and strings alone.

    Used after a decoding error to skip a malformed item; None when the text ends first.
    """
    if text[start] == '"':
        string = _STRING_REST.match(text, start + 1)
        return string.end() if string else None
    if text[start] not in "{[":
        match = _SCALAR_END.search(text, start)
        return match.start() if match else None
    depth = 0
    position = start
    while True:
        match = _STRUCTURE.search(text, position)
        if match is None:
            return None
        char = match.group()
        if char == '"':
            rest = _STRING_REST.match(text, match.end())
            if rest is None:
                return None
            position = rest.end()
            continue
        depth += 1 if char in "{[" else -1
        position = match.end()
        if depth == 0:
            return position
