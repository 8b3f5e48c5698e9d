"""The evidence report of a trace or a set of paths, in Markdown and HTML.

Each path is told as a chain of sentences ("Kestrel Bauteile GmbH (DE) shipped 1,200 electronic
components (HS 854231, CHPL tier 1) to ... on 2023-03-14, declared by ..."), each sentence citing
the facts it rests on; then the flags that ranked it, why its end is sanctioned (the 50%-rule proof
trees), the entity-resolution merges it relies on, and one evidence table with a row per fact and
its citation (dataset, file, record, URL, retrieval date). Every key of the document except the
paths' nodes and edges is optional.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from ownergraph import __version__
from ownergraph.errors import InputError
from ownergraph.exports.model import Selection, Subgraph, verdicts
from ownergraph.model.schema import LINK_KINDS

_PLAIN_UNITS = frozenset(("", "pcs", "pc", "piece", "pieces", "units", "unit", "u"))
_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #0f172a; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #cbd5e1;
padding: 3px 6px; vertical-align: top; text-align: left; } th { background: #f1f5f9; }
code { font-size: 13px; } h2 { border-bottom: 1px solid #cbd5e1; }
"""


def _md(text: Any) -> str:
    """Text safe inside Markdown prose and table cells."""
    value = "" if text is None else str(text)
    for char in ("\\", "|", "*", "_", "[", "]", "<", ">", "`"):
        value = value.replace(char, "\\" + char)
    return value.replace("\n", " ")


def _code(text: Any) -> str:
    """Text as a code span (ids: nothing inside is Markdown), safe in a table cell."""
    return "`" + str(text).replace("`", "'").replace("|", "\\|") + "`"


