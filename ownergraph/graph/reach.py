"""Compiled kernels of the trace's reachability: its moves, each node's distance to the nearest
target, and a breadth-first search from many seeds at once.

The moves are those of ``ownergraph.analyses.chains``: shipments from exporter to importer, the
other traced links both ways, first move a shipment, no walking on past a target, suppliers
entered only by a shipment.

:func:`reach_from_seeds` runs the searches of up to ``64 * words`` seeds in one pass: each node
holds one bit per seed of the batch (``words`` uint64 words), for "seen by that seed" and "on that
seed's frontier", and a level moves all of a node's frontier bits along an edge in one OR. The
seeds of a batch share most of their corridor (in a small world their searches visit much of the
same graph), so an edge is read once a batch instead of once a seed. Each seed still gets exactly
its own breadth-first search: a bit moves only to nodes that seed has not seen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

_ONE = np.uint64(1)


@njit(cache=True, nogil=True)
def trace_moves(
    source: Any,
    target: Any,
    kind: Any,
    start: Any,
    end: Any,
    traced: Any,
    both_ways: Any,
    trade_kind: int,
    day: int,
    use_day: bool,
    nodes: int,
) -> Any:
    """Per edge, whether the trace may walk it forwards (``allowed``) and backwards
    (``backward``), and per node whether it exports something (the source of a shipment).

    An edge is walked when its kind is ``traced`` and it is no self-loop; with ``use_day``, a
    shipment must have happened by ``day`` and another link be valid on it. Backwards only the
    kinds walked ``both_ways``."""
    edges = len(kind)
    allowed = np.empty(edges, dtype=np.bool_)
    backward = np.empty(edges, dtype=np.bool_)
    exporter = np.zeros(nodes, dtype=np.bool_)
    for edge in range(edges):
        k = kind[edge]
        if k == trade_kind:
            exporter[source[edge]] = True
        ok = traced[k] and source[edge] != target[edge]
        if ok and use_day:
            # A shipment counts once it happened; another link only while valid.
            ok = start[edge] <= day and (k == trade_kind or end[edge] >= day)
        allowed[edge] = ok
        backward[edge] = ok and both_ways[k]
    return allowed, backward, exporter


@njit(cache=True, nogil=True)
def distances_to(
    out_ptr: Any,
    target: Any,
    in_ptr: Any,
    in_source: Any,
    in_edge: Any,
    allowed: Any,
    backward: Any,
    goals: Any,
    hops: int,
) -> Any:
    """Moves from each node to the nearest of ``goals`` (int32, -1: none within ``hops``), by
    one breadth-first search backwards: exporters of shipments into a node and both ends of the
    other traced links."""
    nodes = len(out_ptr) - 1
    distance = np.full(nodes, -1, dtype=np.int32)
    queue = np.empty(nodes, dtype=np.int64)
    count = 0
    for goal in goals:
        if distance[goal] < 0:
            distance[goal] = 0
            queue[count] = goal
            count += 1
    low = 0
    for level in range(1, hops + 1):
        high = count
        if low == high:
            break
        for i in range(low, high):
            u = queue[i]
            for position in range(in_ptr[u], in_ptr[u + 1]):
                v = in_source[position]
                if distance[v] < 0 and allowed[in_edge[position]]:
                    distance[v] = level
                    queue[count] = v
                    count += 1
            for position in range(out_ptr[u], out_ptr[u + 1]):
                v = target[position]
                if distance[v] < 0 and backward[position]:
                    distance[v] = level
                    queue[count] = v
                    count += 1
        low = high
    return distance


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
    words: int,
) -> Any:
    """For each seed, the goals within ``max_hops`` moves and their distance: three arrays (seed
    index, goal, hops), one column per pair, in no particular order.

    A node is entered at level ``level`` only if its ``distance`` to a goal leaves enough hops,
    and a goal is never walked on from. Seeds go ``64 * words`` to a pass (module docstring)."""
    nodes = len(out_ptr) - 1
    seen = np.zeros((nodes, words), dtype=np.uint64)
    front = np.zeros((nodes, words), dtype=np.uint64)
    fresh = np.zeros((nodes, words), dtype=np.uint64)
    queued = np.zeros(nodes, dtype=np.bool_)
    dirty = np.zeros(nodes, dtype=np.bool_)
    touched = np.empty(nodes, dtype=np.int64)
    active = np.empty(nodes, dtype=np.int64)
    reached = np.empty(nodes, dtype=np.int64)
    found_seed = [np.int64(0) for _ in range(0)]
    found_goal = [np.int64(0) for _ in range(0)]
    found_hops = [np.int64(0) for _ in range(0)]
    batch = 64 * words
    for first in range(0, len(seeds), batch):
        # Level 0: each seed on its own bit.
        n_touched = 0
        n_active = 0
        for index in range(first, min(first + batch, len(seeds))):
            seed = seeds[index]
            word, bit = (index - first) // 64, np.uint64((index - first) % 64)
            if not queued[seed]:
                queued[seed] = True
                dirty[seed] = True
                active[n_active] = seed
                n_active += 1
                touched[n_touched] = seed
                n_touched += 1
            seen[seed, word] |= _ONE << bit
            front[seed, word] |= _ONE << bit
        for u in active[:n_active]:
            queued[u] = False
        for level in range(1, max_hops + 1):
            n_reached = 0
            left = max_hops - level
            for i in range(n_active):
                u = active[i]
                for position in range(out_ptr[u], out_ptr[u + 1]):
                    v = target[position]
                    # The distance test first: it turns most edges away.
                    far = distance[v]
                    if far < 0 or far > left or not allowed[position]:
                        continue
                    trade = kind[position] == trade_kind
                    if (level == 1 and not trade) or (not trade and supplier[v]):
                        continue
                    n_reached = _spread(u, v, front, seen, fresh, queued, reached, n_reached)
                if level == 1:
                    continue
                for position in range(in_ptr[u], in_ptr[u + 1]):
                    v = in_source[position]
                    far = distance[v]
                    if far < 0 or far > left or supplier[v] or not backward[in_edge[position]]:
                        continue
                    n_reached = _spread(u, v, front, seen, fresh, queued, reached, n_reached)
            for i in range(n_active):
                front[active[i], :] = 0
            n_active = 0
            for i in range(n_reached):
                v = reached[i]
                queued[v] = False
                if not dirty[v]:
                    dirty[v] = True
                    touched[n_touched] = v
                    n_touched += 1
                for word in range(words):
                    bits = fresh[v, word]
                    fresh[v, word] = 0
                    seen[v, word] |= bits
                    if goal[v]:
                        while bits:
                            low = bits & (~bits + _ONE)
                            found_seed.append(first + word * 64 + _bit_index(low))
                            found_goal.append(np.int64(v))
                            found_hops.append(np.int64(level))
                            bits ^= low
                    else:
                        front[v, word] = bits
                if not goal[v]:
                    active[n_active] = v
                    n_active += 1
            if n_active == 0:
                break
        for i in range(n_active):
            front[active[i], :] = 0
        for i in range(n_touched):
            seen[touched[i], :] = 0
            dirty[touched[i]] = False
    out = np.empty((3, len(found_seed)), dtype=np.int64)
    for i in range(len(found_seed)):
        out[0, i] = found_seed[i]
        out[1, i] = found_goal[i]
        out[2, i] = found_hops[i]
    return out


@njit(cache=True, nogil=True, inline="always")
def _spread(
    u: Any, v: Any, front: Any, seen: Any, fresh: Any, queued: Any, reached: Any, count: int
) -> int:
    """Move ``u``'s frontier bits to ``v`` for the seeds that have not seen ``v``; queue ``v``
    for the next level the first time it gets any. Returns the new queue length."""
    added = False
    for word in range(front.shape[1]):
        bits = front[u, word] & ~seen[v, word]
        if bits:
            fresh[v, word] |= bits
            added = True
    if added and not queued[v]:
        queued[v] = True
        reached[count] = v
        count += 1
    return count


@njit(cache=True, nogil=True)
def _bit_index(bit: Any) -> np.int64:
    """Position of the single set bit of ``bit``."""
    index = np.int64(0)
    while bit > _ONE:
        bit >>= _ONE
        index += 1
    return index
