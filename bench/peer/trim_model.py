"""Writes the trimmed CodeGuru Security service model that codeguru_peer.py loads.

Debian bookworm's botocore (1.29) predates CodeGuru Security, so bench/peer/models/ carries
GetFindings and the shapes it reaches (documentation stripped, compact JSON) and the
GetFindings paginator, cut from a newer botocore's data:
    python3 bench/peer/trim_model.py /path/to/site-packages/botocore/data/codeguru-security/2018-05-10
"""

import gzip
import json
import os
import sys

OPERATIONS = ["GetFindings"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "codeguru-security",
                   "2018-05-10")


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return json.load(f)


def undocumented(node):
    if isinstance(node, dict):
        return {k: undocumented(v) for k, v in node.items() if k != "documentation"}
    if isinstance(node, list):
        return [undocumented(v) for v in node]
    return node


def shapes_reached(model, roots):
    """Every shape name reachable from `roots` through members, list members and map keys."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = model["shapes"][name]
        refs = list(shape.get("members", {}).values())
        refs += [shape[k] for k in ("member", "key", "value") if k in shape]
        todo += [ref["shape"] for ref in refs]
    return seen


def main(source):
    service = next(os.path.join(source, f) for f in ("service-2.json", "service-2.json.gz")
                   if os.path.exists(os.path.join(source, f)))
    model = load(service)
    operations = {name: model["operations"][name] for name in OPERATIONS}
    roots = []
    for op in operations.values():
        roots += [op[k]["shape"] for k in ("input", "output") if k in op]
        roots += [error["shape"] for error in op.get("errors", [])]
    shapes = {name: model["shapes"][name] for name in sorted(shapes_reached(model, roots))}
    trimmed = undocumented({"version": model["version"], "metadata": model["metadata"],
                            "operations": operations, "shapes": shapes})
    paginators = load(os.path.join(source, "paginators-1.json"))
    paging = {"pagination": {n: paginators["pagination"][n] for n in OPERATIONS}}
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("service-2.json", trimmed), ("paginators-1.json", paging)):
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(data, f, separators=(",", ":"), sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
