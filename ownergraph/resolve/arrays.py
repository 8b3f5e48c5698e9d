"""Records as flat arrays, read from the workspace on all cores, without a Python object each.

A million records as :class:`~ownergraph.resolve.matchable.Matchable` objects cost more time to
build and to garbage-collect than the whole comparison. ``resolve`` therefore reads the workspace
straight into arrays: each process takes a range of record ids, normalises names
(:func:`~ownergraph.resolve.normalise.name_form`) and identifiers
(:func:`~ownergraph.resolve.identifiers.parse`) and appends them to a :class:`Builder` with ids
of its own for words, forms, identifier keys, countries and addresses; the parent merges the
parts by interning their vocabularies (small beside the records) and renumbering the arrays.
The result is the :class:`~ownergraph.resolve.compiled.Encoded` layout the compiled scorer,
blocking and clustering work on.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ownergraph.model.values import fold
from ownergraph.resolve.compiled import (
    FORM_BITS,
    ORGANISATION_KIND,
    PERSON_KIND,
    Encoded,
)
from ownergraph.resolve.identifiers import LOCAL_SCHEMES, UNIQUE_SCHEMES, parse
from ownergraph.resolve.matchable import (
    MAX_NAMES,
    PARTY_SCHEMAS,
    Facts,
    Matchable,
    hint_datasets,
    payload_facts,
)
from ownergraph.resolve.normalise import name_form
from ownergraph.resolve.scoring import HINT_EVIDENCE, ORGANISATIONS, PERSON, TokenWeights

Array = Any
PARALLEL_FROM = 50_000
"""Fewer records than this are read in one process (starting a second costs more)."""
_QUERY = (
    "SELECT id, schema, dataset, country, data FROM entities "
    f"WHERE schema IN ({', '.join('?' * len(PARTY_SCHEMAS))}) AND id >= ? AND id < ? ORDER BY id"
)


class _Ids(dict[Any, int]):
    """Dense ids in order of first appearance."""

    def __missing__(self, key: Any) -> int:
        value = self[key] = len(self)
        return value


@dataclass
class Part:
    """Records of one process: arrays in the part's own ids, and the vocabularies behind them."""

    ids: list[str]
    kind: Array
    undisclosed: Array
    country: Array
    address: Array
    births: tuple[Array, Array]
    incorporations: tuple[Array, Array]
    """Dates as (ptr, code points), made in the worker (arrays travel faster than strings)."""
    legal_forms: Array
    numbers: tuple[Array, Array]
    keys: tuple[Array, Array]
    valid: tuple[Array, Array, Array]
    """(ptr, scheme ids, key ids) of the identifiers not known to be invalid."""
    names: tuple[Array, Array]
    name_weak: Array
    """bool, beside ``names[1]``: a weak alias."""
    hints: list[tuple[int, str, str]]
    """(record, other record id, type) of each candidate match a source gives."""
    countries: list[str]
    addresses: list[str]
    key_names: list[str]
    key_strong: list[bool]
    key_local: list[bool]
    schemes: list[str]
    tokens: list[str]
    forms: list[tuple[int, ...]]
    informative: list[bool]
    number_names: list[str]


def _csr(lists: Sequence[Sequence[int]], dtype: Any = np.int32) -> tuple[Array, Array]:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(items) for items in lists], out=ptr[1:])
    flat = np.fromiter((item for items in lists for item in items), dtype=dtype, count=ptr[-1])
    return ptr, flat


_name_form = name_form.__wrapped__
_parse = parse.__wrapped__
"""Without their LRU caches: the builder remembers each distinct name and identifier itself, and
a million mostly distinct values would only churn those caches."""


