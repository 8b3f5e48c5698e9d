"""Streaming JSON for loaders: the items of a top-level array, or of JSON lines, one at a time.

There is no streaming JSON library among our dependencies, so a top-level array is read through a
sliding text buffer with :meth:`json.JSONDecoder.raw_decode`: memory grows with the largest item,
not with the file. A syntax error inside one item becomes a :class:`Reject` for that item and the
reader moves on to the next one; a file that is not JSON at all is an
:class:`UnreadableFileError`.
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
"""Characters one array item may span before the reader gives up on the rest of the file."""
_WHITESPACE = re.compile(r"[ \t\r\n]*")
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
            yield from _ArrayReader(handle, head).items()
        elif first == "{":
            yield from _json_lines(handle, head, source.path)
        else:
            raise UnreadableFileError(
                source.path, f"not JSON: expected '[' or '{{' but the file starts with {first!r}"
            )


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


class _ArrayReader:
    """The items of a top-level JSON array, decoded from a buffer refilled as items are consumed."""

    def __init__(self, handle: IO[str], head: str) -> None:
        self.handle = handle
        self.buffer = head
        self.pos = 0
        self.line = 1
        """The line number at ``pos``."""
        self.eof = False
        self.stopped = False
        """Set when an item never ends: nothing after it can be read."""

    def items(self) -> Iterator[JsonItem | Reject]:
        self._skip_whitespace()
        self._advance(self.pos + 1)  # the opening "["
        index = 0
        while True:
            if not self._skip_whitespace():
                yield Reject("the file ends inside the array (truncated?)", line=self.line)
                return
            if self.buffer[self.pos] == "]":
                self._advance(self.pos + 1)
                yield from self._trailing()
                return
            location = f"$[{index}]"
            yield self._item(location)
            if self.stopped:
                return
            index += 1
            if not self._skip_whitespace():
                continue
            if self.buffer[self.pos] == ",":
                self._advance(self.pos + 1)
            elif self.buffer[self.pos] != "]":
                yield Reject(f"expected ',' or ']' after {location}", line=self.line)

    def _item(self, location: str) -> JsonItem | Reject:
        """The item at ``pos``, or a reject for it when it is malformed."""
        while True:
            start, line = self.pos, self.line
            try:
                value, end = _DECODER.raw_decode(self.buffer, start)
            except json.JSONDecodeError as error:
                bad_end = _item_end(self.buffer, start)
                if bad_end is None:
                    if len(self.buffer) - start < _MAX_ITEM and self._fill():
                        continue
                    return self._stop(location)
                self._advance(bad_end)
                return Reject(
                    f"not JSON: {error.msg}",
                    line=line,
                    location=location,
                    raw=self.buffer[start:bad_end][:RAW_LIMIT],
                )
            # A number at the end of the buffer may continue in the next chunk.
            if end == len(self.buffer) and not self.eof and self._fill():
                continue
            self._advance(end)
            return JsonItem(value, line, location)

    def _stop(self, location: str) -> Reject:
        self.stopped = True
        reason = (
            "unterminated item: the file ends inside it"
            if self.eof
            else f"item longer than {_MAX_ITEM} characters or with unbalanced brackets"
        )
        return Reject(
            f"{reason}; the rest of the file is skipped",
            line=self.line,
            location=location,
            raw=self.buffer[self.pos :][:RAW_LIMIT],
        )

    def _trailing(self) -> Iterator[Reject]:
        if self._skip_whitespace():
            yield Reject(
                "content after the end of the array",
                line=self.line,
                raw=self.buffer[self.pos :][:RAW_LIMIT],
            )

    def _skip_whitespace(self) -> bool:
        """Move past whitespace; False when the file ends first."""
        while True:
            match = _WHITESPACE.match(self.buffer, self.pos)
            if match:
                self._advance(match.end())
            if self.pos < len(self.buffer):
                return True
            if not self._fill():
                return False

    def _advance(self, position: int) -> None:
        self.line += self.buffer.count("\n", self.pos, position)
        self.pos = position

    def _fill(self) -> bool:
        """Read more text (at least as much as is buffered, so re-decoding stays linear)."""
        if self.eof:
            return False
        if self.pos:
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        more = self.handle.read(max(_CHUNK, len(self.buffer)))
        if not more:
            self.eof = True
            return False
        self.buffer += more
        return True


def _item_end(text: str, start: int) -> int | None:
    """Where the item starting at ``start`` ends, judged by brackets and strings alone.

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
