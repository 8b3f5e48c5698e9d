"""Compiled inner loops over the compact graph (numba), for searches too small for numpy levels.

A point-to-point search in a small-world graph meets after a few hundred edges: numpy's
per-call overhead would cost more than the work, and a Python loop is networkx's speed. These
kernels walk the CSR arrays directly (the trace's own are in ``ownergraph.graph.reach``). They
are compiled on first use and cached on disk (``cache=True``), so only the first run on a
machine pays the compilation.

Each takes the query's filters in plain arrays: ``kinds_ok`` (one flag per link kind), ``day``
with ``use_day``, an edge ``mask`` with ``use_mask``, and ``banned`` nodes with ``use_banned``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _allowed(
    edge: Any,
    kind: Any,
    start: Any,
    end: Any,
    kinds_ok: Any,
    day: int,
    use_day: bool,
    mask: Any,
    use_mask: bool,
) -> bool:
    if not kinds_ok[kind[edge]]:
        return False
    if use_day and (start[edge] > day or end[edge] < day):
        return False
    return not (use_mask and not mask[edge])


@njit(cache=True, nogil=True)
def bidirectional_search(
    out_ptr: Any,
    target: Any,
    in_ptr: Any,
    in_source: Any,
    in_edge: Any,
    kind: Any,
    start: Any,
    end: Any,
    kinds_ok: Any,
    day: int,
    use_day: bool,
    mask: Any,
    use_mask: bool,
    filtered: bool,
    directed: bool,
    banned: Any,
    use_banned: bool,
    first_banned: Any,
    source: Any,
    goal: Any,
    max_hops: int,
    parent_a: Any,
    parent_b: Any,
    queue_a: Any,
    queue_b: Any,
) -> Any:
    """A shortest path from ``source`` to ``goal`` (node array; empty when none within
    ``max_hops``), by breadth-first search from both ends, a whole level at a time from the side
    whose frontier has fewer edges to scan.

    ``parent_a``/``parent_b`` (one per node, all -1, left so) mark what each side has seen;
    ``queue_a``/``queue_b`` (one per node, any content) hold each side's nodes in the order seen,
    so a level is a slice and resetting costs what was visited. Without ``filtered`` (no kind,
    day or edge mask), edges are not looked at, only neighbours: the in-adjacency's edge ids and
    the kinds are never read, which is most of the memory traffic of an unfiltered search."""
    source = np.int64(source)
    goal = np.int64(goal)
    if source == goal:
        return np.array([source], dtype=np.int64)
    parent_a[source] = source
    parent_b[goal] = goal
    queue_a[0] = source
    queue_b[0] = goal
    low_a, high_a, low_b, high_b = 0, 1, 0, 1
    level_a = 0
    level_b = 0
    meet = np.int64(-1)
    while high_a > low_a and high_b > low_b and level_a + level_b < max_hops:
        cost_a = 0
        for i in range(low_a, high_a):
            u = queue_a[i]
            cost_a += out_ptr[u + 1] - out_ptr[u]
            if not directed:
                cost_a += in_ptr[u + 1] - in_ptr[u]
        cost_b = 0
        for i in range(low_b, high_b):
            u = queue_b[i]
            cost_b += in_ptr[u + 1] - in_ptr[u]
            if not directed:
                cost_b += out_ptr[u + 1] - out_ptr[u]
        # With banned nodes the backward side may not step onto the source, so the source side
        # must take its first step itself.
        forward = cost_a <= cost_b or (use_banned and level_a == 0)
        if forward:
            queue, mine, other, low, high = queue_a, parent_a, parent_b, low_a, high_a
            level = level_a + 1
        else:
            queue, mine, other, low, high = queue_b, parent_b, parent_a, low_b, high_b
            level = level_b + 1
        count = high
        best = np.int64(-1)
        for i in range(low, high):
            u = queue[i]
            for way in range(2):
                # way 0: along the edge's direction from this side; way 1: against it.
                along = way == 0
                if not along and directed:
                    continue
                use_out = along == forward
                first = out_ptr[u] if use_out else in_ptr[u]
                last = out_ptr[u + 1] if use_out else in_ptr[u + 1]
                for position in range(first, last):
                    v = target[position] if use_out else in_source[position]
                    if v == u or mine[v] >= 0:
                        continue
                    if filtered:
                        edge = position if use_out else in_edge[position]
                        if not _allowed(edge, kind, start, end, kinds_ok, day, use_day, mask,
                                        use_mask):  # fmt: skip
                            continue
                    if use_banned:
                        if banned[v]:
                            continue
                        if forward and level == 1:
                            skip = False
                            for node in first_banned:
                                if node == v:
                                    skip = True
                            if skip:
                                continue
                        if not forward and v == source:
                            continue
                    mine[v] = u
                    queue[count] = v
                    count += 1
                    if other[v] >= 0:
                        # Every node the other side has seen but not expanded is on its last
                        # level, so the first meeting is as short as any in this level.
                        best = np.int64(v)
                        break
                if best >= 0:
                    break
            if best >= 0:
                break
        if forward:
            low_a, high_a, level_a = high, count, level
        else:
            low_b, high_b, level_b = high, count, level
        if best >= 0:
            meet = best
            break
    result = _joined(meet, source, goal, parent_a, parent_b)
    for i in range(high_a):
        parent_a[queue_a[i]] = -1
    for i in range(high_b):
        parent_b[queue_b[i]] = -1
    return result


@njit(cache=True, nogil=True)
def _joined(meet: Any, source: Any, goal: Any, parent_a: Any, parent_b: Any) -> Any:
    """The path through ``meet``: back to ``source`` along ``parent_a``, on to ``goal`` along
    ``parent_b`` (empty when ``meet`` is -1)."""
    if meet < 0:
        return np.empty(0, dtype=np.int64)
    ahead = 1
    node = meet
    while node != source:
        node = np.int64(parent_a[node])
        ahead += 1
    behind = 0
    node = meet
    while node != goal:
        node = np.int64(parent_b[node])
        behind += 1
    result = np.empty(ahead + behind, dtype=np.int64)
    node = meet
    for i in range(ahead - 1, -1, -1):
        result[i] = node
        node = np.int64(parent_a[node])
    node = meet
    for i in range(ahead, ahead + behind):
        node = np.int64(parent_b[node])
        result[i] = node
    return result


@njit(cache=True, nogil=True)
def ball(
    out_ptr: Any,
    target: Any,
    in_ptr: Any,
    in_source: Any,
    in_edge: Any,
    kind: Any,
    start: Any,
    end: Any,
    kinds_ok: Any,
    day: int,
    use_day: bool,
    mask: Any,
    use_mask: bool,
    directed: bool,
    seeds: Any,
    hops: int,
    depth: Any,
) -> Any:
    """Nodes within ``hops`` of ``seeds`` (seeds included), unsorted, each once. ``depth`` is a
    scratch array of -1; the nodes found are left marked (depth >= 0) for the caller, who must
    reset them."""
    found = [np.int64(0) for _ in range(0)]
    for seed in seeds:
        node = np.int64(seed)
        if depth[node] < 0:
            depth[node] = 0
            found.append(node)
    low = 0
    for level in range(1, hops + 1):
        high = len(found)
        if low == high:
            break
        for i in range(low, high):
            u = found[i]
            for position in range(out_ptr[u], out_ptr[u + 1]):
                v = np.int64(target[position])
                if depth[v] >= 0:
                    continue
                if not _allowed(position, kind, start, end, kinds_ok, day, use_day, mask,
                                use_mask):  # fmt: skip
                    continue
                depth[v] = level
                found.append(v)
            if directed:
                continue
            for position in range(in_ptr[u], in_ptr[u + 1]):
                v = np.int64(in_source[position])
                if depth[v] >= 0:
                    continue
                if not _allowed(np.int64(in_edge[position]), kind, start, end, kinds_ok, day,
                                use_day, mask, use_mask):  # fmt: skip
                    continue
                depth[v] = level
                found.append(v)
        low = high
    result = np.empty(len(found), dtype=np.int64)
    for i in range(len(found)):
        result[i] = found[i]
    return result


@njit(cache=True, nogil=True)
def stable_order(keys: Any, buckets: int) -> Any:
    """The permutation that sorts ``keys`` (each in ``0..buckets-1``), equal keys in their
    original order: ``np.argsort(keys, kind="stable")`` by counting, in linear time."""
    starts = np.zeros(buckets + 1, dtype=np.int64)
    for key in keys:
        if key < 0 or key >= buckets:
            raise ValueError("a key is out of range")
        starts[key + 1] += 1
    for i in range(buckets):
        starts[i + 1] += starts[i]
    order = np.empty(len(keys), dtype=np.int64)
    for i in range(len(keys)):
        key = keys[i]
        order[starts[key]] = i
        starts[key] += 1
    return order


@njit(cache=True, nogil=True)
def first_known(node: Any, rank: Any, values: Any, out: Any) -> None:
    """For each node, the value of its record of lowest ``rank``, the first such record on a tie
    (``out`` must hold -1 and gets the values)."""
    best = np.full(len(out), np.iinfo(np.int64).max, dtype=np.int64)
    for i in range(len(node)):
        n = node[i]
        if rank[i] < best[n]:
            best[n] = rank[i]
            out[n] = values[i]


@njit(cache=True, nogil=True)
def first_appearances(keys: Any, seen: Any) -> Any:
    """The distinct ``keys`` in the order they first appear, skipping those already ``seen``
    (a flag per possible key, updated)."""
    out = np.empty(len(keys), dtype=np.int64)
    count = 0
    for key in keys:
        if not seen[key]:
            seen[key] = True
            out[count] = key
            count += 1
    return out[:count]