def _number(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


class _Evidence:
    """Numbered facts, each with its citation, in order of first mention."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, str, dict[str, Any]]] = {}

    def cite(self, key: str | None, fact: str, citation: dict[str, Any]) -> str:
        if not key:
            return ""
        if key not in self.rows:
            self.rows[key] = (len(self.rows) + 1, fact, citation)
        return f"[E{self.rows[key][0]}](#e{self.rows[key][0]})"

    def table(self) -> list[str]:
        lines = [
            "| # | fact | record id | dataset | file | record | URL | retrieved |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for key, (number, fact, c) in self.rows.items():
            lines.append(
                f'| <a id="e{number}"></a>E{number} | {_md(fact)} | {_code(key)} | '
                f"{_md(c.get('dataset'))} | {_md(c.get('source_file'))} | {_md(c.get('record'))} "
                f"| {_md(c.get('source_url'))} | {_md(c.get('loaded_at'))} |"
            )
        return lines


class _Writer:
    def __init__(self, subgraph: Subgraph) -> None:
        self.subgraph = subgraph
        self.evidence = _Evidence()

    def who(self, entity: str) -> str:
        node = self.subgraph.nodes.get(entity)
        if node is None:
            return _md(entity)
        return f"**{_md(node.name)}** ({_md(node.country or '?')})"

    # -- sentences -------------------------------------------------------------------------

    def hop_sentence(self, walk_from: str, walk_to: str, edges: list[dict[str, Any]]) -> str:
        clauses = [self.clause(walk_from, walk_to, edge) for edge in edges]
        return "; and ".join(clause for clause in clauses if clause) + "."

    def clause(self, walk_from: str, walk_to: str, edge: dict[str, Any]) -> str:
        kind = edge["type"]
        forward = edge.get("source", walk_from) == walk_from
        records = edge.get("records") or []
        cites = " ".join(self.cite_record(kind, record) for record in records)
        cites = f" {cites}" if cites else ""
        a, b = self.who(walk_from), self.who(walk_to)
        if kind == "SHIPPED_TO":
            return self.shipment_clause(a, b, records, forward) + cites
        if kind == "DECLARED":
            verb = "declared the goods of" if forward else "had its goods declared by"
            return f"{a} {verb} {b}" + cites
        share, role, dates = self.link_facts(records)
        if kind == "OWNS":
            stake = f"{share}% of" if share else "a stake of unknown size in"
            text = f"{a} owns {stake} {b}" if forward else (
                f"{a} is owned{f' ({share}%)' if share else ''} by {b}")  # fmt: skip
        elif kind == "OFFICER_OF":
            position = role or "an officer"
            text = f"{a} is {position} of {b}" if forward else f"{a} has {b} as {position}"
        else:
            label = LINK_KINDS[kind].label if kind in LINK_KINDS else kind.lower()
            text = f"{a} {label} {b}" if forward else f"{b} {label} {a}"
        return text + dates + cites

    def link_facts(self, records: list[dict[str, Any]]) -> tuple[str, str, str]:
        shares = list(dict.fromkeys(str(r["share"]) for r in records if r.get("share")))
        roles = list(dict.fromkeys(str(r["role"]) for r in records if r.get("role")))
        starts = sorted(str(r["start_date"]) for r in records if r.get("start_date"))
        ends = sorted(str(r["end_date"]) for r in records if r.get("end_date"))
        dates = ""
        if starts and ends and len(records) == len(ends):
            dates = f" from {starts[0]} to {ends[-1]}"
        elif starts:
            dates = f" since {starts[0]}"
        elif ends:
            dates = f" until {ends[-1]}"
        share = "/".join(shares) if shares and shares != ["unknown"] else ""
        return share, ", ".join(roles), dates

    def shipment_clause(self, a: str, b: str, records: list[dict[str, Any]], forward: bool) -> str:
        if not records:
            return f"{a} shipped goods to {b}" if forward else f"{a} received goods from {b}"
        goods = self.goods(records)
        days = sorted(str(r["date"]) for r in records if r.get("date"))
        if len(records) == 1:
            when = f" on {days[0]}" if days else ""
        else:
            when = f" between {days[0]} and {days[-1]}" if days else ""
        declarants = list(dict.fromkeys(str(r["declarant_id"]) for r in records
                                        if r.get("declarant_id")))  # fmt: skip
        by = ""
        if declarants:
            names = [self.who(self.declarant(record)) for record in declarants]
            by = ", declared by " + " and ".join(dict.fromkeys(names))
        if forward:
            return f"{a} shipped {goods} to {b}{when}{by}"
        return f"{a} received {goods} from {b}{when}{by}"

    def declarant(self, record: str) -> str:
        """A declarant's resolved entity: the node whose sources include the record."""
        for node in self.subgraph.nodes.values():
            if node.id == record or any(s.get("id") == record for s in node.sources):
                return node.id
        return record

    def goods(self, records: list[dict[str, Any]]) -> str:
        descriptions = list(dict.fromkeys(str(r["description"]) for r in records
                                          if r.get("description"))) or ["goods"]  # fmt: skip
        what = _md(" / ".join(descriptions))
        quantities = [r.get("quantity") for r in records]
        units = list(dict.fromkeys(str(r.get("unit") or "") for r in records))
        amount = ""
        if all(q is not None for q in quantities) and len(units) == 1:
            unit = units[0]
            total = _number(sum(float(q) for q in quantities if q is not None))
            amount = f"{total} " if unit.lower() in _PLAIN_UNITS else f"{total} {_md(unit)} of "
        codes = list(dict.fromkeys(str(r.get("hs6") or r.get("hs_code")) for r in records
                                   if r.get("hs6") or r.get("hs_code")))  # fmt: skip
        tiers = sorted({str(r["chpl_tier"]) for r in records if r.get("chpl_tier")})
        notes = []
        if codes:
            notes.append("HS " + ", ".join(codes))
        if tiers:
            notes.append("CHPL tier " + "/".join(tiers))
        currencies = list(dict.fromkeys(str(r.get("currency") or "") for r in records))
        values = [r.get("value") for r in records]
        if all(v is not None for v in values) and len(currencies) == 1:
            notes.append(f"{currencies[0]} {_number(sum(float(v) for v in values if v))}".strip())
        consignments = f"{len(records)} consignments of " if len(records) > 1 else ""
        detail = f" ({'; '.join(notes)})" if notes else ""
        return f"{consignments}{amount}{what}{detail}"

    def cite_record(self, kind: str, record: dict[str, Any]) -> str:
        if kind == "SHIPPED_TO" or "exporter_id" in record:
            fact = f"shipment {record.get('date') or ''} HS {record.get('hs_code') or '?'}"
        else:
            fact = f"{record.get('type', kind)} link"
            if record.get("share"):
                fact += f" {record['share']}%"
        return self.evidence.cite(record.get("id"), fact.strip(), record)

    # -- sections --------------------------------------------------------------------------

    def path_section(self, number: int, path: dict[str, Any]) -> list[str]:
        nodes = [node["id"] for node in path.get("nodes", [])]
        score = path.get("score")
        heading = f"## Path {number}" + (
            f" (score {score:.2f})" if isinstance(score, float) else ""
        )
        lines = [heading, "", " → ".join(self.who(node) for node in nodes), ""]
        hops: dict[int, list[dict[str, Any]]] = {}
        for edge in path.get("edges", []):
            hops.setdefault(int(edge.get("hop", 0)), []).append(edge)
        for hop in sorted(hops):
            if hop + 1 < len(nodes):
                lines.append(f"{hop + 1}. " + self.hop_sentence(nodes[hop], nodes[hop + 1],
                                                               hops[hop]))  # fmt: skip
        lines.append("")
        target = path.get("target")
        lines += self.target_section(target)
        lines += self.listed_section(nodes, target.get("id") if isinstance(target, dict) else None)
        lines += self.flags_section(path.get("flags") or [])
        lines += self.merges_section(path.get("merges") or [])
        return lines

    def listed_section(self, nodes: list[str], target: str | None) -> list[str]:
        """The listings of sanctioned entities on the path (the target's are told above)."""
        lines = []
        for entity in dict.fromkeys(nodes):
            node = self.subgraph.nodes.get(entity)
            if node is None or entity == target or not node.sanctioned:
                continue
            for listing in node.listings:
                fact = f"{listing.get('authority')} {listing.get('list')} listing"
                cite = self.evidence.cite(listing.get("id"), fact, listing)
                since = f" since {listing['listed_on']}" if listing.get("listed_on") else ""
                lines.append(f"- {self.who(entity)}: {_md(fact)}{since} {cite}")
        return ["### Sanctioned entities on this path", "", *lines, ""] if lines else []

    def flags_section(self, flags: list[dict[str, Any]]) -> list[str]:
        if not flags:
            return []
        lines = ["### Why this path ranks where it does", "", "| flag | weight | evidence |",
                 "| --- | --- | --- |"]  # fmt: skip
        for flag in flags:
            evidence = flag.get("evidence") or {}
            details = "; ".join(f"{_md(key)}: {self.value(v)}" for key, v in evidence.items())
            weight = flag.get("weight")
            shown = f"{weight:+.2f}" if isinstance(weight, int | float) else ""
            lines.append(f"| {_md(flag.get('flag'))} | {shown} | {details} |")
        return [*lines, ""]

    def value(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(self.value(item) for item in value)
        if isinstance(value, str) and value in self.subgraph.nodes:
            return self.who(value)
        return _md(value)

    def target_section(self, target: Any) -> list[str]:
        if not isinstance(target, dict) or not target.get("id"):
            return []
        status = target.get("status") or "sanctioned"
        lines = [f"### Why {self.who(target['id'])} is a target: {_md(status)}", ""]
        node = self.subgraph.nodes.get(target["id"])
        for listing in node.listings if node else []:
            fact = f"{listing.get('authority')} {listing.get('list')} listing"
            cite = self.evidence.cite(listing.get("id"), fact, listing)
            since = f" since {listing['listed_on']}" if listing.get("listed_on") else ""
            lines.append(f"- Listed: {_md(fact)}{since} {cite}")
        for verdict in verdicts(target):
            explanation = verdict.get("explanation") or ""
            lines.append(f"- {_md(str(verdict.get('regime', '')).upper())}: "
                         f"{_md(verdict.get('status'))}. {_md(explanation)}")  # fmt: skip
            lines += self.proof_tree(verdict.get("proof") or [], depth=1)
        return [*lines, ""]

    def proof_tree(self, steps: list[dict[str, Any]], depth: int) -> list[str]:
        lines = []
        indent = "  " * depth
        for step in steps:
            owner = self.who(str(step.get("owner")))
            link = step.get("link") or step.get("kind") or "OWNS"
            share = step.get("share")
            cites = " ".join(
                self.evidence.cite(c.get("link") or c.get("id"), f"{link} link {share or ''}%", c)
                for c in step.get("citations") or []
            )
            held = "controls" if link == "CONTROLS" else f"holds {share or 'an unknown share'}%"
            lines.append(f"{indent}- {owner} {held} {cites}".rstrip())
            if step.get("owner_status") == "listed":
                for listing in step.get("listings") or []:
                    fact = f"{listing.get('authority')} {listing.get('list')} listing"
                    cite = self.evidence.cite(listing.get("listing"), fact, listing)
                    lines.append(f"{indent}  - listed: {_md(fact)} since "
                                 f"{_md(listing.get('listed_on'))} {cite}")  # fmt: skip
            else:
                see = self.who(str(step.get("see") or step.get("owner")))
                status = _md(step.get("owner_status"))
                lines.append(f"{indent}  - itself {status} by extension (see {see})")
        return lines

    def merges_section(self, merges: list[dict[str, Any]]) -> list[str]:
        if not merges:
            return []
        lines = ["### Entity-resolution merges this path relies on", ""]
        for merge in merges:
            records = merge.get("records") or []
            lines.append(f"- {self.who(str(merge.get('entity')))} is {len(records)} records: "
                         + ", ".join(_code(r) for r in records))  # fmt: skip
            for step in merge.get("explanation") or []:
                features = ", ".join(f"{k} {v:+g}" if isinstance(v, int | float) else f"{k} {v}"
                                     for k, v in (step.get("features") or {}).items())  # fmt: skip
                odds = step.get("log_odds")
                lines.append(
                    f"  - {_code(step.get('left'))} = {_code(step.get('right'))}"
                    + (f": log-odds {odds:g}" if isinstance(odds, int | float) else "")
                    + (f" ({features})" if features else "")
                )
        return [*lines, ""]

    def markdown(self) -> str:
        document = self.subgraph.document or {}
        paths = document.get("paths") or []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        lines = [f"# Evidence report: {_md(self.subgraph.title)}", "",
                 f"Generated {now} by ownergraph {__version__}."]  # fmt: skip
        query = document.get("query")
        if isinstance(query, dict) and query:
            shown = "; ".join(f"{k}: {self.value(v)}" for k, v in query.items()
                              if v not in (None, [], ""))  # fmt: skip
            lines += ["", f"Query: {shown}."]
        summary = document.get("summary")
        if isinstance(summary, dict):
            counts = [f"{k} {self.value(v)}" for k, v in summary.items() if not isinstance(v, list)]
            lines += ["", "Summary: " + ", ".join(counts)]
        lines += ["", "Every sentence cites the records it rests on: **E*n*** refers to the "
                  "evidence table at the end.", ""]  # fmt: skip
        for number, path in enumerate(paths, start=1):
            lines += self.path_section(number, path)
        lines += ["## Evidence", "", *self.evidence.table(), ""]
        return "\n".join(lines)


def markdown(subgraph: Subgraph) -> str:
    """The report as Markdown."""
    if subgraph.document is None:
        raise InputError(
            "the report tells paths: export it from a saved result (--from-json FILE of "
            "'trace --json' or 'paths --json')"
        )
    return _Writer(subgraph).markdown()


def html(text: str, title: str) -> str:
    """A Markdown report as one standalone HTML page."""
    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    escaped = title.replace("&", "&amp;").replace("<", "&lt;")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escaped}</title>'
        f"<style>{_STYLE}</style></head><body>\n{body}</body></html>\n"
    )


def report_paths(path: Path) -> tuple[Path, Path]:
    """The Markdown and HTML files of a report named ``path`` (either suffix, or none)."""
    stem = path.with_suffix("") if path.suffix.lower() in (".md", ".html", ".htm") else path
    return stem.with_name(stem.name + ".md"), stem.with_name(stem.name + ".html")


def write_report(selection: Selection, path: Path) -> list[Path]:
    subgraph = selection.materialise()
    text = markdown(subgraph)
    markdown_path, html_path = report_paths(path)
    markdown_path.write_text(text, encoding="utf-8")
    html_path.write_text(html(text, subgraph.title), encoding="utf-8")
    return [markdown_path, html_path]


def cited_records(subgraph: Subgraph) -> Iterable[str]:
    """Record ids the report of ``subgraph`` cites (for tests and callers)."""
    writer = _Writer(subgraph)
    writer.markdown()
    return list(writer.evidence.rows)