class Builder:
    """Appends records, interning every word, form, key and place (one builder a process).

    Each distinct name and identifier text is normalised once and remembered with the ids it
    interned to (names and identifiers recur across records far more than records do)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.kind: list[int] = []
        self.undisclosed: list[bool] = []
        self.country: list[int] = []
        self.address: list[int] = []
        self.births: list[str] = []
        self.incorporations: list[str] = []
        self.legal: list[int] = []
        self.numbers: list[list[int]] = []
        self.keys: list[list[int]] = []
        self.valid_schemes: list[list[int]] = []
        self.valid_keys: list[list[int]] = []
        self.names: list[list[int]] = []
        self.countries, self.addresses, self.key_ids = _Ids(), _Ids(), _Ids()
        self.schemes, self.tokens, self.forms, self.number_ids = _Ids(), _Ids(), _Ids(), _Ids()
        self.key_strong: list[bool] = []
        self.key_local: list[bool] = []
        self.form_tokens: list[tuple[int, ...]] = []
        self.informative: list[bool] = []
        self.seen_names: dict[str, tuple[int, int, tuple[int, ...]]] = {}
        self.seen_identifiers: dict[str, tuple[int, int]] = {}
        self.weak_names: list[tuple[int, int]] = []
        """(record, position among its names) of each weak alias (few records have any)."""
        self.hints: list[tuple[int, str, str]] = []
        """(record, other record id, type) of each candidate match a source gives."""

    def add(self, record_id: str, schema: str, country: str | None, facts: Facts) -> None:
        """One record's raw facts (:func:`~ownergraph.resolve.matchable.payload_facts`), its
        address already folded: normalised here as :func:`~ownergraph.resolve.matchable.prepare`
        normalises them."""
        names, identifiers, birth_date, incorporation, address, undisclosed, weak, hints = facts
        if hints:
            self.hints.extend((len(self.ids), other, kind) for other, kind in hints)
        self.ids.append(record_id)
        self.kind.append(
            PERSON_KIND if schema == PERSON else ORGANISATION_KIND if schema in ORGANISATIONS else 0
        )
        self.undisclosed.append(undisclosed)
        self.country.append(self.countries[country] if country else -1)
        self.address.append(self.addresses[address] if address else -1)
        self.births.append(birth_date or "")
        self.incorporations.append(incorporation or "")
        mask = 0
        numbers: list[int] = []
        forms: list[int] = []
        seen_names = self.seen_names
        for name in names[:MAX_NAMES]:
            entry = seen_names.get(name)
            if entry is None:
                entry = seen_names[name] = self._name(name)
            form_id, bits, number_ids = entry
            if form_id >= 0:
                mask |= bits
                numbers.extend(number_ids)
                if weak and name in weak:
                    self.weak_names.append((len(self.ids) - 1, len(forms)))
                forms.append(form_id)
        self.legal.append(mask)
        self.numbers.append(sorted(set(numbers)) if numbers else numbers)
        self.names.append(forms)
        keys: list[int] = []
        schemes: list[int] = []
        valid: list[int] = []
        seen_identifiers = self.seen_identifiers
        for text in identifiers:
            found = seen_identifiers.get(text)
            if found is None:
                found = seen_identifiers[text] = self._identifier(text)
            key, scheme = found
            if key >= 0:
                if key not in keys:
                    keys.append(key)
                if scheme >= 0:
                    schemes.append(scheme)
                    valid.append(key)
        self.keys.append(keys)
        self.valid_schemes.append(schemes)
        self.valid_keys.append(valid)

    def _name(self, name: str) -> tuple[int, int, tuple[int, ...]]:
        """(form id, legal-form bits, number ids) of a name; form id -1 for one without words."""
        form = _name_form(name)
        if not form.skeleton:
            return -1, 0, ()
        form_id = self.forms[(form.skeleton, form.informative)]
        if form_id == len(self.form_tokens):
            self.form_tokens.append(tuple(self.tokens[token] for token in form.skeleton))
            self.informative.append(form.informative)
        mask = 0
        for label in form.legal_forms:
            mask |= 1 << FORM_BITS[label]
        return form_id, mask, tuple(self.number_ids[number] for number in form.numbers)

    def _identifier(self, text: str) -> tuple[int, int]:
        """(key id, scheme id or -1 when known to be invalid) of an identifier text; key id -1
        for text that is not an identifier."""
        identifier = _parse(text)
        if identifier is None:
            return -1, -1
        key = self.key_ids[identifier.key]
        if key == len(self.key_strong):
            self.key_strong.append(identifier.strong and bool(identifier.valid))
            self.key_local.append(identifier.scheme in LOCAL_SCHEMES)
        return key, self.schemes[identifier.scheme] if identifier.valid is not False else -1

    def part(self, *, reverse: bool = False) -> Part:
        """The arrays and vocabularies; ``reverse`` for records added in descending id order."""
        if reverse:
            for records in (
                self.ids, self.kind, self.undisclosed, self.country, self.address, self.births,
                self.incorporations, self.legal, self.numbers, self.keys, self.valid_schemes,
                self.valid_keys, self.names,
            ):  # fmt: skip
                records.reverse()
            last = len(self.ids) - 1
            self.weak_names = [(last - record, slot) for record, slot in self.weak_names]
            self.hints = [(last - record, other, kind) for record, other, kind in self.hints]
        valid_ptr, valid_schemes = _csr(self.valid_schemes)
        names = _csr(self.names)
        weak = np.zeros(len(names[1]), dtype=np.bool_)
        for record, slot in self.weak_names:
            weak[names[0][record] + slot] = True
        return Part(
            ids=self.ids,
            kind=np.array(self.kind, dtype=np.int8),
            undisclosed=np.array(self.undisclosed, dtype=np.bool_),
            country=np.array(self.country, dtype=np.int32),
            address=np.array(self.address, dtype=np.int32),
            births=_text_csr(self.births),
            incorporations=_text_csr(self.incorporations),
            legal_forms=np.array(self.legal, dtype=np.uint64),
            numbers=_csr(self.numbers),
            keys=_csr(self.keys),
            valid=(valid_ptr, valid_schemes, _csr(self.valid_keys)[1]),
            names=names,
            name_weak=weak,
            hints=self.hints,
            countries=list(self.countries),
            addresses=list(self.addresses),
            key_names=list(self.key_ids),
            key_strong=self.key_strong,
            key_local=self.key_local,
            schemes=list(self.schemes),
            tokens=list(self.tokens),
            forms=self.form_tokens,
            informative=self.informative,
            number_names=list(self.number_ids),
        )


@dataclass
class Records:
    """All records as arrays: ``encoded`` (weights still zero until :func:`weigh`), the record
    ids in index order and the text of each token id."""

    ids: list[str]
    tokens: list[str]
    encoded: Encoded


def _remap(mapping: list[int]) -> Array:
    """A lookup array from a part's ids to the merged ids; index -1 (none) stays -1."""
    return np.array([*mapping, -1], dtype=np.int32)


