"""``ownergraph screen``: names against the sanctions lists of a workspace.

The names are screened with :class:`~ownergraph.resolve.screening.Screener` (resolution's
normalisation: any script, romanisation variants, legal forms, one typo a word) against the
party records that have a listing, or the records of chosen datasets. A hit names the record
that matched, the resolved entity it belongs to and the lists that name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ownergraph.errors import InputError
from ownergraph.lookup import canonical_id
from ownergraph.resolve.matchable import read_matchables
from ownergraph.resolve.screening import DEFAULT_CUTOFF, Hit, Screener
from ownergraph.workspace import Workspace

PROGRESS_FROM = 200
"""Fewer names than this are screened without a progress bar."""


def screen_names(
    workspace: Workspace,
    names: Sequence[str],
    *,
    datasets: Sequence[str] = (),
    cutoff: float = DEFAULT_CUTOFF,
    limit: int = 5,
    console: Console | None = None,
) -> dict[str, Any]:
    """Each name's hits, best first: ``{"records", "datasets", "cutoff", "results": [{"query",
    "hits": [{"entity", "record", "name", "score", "weak", "lists"}]}]}``.

    Against every party record with a listing (live or not: ``lists`` says which), or, with
    ``datasets``, against every party record of those datasets."""
    known = {str(row[0]) for row in workspace.query("SELECT name FROM datasets")}
    unknown = [dataset for dataset in datasets if dataset not in known]
    if unknown:
        raise InputError(f"no dataset named {', '.join(unknown)} in the workspace")
    entries = list(read_matchables(workspace, datasets=datasets, listed=not datasets))
    if not entries:
        raise InputError(
            "nothing to screen against: no party record in those datasets"
            if datasets
            else "nothing to screen against: load a sanctions list first (or give --dataset)"
        )
    screener = Screener(entries)
    lists = _lists(workspace)
    console = console or Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]screening"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
        disable=not console.is_terminal or len(names) < PROGRESS_FROM,
    )  # fmt: skip
    found: dict[str, list[Hit]] = {}
    entity: dict[str, str] = {}
    results = []
    with bar:
        task = bar.add_task("screening", total=len(names))
        for name in names:
            if name not in found:
                found[name] = screener.screen(name, cutoff=cutoff, limit=limit)
            for hit in found[name]:
                if hit.entry not in entity:  # a listed record is hit by many names
                    entity[hit.entry] = canonical_id(workspace, hit.entry)
            hits = [
                {"entity": entity[hit.entry], "record": hit.entry,
                 "name": hit.name, "score": hit.score, "weak": hit.weak,
                 "lists": lists.get(hit.entry, [])}
                for hit in found[name]
            ]  # fmt: skip
            results.append({"query": name, "hits": hits})
            bar.advance(task)
    return {
        "records": len(entries),
        "datasets": list(datasets),
        "cutoff": cutoff,
        "results": results,
    }


def _lists(workspace: Workspace) -> dict[str, list[str]]:
    """Each listed record's lists, as "authority list" with the date it ended, if it did."""
    lists: dict[str, list[str]] = {}
    for entity, authority, list_name, delisted, withdrawn in workspace.query(
        "SELECT entity_id, authority, list_name, delisted_on, withdrawn_on FROM listings "
        "ORDER BY entity_id, authority, list_name"
    ):
        label = f"{authority} {list_name}"
        if delisted:
            label += f" (delisted {delisted})"
        elif withdrawn:
            label += f" (no longer listed, {withdrawn})"
        lists.setdefault(str(entity), []).append(label)
    return lists
