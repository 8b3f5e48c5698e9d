"""Source-format loaders: one module per format, each registering its generator by name.

A loader module decorates its reader with :func:`loader`; :func:`formats` imports every module of
this package once and returns the registry. Loaders depend only on ``ownergraph.model``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from ownergraph.errors import InputError
from ownergraph.model.source import Companions, DatasetChooser, LoaderSpec, Reader

_REGISTRY: dict[str, LoaderSpec] = {}
_DISCOVERED = False


def loader(
    name: str,
    *,
    description: str,
    default_dataset: str | DatasetChooser | None = None,
    snapshot: bool = False,
    takes_map: bool = False,
    companions: Companions | None = None,
) -> Callable[[Reader], Reader]:
    """Register the decorated generator as the reader of format ``name``.

    ``default_dataset`` may be a function of the file's path; ``companions`` lists the files the
    reader will open beside the named one (see :class:`LoaderSpec`).
    """

    def register(read: Reader) -> Reader:
        if name in _REGISTRY and _REGISTRY[name].read is not read:
            raise RuntimeError(f"format {name!r} is registered twice")
        _REGISTRY[name] = LoaderSpec(
            name, read, description, default_dataset, snapshot, takes_map, companions
        )
        return read

    return register


def formats() -> dict[str, LoaderSpec]:
    """All registered formats by name (imports every loader module on first call)."""
    global _DISCOVERED
    if not _DISCOVERED:
        for module in pkgutil.iter_modules(__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{__name__}.{module.name}")
        _DISCOVERED = True
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> LoaderSpec:
    """The loader for ``name``; an :class:`InputError` listing the known names otherwise."""
    known = formats()
    if name not in known:
        raise InputError(f"unknown format {name!r}; known formats: {', '.join(known)}")
    return known[name]
