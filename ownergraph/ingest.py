"""The loading machinery shared by every format: batching, transactions, progress, rejects, summary.

A loader only yields records; this module qualifies them into the workspace one transaction per
batch, so Ctrl-C or a crash loses at most the batch in flight and a re-run completes the load.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from time import perf_counter

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

import loaders
from ownergraph.errors import InputError, OwnergraphError, UnreadableFileError
from ownergraph.model import Entity, Link, Listing, Notice, Record, Reject, Shipment, SourceFile
from ownergraph.model.source import LoaderSpec, Reader
from ownergraph.workspace import BatchCounts, Workspace
from ownergraph.workspace.store import PreparedBatch, prepare_batch

BATCH_SIZE = 5000
BULK_BYTES = 64 * 2**20
"""Files at least this large load with lookup indexes built once at the end (much faster)."""
PARALLEL_BYTES = 4 * 2**20
"""Files at least this large are parsed in a second process while this one writes."""


@dataclass
class LoadSummary:
    """The end-of-load report: what was read, written, rejected and noticed."""

    dataset: str
    format: str
    file: str
    load_id: int
    status: str = "running"
    records: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    withdrawn: int = 0
    notices: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "format": self.format,
            "file": self.file,
            "status": self.status,
            "records": self.records,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "withdrawn": self.withdrawn,
            "notices": dict(self.notices),
            "seconds": round(self.seconds, 3),
        }


def dataset_name(spec: LoaderSpec, path: Path) -> str:
    """The dataset a file loads into when ``--dataset`` is not given."""
    if chosen := spec.dataset_for(path):
        return chosen
    folder = path.resolve().parent.name
    return folder or path.stem


def load_file(
    workspace: Workspace,
    format_name: str,
    path: Path,
    *,
    dataset: str | None = None,
    column_map: Mapping[str, str] | None = None,
    source_url: str | None = None,
    progress: bool | None = None,
    batch_size: int = BATCH_SIZE,
    bulk: bool | None = None,
    parallel: bool | None = None,
    console: Console | None = None,
) -> LoadSummary:
    """Load one file of ``format_name`` into ``workspace`` and return the summary.

    Raises :class:`InputError` for an unknown format or a missing/unreadable file; rejected records
    are counted and stored, not raised. ``KeyboardInterrupt`` marks the load interrupted (the
    committed batches stay) and propagates. ``bulk`` builds lookup indexes once at the end
    instead of row by row (default: for files of at least ``BULK_BYTES``). ``parallel`` runs the
    loader and the row preparation in a forked child process, so parsing and writing overlap on
    two cores (default: for files of at least ``PARALLEL_BYTES``).
    """
    spec = loaders.get(format_name)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if column_map is not None and not spec.takes_map:
        raise InputError(f"format {format_name!r} does not take --map")
    name = dataset or dataset_name(spec, path)
    if ":" in name or not name.strip():
        raise InputError(f"dataset name {name!r} must be non-empty and contain no ':'")
    source = SourceFile(path, name, source_url=source_url, column_map=column_map)
    size = spec.input_size(path)  # companion files included: the whole of what will be read
    load_id = workspace.begin_load(name, format_name, str(path))
    summary = LoadSummary(name, format_name, str(path), load_id)
    if bulk is None:
        bulk = size >= BULK_BYTES
    if parallel is None:
        parallel = size >= PARALLEL_BYTES
    parallel = parallel and "fork" in multiprocessing.get_all_start_methods()
    if bulk:
        workspace.defer_indexes()
    if spec.snapshot:
        workspace.start_listing_snapshot()
    started = perf_counter()
    console = console or Console(stderr=True)
    show = console.is_terminal if progress is None else progress
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not show,
    )
    try:
        with bar:
            task = bar.add_task(f"{format_name} {path.name}", total=size)
            batches = (
                _prepared_in_child(spec.read, source, summary.notices, batch_size)
                if parallel
                else _prepared(spec.read, source, summary.notices, batch_size)
            )
            for batch, position in batches:
                counts = workspace.write_prepared(
                    load_id, name, str(path), batch, seen_listings=spec.snapshot
                )
                _count(summary, counts)
                bar.update(task, completed=position)
    except KeyboardInterrupt:
        _stop(workspace, summary, "interrupted", "interrupted by user")
        raise
    except UnicodeDecodeError as error:
        failure = UnreadableFileError(path, f"not valid text at byte {error.start}")
        _stop(workspace, summary, "failed", str(failure))
        raise failure from error
    except UnreadableFileError as error:
        _stop(workspace, summary, "failed", str(error))
        raise
    except (OwnergraphError, OSError, ValueError) as error:
        _stop(workspace, summary, "failed", str(error))
        raise InputError(f"{path}: {error}") from error
    finally:
        if bulk:
            workspace.build_deferred_indexes()
    if spec.snapshot:
        summary.withdrawn = workspace.withdraw_unseen(load_id, name)
    summary.status = "done"
    summary.seconds = perf_counter() - started
    workspace.finish_load(load_id, "done", dict(summary.notices))
    return summary


def _stop(workspace: Workspace, summary: LoadSummary, status: str, reason: str) -> None:
    summary.status = status
    workspace.finish_load(summary.load_id, status, dict(summary.notices), reason)


def _batches(
    records: Iterator[Record], notices: Counter[str], size: int
) -> Iterator[Sequence[Entity | Link | Listing | Shipment | Reject]]:
    batch: list[Entity | Link | Listing | Shipment | Reject] = []
    for record in records:
        if isinstance(record, Notice):
            notices[record.code] += 1
            continue
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepared(
    read: Reader, source: SourceFile, notices: Counter[str], size: int
) -> Iterator[tuple[PreparedBatch, int]]:
    for batch in _batches(read(source), notices, size):
        yield prepare_batch(batch), source.bytes_read


def _produce(read: Reader, source: SourceFile, size: int, sender: Connection) -> None:
    """Child process: read and prepare batches, send them with notices and the file position."""
    notices: Counter[str] = Counter()
    try:
        for batch, position in _prepared(read, source, notices, size):
            sender.send(("batch", batch, position, notices))
            notices.clear()  # send() pickled it; _batches keeps counting into this object
        sender.send(("end", None, source.bytes_read, notices))
    except KeyboardInterrupt:
        sender.send(("interrupt", None, 0, notices))
    except BaseException as error:  # every failure must reach the parent, which re-raises it
        try:
            pickle.dumps(error)
        except Exception:  # an error that cannot travel is sent as its text
            error = RuntimeError(f"{type(error).__name__}: {error}")
        sender.send(("error", error, 0, notices))
    finally:
        sender.close()


def _prepared_in_child(
    read: Reader, source: SourceFile, notices: Counter[str], size: int
) -> Iterator[tuple[PreparedBatch, int]]:
    """Batches prepared by a forked child while this process writes the previous ones.

    The pipe holds little, so the child waits for the writer: memory stays bounded.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(read, source, size, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload, position, delta = receiver.recv()
            except EOFError:
                raise OwnergraphError("the loader process ended without finishing") from None
            notices.update(delta)
            if kind == "batch":
                yield payload, position
            elif kind == "end":
                return
            elif kind == "interrupt":
                raise KeyboardInterrupt
            else:
                raise payload
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _count(summary: LoadSummary, counts: BatchCounts) -> None:
    summary.records += counts.inserted + counts.updated + counts.unchanged
    summary.inserted += counts.inserted
    summary.updated += counts.updated
    summary.unchanged += counts.unchanged
    summary.rejected += counts.rejected
