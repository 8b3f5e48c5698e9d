"""Compiled inner loops over the compact graph (numba), for searches too small for numpy levels.

A point-to-point search in a small-world graph meets after a few hundred edges: numpy's
per-call overhead would cost more than the work, and a Python loop is networkx's speed. These
kernels walk the CSR arrays directly. They are compiled on first use and cached on disk
(``cache=True``), so only the first run on a machine pays the compilation.

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
    directed: bool,
    banned: Any,
    use_banned: bool,
    first_banned: Any,
    source: Any,
    goal: Any,
    max_hops: int,
    depth_a: Any,
    parent_a: Any,
    depth_b: Any,
    parent_b: Any,
) -> Any:
    """A shortest path from ``source`` to ``goal`` (node array; empty when none within
    ``max_hops``), by breadth-first search from both ends, a whole level at a time from the side
    whose frontier has fewer edges to scan. The ``depth``/``parent`` scratch arrays must be -1
    and are left so."""
    source = np.int64(source)
    goal = np.int64(goal)
    if source == goal:
        return np.array([source], dtype=np.int64)
    touched_a = [source]
    touched_b = [goal]
    depth_a[source] = 0
    depth_b[goal] = 0
    front_a = [source]
    front_b = [goal]
    level_a = 0
    level_b = 0
    meet = np.int64(-1)
    while len(front_a) > 0 and len(front_b) > 0 and level_a + level_b < max_hops:
        cost_a = 0
        for u in front_a:
            cost_a += out_ptr[u + 1] - out_ptr[u]
            if not directed:
                cost_a += in_ptr[u + 1] - in_ptr[u]
        cost_b = 0
        for u in front_b:
            cost_b += in_ptr[u + 1] - in_ptr[u]
            if not directed:
                cost_b += out_ptr[u + 1] - out_ptr[u]
        # With banned nodes the backward side may not step onto the source, so the source side
        # must take its first step itself.
        forward = cost_a <= cost_b or (use_banned and level_a == 0)
        front = front_a if forward else front_b
        mine_depth = depth_a if forward else depth_b
        mine_parent = parent_a if forward else parent_b
        other_depth = depth_b if forward else depth_a
        touched = touched_a if forward else touched_b
        level = (level_a if forward else level_b) + 1
        fresh = [source for _ in range(0)]
        best = np.int64(-1)
        for u in front:
            for way in range(2):
                # way 0: along the edge's direction from this side; way 1: against it.
                along = way == 0
                if not along and directed:
                    continue
                use_out = along == forward
                low = out_ptr[u] if use_out else in_ptr[u]
                high = out_ptr[u + 1] if use_out else in_ptr[u + 1]
                for position in range(low, high):
                    if use_out:
                        v = np.int64(target[position])
                        edge = np.int64(position)
                    else:
                        v = np.int64(in_source[position])
                        edge = np.int64(in_edge[position])
                    if v == u or mine_depth[v] >= 0:
                        continue
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
                    mine_depth[v] = level
                    mine_parent[v] = u
                    touched.append(v)
                    fresh.append(v)
                    if other_depth[v] >= 0:
                        # Every node the other side has seen but not expanded is on its last
                        # level, so the first meeting is as short as any in this level.
                        best = v
                        break
                if best >= 0:
                    break
            if best >= 0:
                break
        if forward:
            front_a = fresh
            level_a = level
        else:
            front_b = fresh
            level_b = level
        if best >= 0:
            meet = best
            break
    path = [source for _ in range(0)]
    if meet >= 0:
        node = np.int64(meet)
        while node >= 0:
            path.append(node)
            node = np.int64(parent_a[node])
        path.reverse()
        node = np.int64(parent_b[meet])
        while node >= 0:
            path.append(node)
            node = np.int64(parent_b[node])
    for node in touched_a:
        depth_a[node] = -1
        parent_a[node] = -1
    for node in touched_b:
        depth_b[node] = -1
        parent_b[node] = -1
    result = np.empty(len(path), dtype=np.int64)
    for i in range(len(path)):
        result[i] = path[i]
    return result


@njit(cache=True, nogil=True)
def reach_from_seeds(
    out_ptr: Any,
    target: Any,
    in_ptr: Any,
    in_source: Any,
    in_edge: Any,
    kind: Any,
    trade_kind: int,
    allowed: Any,
    backward: Any,
    supplier: Any,
    goal: Any,
    distance: Any,
    seeds: Any,
    max_hops: int,
    depth: Any,
) -> Any:
    """The trace's reachability: for each seed, breadth-first along the trace's moves (see
    ``ownergraph.analyses.chains``), the goals within ``max_hops`` and their distance. Returns
    three arrays (seed index, goal, hops). ``depth`` is a scratch array of -1, left so."""
    found_seed = [np.int64(0) for _ in range(0)]
    found_goal = [np.int64(0) for _ in range(0)]
    found_hops = [np.int64(0) for _ in range(0)]
    for index in range(len(seeds)):
        seed = np.int64(seeds[index])
        if distance[seed] < 0:
            continue
        depth[seed] = 0
        touched = [seed]
        front = [seed]
        for level in range(1, max_hops + 1):
            fresh = [seed for _ in range(0)]
            for u in front:
                for position in range(out_ptr[u], out_ptr[u + 1]):
                    v = np.int64(target[position])
                    # The distance test first: it turns most edges away.
                    far = distance[v]
                    if far < 0 or far > max_hops - level or depth[v] >= 0:
                        continue
                    if not allowed[position]:
                        continue
                    trade = kind[position] == trade_kind
                    if (level == 1 and not trade) or (not trade and supplier[v]):
                        continue
                    depth[v] = level
                    touched.append(v)
                    fresh.append(v)
                if level == 1:
                    continue
                for position in range(in_ptr[u], in_ptr[u + 1]):
                    v = np.int64(in_source[position])
                    far = distance[v]
                    if far < 0 or far > max_hops - level or depth[v] >= 0:
                        continue
                    if supplier[v] or not backward[in_edge[position]]:
                        continue
                    depth[v] = level
                    touched.append(v)
                    fresh.append(v)
            front = [seed for _ in range(0)]
            for v in fresh:
                if goal[v]:
                    found_seed.append(np.int64(index))
                    found_goal.append(v)
                    found_hops.append(np.int64(level))
                else:
                    front.append(v)
            if len(front) == 0:
                break
        for node in touched:
            depth[node] = -1
    out = np.empty((3, len(found_seed)), dtype=np.int64)
    for i in range(len(found_seed)):
        out[0, i] = found_seed[i]
        out[1, i] = found_goal[i]
        out[2, i] = found_hops[i]
    return out


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