def _joined(pieces: list[tuple[Array, Array]]) -> tuple[Array, Array]:
    """Concatenate CSR (ptr, items) pieces."""
    ptrs = [pieces[0][0][:1]]
    offset = 0
    for ptr, _ in pieces:
        ptrs.append(ptr[1:] + offset)
        offset += int(ptr[-1])
    return np.concatenate(ptrs), np.concatenate([items for _, items in pieces])


def _text_csr(texts: list[str]) -> tuple[Array, Array]:
    """Code points of the texts, one after the other, with their offsets."""
    ptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(text) for text in texts], out=ptr[1:])
    chars = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.int32)
    return ptr, chars.copy()


def _intern(vocabulary: dict[Any, int], items: Sequence[Any]) -> list[int]:
    """The merged id of each item, numbering new ones in order."""
    return [vocabulary.setdefault(item, len(vocabulary)) for item in items]


def merge(parts: Sequence[Part]) -> Records:
    """One set of arrays from the parts, in the order given, with shared ids."""
    countries: dict[str, int] = {}
    addresses: dict[str, int] = {}
    keys: dict[str, int] = {}
    schemes: dict[str, int] = {}
    tokens: dict[str, int] = {}
    forms: dict[tuple[tuple[int, ...], bool], int] = {}
    numbers: dict[str, int] = {}
    key_strong, key_local = [], []
    form_tokens: list[tuple[int, ...]] = []
    informative: list[bool] = []
    country, address, number_items, key_items, names = [], [], [], [], []
    valid_ptrs, valid_keys = [], []
    for part in parts:
        known = len(keys)
        key_map = np.array(_intern(keys, part.key_names), dtype=np.int32)
        new = key_map >= known  # new keys come in order, so their flags append in order
        key_strong.append(np.array(part.key_strong, dtype=np.bool_)[new])
        key_local.append(np.array(part.key_local, dtype=np.bool_)[new])
        token_map = _intern(tokens, part.tokens)
        form_map = []
        for form, flag in zip(part.forms, part.informative, strict=True):
            merged = tuple(map(token_map.__getitem__, form))
            form_id = forms.setdefault((merged, flag), len(forms))
            if form_id == len(form_tokens):
                form_tokens.append(merged)
                informative.append(flag)
            form_map.append(form_id)
        country.append(_remap(_intern(countries, part.countries))[part.country])
        address.append(_remap(_intern(addresses, part.addresses))[part.address])
        number_map = _remap(_intern(numbers, part.number_names))
        number_items.append((part.numbers[0], number_map[part.numbers[1]]))
        key_lookup = np.append(key_map, np.int32(-1))
        key_items.append((part.keys[0], key_lookup[part.keys[1]]))
        scheme_map = _remap(_intern(schemes, part.schemes))
        valid_ptrs.append((part.valid[0], scheme_map[part.valid[1]]))
        valid_keys.append(key_lookup[part.valid[2]])
        names.append((part.names[0], _remap(form_map)[part.names[1]]))
    valid_ptr, valid_scheme = _joined(valid_ptrs)
    token_text = list(tokens)
    scheme_names = list(schemes)
    form_ptr, form_flat = _csr(form_tokens)
    token_ptr, token_chars = _text_csr(token_text)
    birth_ptr, birth_chars = _joined([part.births for part in parts])
    inc_ptr, inc_chars = _joined([part.incorporations for part in parts])
    encoded = Encoded(
        kind=np.concatenate([part.kind for part in parts]),
        undisclosed=np.concatenate([part.undisclosed for part in parts]),
        country=np.concatenate(country),
        address=np.concatenate(address),
        birth_ptr=birth_ptr,
        birth_chars=birth_chars,
        inc_ptr=inc_ptr,
        inc_chars=inc_chars,
        legal_forms=np.concatenate([part.legal_forms for part in parts]),
        number_ptr=_joined(number_items)[0],
        numbers=_joined(number_items)[1],
        key_ptr=_joined(key_items)[0],
        keys=_joined(key_items)[1],
        key_strong=np.concatenate(key_strong),
        key_local=np.concatenate(key_local),
        valid_ptr=valid_ptr,
        valid_scheme=valid_scheme,
        valid_key=np.concatenate(valid_keys),
        scheme_unique=np.array([s in UNIQUE_SCHEMES for s in scheme_names], dtype=np.bool_),
        scheme_local=np.array([s in LOCAL_SCHEMES for s in scheme_names], dtype=np.bool_),
        name_ptr=_joined(names)[0],
        names=_joined(names)[1],
        name_weak=np.concatenate([part.name_weak for part in parts]),
        form_ptr=form_ptr,
        form_tokens=form_flat,
        form_informative=np.array(informative, dtype=np.bool_),
        form_total=np.zeros(len(form_tokens), dtype=np.float64),
        token_ptr=token_ptr,
        token_chars=token_chars,
        token_weight=np.zeros(len(token_text), dtype=np.float64),
        hint_ptr=np.zeros(0, dtype=np.int64),
        hint_other=np.zeros(0, dtype=np.int32),
        hint_weight=np.zeros(0, dtype=np.float64),
    )
    ids = [record_id for part in parts for record_id in part.ids]
    return Records(ids, token_text, encoded._replace(**_hints(parts, ids)))


