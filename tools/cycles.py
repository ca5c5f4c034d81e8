"""List module-level import cycles inside the vinculo package.

Run: ``PYTHONPATH=src python tools/cycles.py``. Imports under ``if TYPE_CHECKING:``
are ignored. Prints each strongly connected component (size > 1) and exits 1 when
any exists; prints nothing and exits 0 otherwise.
"""

from __future__ import annotations

import sys

import grimp


def strongly_connected(adj: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the strongly connected components of ``adj``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in adj:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            children = adj.get(node, [])
            for i in range(child_i, len(children)):
                child = children[i]
                if child not in index:
                    work.append((node, i + 1))
                    work.append((child, 0))
                    recurse = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if recurse:
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def main() -> int:
    graph = grimp.build_graph(
        "vinculo", include_external_packages=False, exclude_type_checking_imports=True
    )
    adj = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    cycles = sorted(c for c in strongly_connected(adj) if len(c) > 1)
    for component in cycles:
        print(" <-> ".join(component))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
