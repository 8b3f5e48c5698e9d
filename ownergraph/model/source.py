"""The loader contract: a loader is a generator over a :class:`SourceFile` yielding records.

Loaders never touch the workspace; the shared machinery in ``ownergraph.ingest`` batches what they
yield into transactions, writes rejects, shows progress and prints the summary.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ownergraph.errors import UnreadableFileError
from ownergraph.model.records import Provenance, Record


@dataclass
class SourceFile:
    """One file named on the command line, with the context a loader needs to read it."""

    path: Path
    dataset: str
    source_url: str | None = None
    column_map: Mapping[str, str] | None = None
    """``--map``: source column name -> our field name, for the simple CSV loaders."""
    _main: IO[bytes] | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def bytes_read(self) -> int:
        """How far the main file has been read (for progress bars)."""
        if self._main is None or self._main.closed:
            return 0
        return self._main.tell()

    def open_binary(self, path: Path | None = None) -> IO[bytes]:
        """Open the main file (or a companion file beside it) for reading bytes."""
        target = path or self.path
        try:
            handle = target.open("rb")
        except OSError as error:
            raise UnreadableFileError(target, error.strerror or str(error)) from error
        if path is None or path == self.path:
            self._main = handle
        return handle

    def open_text(self, path: Path | None = None, encoding: str = "utf-8-sig") -> IO[str]:
        """Open as text for the csv module (``newline=""``), failing early on a wrong encoding."""
        handle = self.open_binary(path)
        head = handle.peek(65536) if isinstance(handle, io.BufferedReader) else b""
        try:
            head.decode(encoding.replace("-sig", ""))
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the peeked block is not an error.
            if error.start < len(head) - 4:
                handle.close()
                raise UnreadableFileError(
                    path or self.path, f"not {encoding} text (byte {error.start}: {error.reason})"
                ) from error
        return io.TextIOWrapper(handle, encoding=encoding, newline="")

    def provenance(self, record: object, path: Path | None = None) -> Provenance:
        return Provenance(self.dataset, str(path or self.path), str(record), self.source_url)


Reader = Callable[[SourceFile], Iterator[Record]]


@dataclass(frozen=True, slots=True)
class LoaderSpec:
    """A registered format: its name on the command line and the generator that reads it."""

    name: str
    read: Reader
    description: str
    default_dataset: str | None = None
    """Dataset name when ``--dataset`` is not given; None means the file's folder name."""
    snapshot: bool = False
    """A file is the complete list: listings absent from a finished load get a delisting date."""
    takes_map: bool = False
    """Accepts ``--map FILE`` (column renaming)."""
