"""The loader contract: a loader is a generator over a :class:`SourceFile` yielding records.

Loaders never touch the workspace; the shared machinery in ``ownergraph.ingest`` batches what they
yield into transactions, writes rejects, shows progress and prints the summary.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ownergraph.errors import UnreadableFileError
from ownergraph.model.records import Provenance, Record


class _CountedReader(io.BufferedReader):
    """A file opened for reading that notes how far it was read when it is closed."""

    def __init__(self, path: Path, reached: dict[Path, int]) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self._path = path
        self._reached_by_path = reached

    def close(self) -> None:
        if not self.closed:
            position = self.tell()
            self._reached_by_path[self._path] = max(
                position, self._reached_by_path.get(self._path, 0)
            )
        super().close()


@dataclass
class SourceFile:
    """One file named on the command line, with the context a loader needs to read it."""

    path: Path
    dataset: str
    source_url: str | None = None
    column_map: Mapping[str, str] | None = None
    """``--map``: source column name -> our field name, for the simple CSV loaders."""
    _handles: dict[Path, _CountedReader] = field(default_factory=dict, repr=False)
    _reached: dict[Path, int] = field(default_factory=dict, repr=False)
    """How far each file opened by this load was read, by the time its last handle closed."""

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def bytes_read(self) -> int:
        """How far the files of this load have been read, summed over the files (for progress
        bars): the furthest position reached in each, so a file read twice counts once."""
        total = 0
        for path in self._reached.keys() | self._handles.keys():
            handle = self._handles.get(path)
            live = 0 if handle is None or handle.closed else handle.tell()
            total += max(live, self._reached.get(path, 0))
        return total

    def open_binary(self, path: Path | None = None) -> IO[bytes]:
        """Open the main file (or a companion file beside it) for reading bytes."""
        target = path or self.path
        try:
            handle = _CountedReader(target, self._reached)
        except OSError as error:
            raise UnreadableFileError(target, error.strerror or str(error)) from error
        self._handles[target] = handle
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
DatasetChooser = Callable[[Path], str]
"""A file's default dataset, chosen from its path (``cons_prim.csv`` -> ``ofac-consolidated``)."""
Companions = Callable[[Path], Sequence[Path]]
"""The files a loader will read beside the named one."""


@dataclass(frozen=True, slots=True)
class LoaderSpec:
    """A registered format: its name on the command line and the generator that reads it."""

    name: str
    read: Reader
    description: str
    default_dataset: str | DatasetChooser | None = None
    """Dataset name when ``--dataset`` is not given, or a function of the file's path that gives
    it; None means the file's folder name."""
    snapshot: bool = False
    """A file is the complete list: listings absent from a finished load get a delisting date."""
    takes_map: bool = False
    """Accepts ``--map FILE`` (column renaming)."""
    companions: Companions | None = None
    """The files read beside the named one (``ofac-csv``'s ``add.csv``..., ``icij``'s other
    CSVs), counted in the progress total and the bulk-load decision."""

    def dataset_for(self, path: Path) -> str | None:
        """The default dataset of ``path`` (None: the caller falls back on the folder name)."""
        if callable(self.default_dataset):
            return self.default_dataset(path)
        return self.default_dataset

    def input_size(self, path: Path) -> int:
        """Bytes this format will read for ``path``: the file and its companion files."""
        files = [path, *(self.companions(path) if self.companions else ())]
        return sum(file.stat().st_size for file in dict.fromkeys(files) if file.is_file())