def _hints(parts: Sequence[Part], ids: list[str]) -> dict[str, Array]:
    """The candidate matches of the parts as ``Encoded``'s hint arrays, in record order; those
    naming a record absent from the workspace are left out."""
    found: list[tuple[int, int, float]] = []
    offset = 0
    index: dict[str, int] | None = None
    for part in parts:
        if part.hints and index is None:
            index = {record_id: position for position, record_id in enumerate(ids)}
        for record, other, kind in part.hints:
            position = index.get(other) if index is not None else None
            if position is not None:
                found.append((offset + record, position, HINT_EVIDENCE.get(kind, 0.0)))
        offset += len(part.ids)
    found.sort()
    records = np.array([record for record, _, _ in found], dtype=np.int64)
    ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(records, minlength=len(ids)), out=ptr[1:])
    return {
        "hint_ptr": ptr,
        "hint_other": np.array([other for _, other, _ in found], dtype=np.int32),
        "hint_weight": np.array([weight for _, _, weight in found], dtype=np.float64),
    }


def weigh(records: Records, weight: TokenWeights) -> Encoded:
    """The encoded records with token weights and each form's total weight filled in.

    Computed in Python, token by token and form by form, so that the floats are exactly those of
    ``scoring`` (a vectorised log could differ in the last bit)."""
    token_weight = np.array([weight(token) for token in records.tokens], dtype=np.float64)
    values = token_weight.tolist()
    e = records.encoded
    ptr, flat = e.form_ptr.tolist(), e.form_tokens.tolist()
    form_total = np.array(
        [sum(values[token] for token in flat[ptr[f] : ptr[f + 1]]) for f in range(len(ptr) - 1)],
        dtype=np.float64,
    )
    return e._replace(token_weight=token_weight, form_total=form_total)


def from_matchables(records: Sequence[Matchable]) -> Records:
    """Arrays of records already built as Matchable objects (tests, small sets)."""
    builder = Builder()
    for record in records:
        facts: Facts = (
            [form.original for form in record.names],
            [identifier.key for identifier in record.identifiers],
            record.birth_date,
            record.incorporation_date,
            record.address,
            record.undisclosed,
            frozenset(
                form.original for form, weak in zip(record.names, record.weak, strict=False) if weak
            ),
            record.hints,
        )
        builder.add(record.id, record.schema, record.country, facts)
    return merge([builder.part()])


