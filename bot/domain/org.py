"""Checks on the organisation's structure."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def find_cycle(parent_of: Mapping[K, K | None]) -> list[K] | None:
    """Return one cycle in a parent relation (reporting line, unit tree), or None.

    The result lists the members in order, e.g. [a, b, c] for a → b → c → a.
    """
    done: set[K] = set()
    for start in parent_of:
        if start in done:
            continue
        path: list[K] = []
        on_path: dict[K, int] = {}
        node: K | None = start
        while node is not None and node not in done:
            if node in on_path:
                return path[on_path[node] :]
            on_path[node] = len(path)
            path.append(node)
            node = parent_of.get(node)
        done.update(path)
    return None
