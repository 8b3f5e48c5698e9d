"""Exports: a selection of the graph written for Gephi, yEd, Cytoscape, FollowTheMoney tools,
spreadsheets, Neo4j, a browser, a reader (the evidence report) or a slide (a picture).

:func:`export` writes a selection (``selection.around``, ``selection.from_document``,
``whole.WholeGraph``) in one of :data:`FORMATS`. Files appear whole or not at all: everything is
written into a temporary folder beside the output first and moved into place at the end, so an
error (an empty selection, a full disk, Ctrl-C) never leaves a half-written or empty file.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ownergraph.errors import InputError
from ownergraph.exports.model import EmptySelection, Selection, Subgraph
from ownergraph.workspace import Workspace

Writer = Callable[[Selection, Path], list[Path]]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    folder: bool = False
    """Writes several files into the output folder (else one file, or the report's two)."""
    streams: bool = False
    """Holds one row at a time, whatever the selection's size."""


def _writer(name: str) -> Writer:
    """The writer of a format, imported on use (openpyxl and matplotlib load only when asked)."""
    if name == "csv":
        from ownergraph.exports.tables import write_csv

        return write_csv
    if name == "xlsx":
        from ownergraph.exports.tables import write_xlsx

        return write_xlsx
    if name == "neo4j-csv":
        from ownergraph.exports.neo4j_csv import write_neo4j_csv

        return write_neo4j_csv
    if name == "ftm":
        from ownergraph.exports.ftm import write_ftm

        return write_ftm
    if name in ("gexf", "graphml", "cyjs"):
        from ownergraph.exports import graphs

        writers: dict[str, Writer] = {"gexf": graphs.write_gexf, "graphml": graphs.write_graphml,
                                      "cyjs": graphs.write_cyjs}  # fmt: skip
        return writers[name]
    if name == "html":
        from ownergraph.exports.viewer import write_html

        return write_html
    if name == "report":
        from ownergraph.exports.report import write_report

        return write_report
    from ownergraph.exports.picture import write_picture

    return lambda selection, path: write_picture(selection, path, name)


FORMATS: dict[str, Format] = {
    spec.name: spec
    for spec in (
        Format("gexf", "GEXF 1.3 for Gephi: attributes, colours, weights, dates as spells"),
        Format("graphml", "GraphML for yEd and Cytoscape desktop"),
        Format("cyjs", "Cytoscape.js JSON (also imported by Cytoscape desktop)"),
        Format("ftm", "FollowTheMoney JSON lines (load ftm reads them back)", streams=True),
        Format("csv", "nodes.csv and edges.csv in the output folder", folder=True, streams=True),
        Format("xlsx", "Excel workbook: a sheet per kind of entity and link, and sources",
               streams=True),
        Format("neo4j-csv", "CSV files for neo4j-admin database import, in the output folder",
               folder=True, streams=True),
        Format("html", "one self-contained interactive HTML page"),
        Format("report", "evidence report of a trace or paths result: FILE.md and FILE.html"),
        Format("png", "a picture of a small subgraph"),
        Format("svg", "a picture of a small subgraph, as SVG"),
    )
}  # fmt: skip


def export(selection: Selection, format_name: str, output: Path) -> list[Path]:
    """Write ``selection`` as ``format_name`` to ``output`` (a folder for folder formats).

    Returns the files written. Raises :class:`InputError` for an unknown format, an empty
    selection or an output that cannot be written.
    """
    if format_name not in FORMATS:
        raise InputError(f"unknown export format {format_name!r}; use one of {', '.join(FORMATS)}")
    if isinstance(selection, Subgraph) and not selection.nodes:
        raise EmptySelection("the selection is empty: nothing to export")
    spec = FORMATS[format_name]
    output = Path(output)
    target = output if spec.folder else output.parent
    created = [folder for folder in (target, *target.parents) if not folder.exists()]
    try:
        target.mkdir(parents=True, exist_ok=True)
        if not spec.folder and output.is_dir():
            raise InputError(f"{output} is a folder; give a file name")
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".part", dir=target))
    except OSError as error:
        raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    try:
        try:
            written = _writer(format_name)(
                selection, staging if spec.folder else staging / output.name
            )
            final = []
            for path in written:
                destination = target / path.name
                path.replace(destination)
                final.append(destination)
            return final
        except OSError as error:
            raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:  # deepest first: only the folders this call made, if still empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_trace_outputs(
    workspace: Workspace, trace_document: dict[str, Any], directory: Path
) -> tuple[Path, Path]:
    """The HTML view and the evidence report of a trace, in ``directory``.

    Returns (``trace.html``, ``trace-report.md``); the report's HTML twin is
    ``trace-report.html`` beside it.
    """
    from ownergraph.exports.selection import from_document

    subgraph = from_document(trace_document, workspace)
    html_path = export(subgraph, "html", directory / "trace.html")[0]
    report = export(subgraph, "report", directory / "trace-report.md")[0]
    return html_path, report


__all__ = ["FORMATS", "EmptySelection", "Format", "export", "write_trace_outputs"]