_BATCH = 2000
"""Records a reader claims at a time from its end of a range."""
_claims: Any = None
"""Per range, how many records its front and its back reader have claimed (shared memory)."""


def _share(claims: Any) -> None:
    global _claims
    _claims = claims


def _decode(data: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # lone surrogates, which orjson refuses and json reads
        return json.loads(data)


def read_end(
    path: str,
    low: str,
    high: str | None,
    size: int,
    slot: int,
    forward: bool,
    hinted: frozenset[str] = frozenset(),
) -> Part:
    """One end of the range of ``size`` records with ``low <= id < high`` (no upper bound for
    None), read on its own connection, front to back or back to front, until it meets the reader
    of the other end: each batch is claimed in the shared counts first, so both readers stop
    where their work balances, whatever their records cost. The part is in id order. ``hinted``:
    the datasets whose candidate-match properties are hints.

    Each record is read as :func:`~ownergraph.resolve.matchable.read_matchables` reads it
    (:func:`~ownergraph.resolve.matchable.payload_facts`)."""
    builder = Builder()
    mine, theirs = (2 * slot, 2 * slot + 1) if forward else (2 * slot + 1, 2 * slot)
    query = _QUERY if high is not None else _QUERY.replace(" AND id < ?", "")
    connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        cursor = connection.execute(
            query if forward else query.replace("ORDER BY id", "ORDER BY id DESC"),
            (*PARTY_SCHEMAS, low, *((high,) if high is not None else ())),
        )
        while rows := cursor.fetchmany(_BATCH):
            with _claims.get_lock():
                take = min(len(rows), size - _claims[mine] - _claims[theirs])
                _claims[mine] += take
            for record_id, schema, dataset, country, data in rows[:take]:
                facts = payload_facts(_decode(data), dataset if dataset in hinted else None)
                if facts[4]:  # the address, folded as prepare folds it
                    facts = (*facts[:4], fold(facts[4]), *facts[5:])
                builder.add(record_id, schema, country, facts)
            if take < len(rows):
                break
    finally:
        connection.close()
    return builder.part(reverse=not forward)


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def read_records(database: Path, *, workers: int | None = None) -> Records:
    """Every party record of the workspace file as arrays, in id order, read by ``workers``
    processes (by default one a core, one for a small workspace), this one included.

    The ids are cut into ranges of equal counts, one for every two processes; one process reads
    a range from the front and another from the back, until they meet (:func:`read_end`).
    Records differ in cost (a registry record with a new identifier and address costs about a
    third more than a customs spelling), so equal counts alone left one process idle 2.5 s at a
    million records."""
    chosen = workers
    path = str(database)
    connection = sqlite3.connect(Path(database).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        where = f"schema IN ({', '.join('?' * len(PARTY_SCHEMAS))})"
        total = connection.execute(
            f"SELECT count(*) FROM entities WHERE {where}", PARTY_SCHEMAS
        ).fetchone()[0]
        workers = max(1, min(chosen or (_workers() if total >= PARALLEL_FROM else 1), total))
        ranges = (workers + 1) // 2
        positions = [total * share // ranges for share in range(ranges + 1)]
        bounds = [
            connection.execute(
                f"SELECT id FROM entities WHERE {where} ORDER BY id LIMIT 1 OFFSET ?",
                (*PARTY_SCHEMAS, position),
            ).fetchone()[0]
            for position in positions[1:-1]
        ]
        hinted = hint_datasets(connection)
    finally:
        connection.close()
    lows, highs = ["", *bounds], [*bounds, None]
    ends = [
        (path, lows[r], highs[r], positions[r + 1] - positions[r], r, forward, hinted)
        for r in range(ranges)
        for forward in ((True, False) if 2 * r + 1 < workers else (True,))
    ]
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    context = get_context(method)
    claims = context.Array("q", 2 * ranges)
    _share(claims)
    if workers == 1:
        return merge([read_end(*ends[0])])
    with ProcessPoolExecutor(
        workers - 1, mp_context=context, initializer=_share, initargs=(claims,)
    ) as pool:
        futures = [pool.submit(read_end, *end) for end in ends[1:]]
        first = read_end(*ends[0])
        return merge([first, *(future.result() for future in futures)])


def encode(records: Sequence[Matchable], weight: TokenWeights) -> Encoded:
    """Matchable records as the compiled scorer's arrays, weighed."""
    return weigh(from_matchables(records), weight)
