"""Safe, streaming XML for loaders: lxml iterparse with entities, DTDs and network access off.

Untrusted list files are refused outright when they declare entities or an external DTD (billion
laughs, XXE); elements are freed as soon as they are processed so memory stays flat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ownergraph.errors import UnreadableFileError
from ownergraph.model import SourceFile

_PROLOG = 65536
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_EXTERNAL_DTD = re.compile(rb"<!DOCTYPE[^>\[]*\b(SYSTEM|PUBLIC)\b", re.IGNORECASE)


def local(tag: object) -> str:
    """An element's tag without its namespace: ``{http://...}sdnEntry`` -> ``sdnEntry``."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def check_prolog(head: bytes, path: Path) -> None:
    """Refuse documents that declare entities or point at an external DTD."""
    if _ENTITY.search(head):
        raise UnreadableFileError(
            path, "refusing XML that declares DTD entities (possible entity-expansion attack)"
        )
    if _EXTERNAL_DTD.search(head):
        raise UnreadableFileError(path, "refusing XML that references an external DTD")


def iterparse(
    source: SourceFile, tags: tuple[str, ...], path: Path | None = None
) -> Iterator[etree._Element]:
    """Yield each completed element whose local name is in ``tags``, then free it.

    The caller must finish with an element before asking for the next one: it is cleared
    (with its already-processed preceding siblings) as soon as iteration resumes.
    """
    target = path or source.path
    handle = source.open_binary(path)
    with handle:
        check_prolog(handle.peek(_PROLOG)[:_PROLOG] if hasattr(handle, "peek") else b"", target)
        events = etree.iterparse(
            handle,
            events=("end",),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        wanted = set(tags)
        try:
            for _, element in events:
                if local(element.tag) in wanted:
                    yield element
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    if parent is not None:
                        while element.getprevious() is not None:
                            del parent[0]
        except etree.XMLSyntaxError as error:
            raise UnreadableFileError(target, f"malformed XML: {error}") from error


def text(element: etree._Element | None) -> str:
    """Stripped text of an element, '' when absent."""
    if element is None or element.text is None:
        return ""
    return str(element.text).strip()
