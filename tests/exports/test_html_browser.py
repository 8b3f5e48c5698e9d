"""The HTML viewer in a real headless browser (Debian's chromium, driven by playwright): the page
opens with every network request refused, draws every node, and a click on a node or an edge
shows the records that source it. A screenshot is saved (to $OWNERGRAPH_ARTIFACTS when set).

Skipped with a reason when chromium or playwright is missing locally; under CI=true they must
be there (.ci/run installs chromium, the dev extras playwright).
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ownergraph.exports import export
from ownergraph.exports.model import Subgraph

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _need(available: bool, reason: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _need(Path(CHROMIUM).exists(), "chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "playwright is not installed (pip install -e '.[dev]')")
        raise
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 900},
        )  # fmt: skip
        refused: list[str] = []

        def offline(route: Any) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        context.route("**/*", offline)
        tab = context.new_page()
        tab.refused = refused
        yield tab
        context.close()


@pytest.fixture(scope="module")
def opened(page: Any, trace_subgraph: Subgraph, tmp_path_factory: pytest.TempPathFactory) -> Any:
    (path,) = export(trace_subgraph, "html", tmp_path_factory.mktemp("viewer") / "trace.html")
    page.goto(path.as_uri())
    page.wait_for_function("window.ownergraph && window.ownergraph.ready", timeout=20000)
    return page


def _click(page: Any, element: str, selector: str) -> None:
    """Bring one element into the middle of the view, then click it with the mouse."""
    point = page.evaluate(
        """([selector, element]) => {
            const cy = window.ownergraph.cy;
            const target = cy.$(selector)[0];
            cy.fit(target, 250);
            const box = cy.container().getBoundingClientRect();
            const at = element === "node" ? target.renderedPosition() : target.renderedMidpoint();
            return {x: box.left + at.x, y: box.top + at.y};
        }""",
        [selector, element],
    )
    page.mouse.click(point["x"], point["y"])


def test_the_viewer_draws_every_node_without_the_network(
    opened: Any, trace_subgraph: Subgraph
) -> None:
    drawn = opened.evaluate(
        "() => window.ownergraph.cy.nodes().filter(n => n.renderedBoundingBox().w > 0).length"
    )
    assert drawn == len(trace_subgraph.nodes)
    lanes = opened.evaluate("() => window.ownergraph.cy.edges().length")
    assert lanes == len(trace_subgraph.lanes())
    assert opened.refused == []


def test_clicking_a_sanctioned_node_shows_its_listings_and_sources(
    opened: Any, trace_subgraph: Subgraph
) -> None:
    target = next(n for n in trace_subgraph.nodes.values() if n.sanctioned and n.listings)
    _click(opened, "node", f'node[id = "{target.id}"]')
    details = opened.inner_text("#details")
    assert target.name in details
    headings = details.lower()  # the page's headings are uppercased by CSS
    assert "listings" in headings and target.listings[0]["list"] in details
    assert "sources" in headings and target.sources[0]["id"] in details


def test_clicking_a_shipment_edge_shows_the_declaration_it_rests_on(
    opened: Any, trace_subgraph: Subgraph, tmp_path_factory: pytest.TempPathFactory
) -> None:
    mark = trace_subgraph.paths[0]
    edge = next(e for e in trace_subgraph.edges if e.id in mark.edges and e.type == "SHIPPED_TO")
    lane = f"{edge.source}>SHIPPED_TO>{edge.target}"
    _click(opened, "edge", f'edge[id = "{lane}"]')
    details = opened.inner_text("#details")
    assert "facts and their sources" in details.lower()
    assert edge.id in details and edge.records[0]["source_file"] in details
    folder = Path(os.environ.get("OWNERGRAPH_ARTIFACTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "html-viewer.png"
    opened.evaluate("() => { window.ownergraph.cy.fit(undefined, 30); }")
    # Straight from the DevTools protocol: playwright's screenshot waits for web fonts, which an
    # offline page without any font requests can leave pending for half a minute.
    session = opened.context.new_cdp_session(opened)
    shot.write_bytes(base64.b64decode(session.send("Page.captureScreenshot")["data"]))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_searching_a_name_marks_the_matching_node(opened: Any, trace_subgraph: Subgraph) -> None:
    node = next(iter(trace_subgraph.nodes.values()))
    opened.fill("#search", node.name)
    matched = opened.evaluate("() => window.ownergraph.cy.nodes('.match').map(n => n.id())")
    assert node.id in matched
    opened.fill("#search", "")
