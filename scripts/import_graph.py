#!/usr/bin/env python3
"""The runtime crate's import picture, as counted from its `use crate::...` statements.

    scripts/import_graph.py [SRC_DIR]        # default: runtime/src of this checkout
    git archive REV runtime/src | tar -x -C /tmp/old && scripts/import_graph.py /tmp/old/runtime/src

A room is a top-level module of the crate (a file or a folder), with `channel/roundtrip` counted
apart. An arrow is "room A imports something from room B". An import through a re-export of
`lib.rs` (`use crate::Sampler`, or an inline `pub mod` shell there) is counted as an arrow to
the re-exported item's home, and its room is listed as importing through the root. Prints the
rooms, the arrows, the strongly connected groups (circles) and, when there is none, the layers
(a room sits one above the highest room it imports); with `--layers-of OTHER_SRC_DIR`, also how
many arrows of SRC_DIR do not run down OTHER_SRC_DIR's layers.
"""

import functools
import os
import re
import sys


def room_of(root, path):
    parts = os.path.relpath(path, root).split(os.sep)
    top = parts[0].removesuffix(".rs")
    if top == "channel" and len(parts) > 1 and parts[1].removesuffix(".rs") == "roundtrip":
        return "channel/roundtrip"
    return top


def room_of_path(segments):
    if segments[:2] == ["channel", "roundtrip"]:
        return "channel/roundtrip"
    return segments[0]


def without_comments(text):
    return re.sub(r"//[^\n]*", "", text)


def use_paths(body, prefix=()):
    """Every path a `use` tree names, braces expanded: `a::{b, c::d}` gives a::b and a::c::d."""
    body = body.strip()
    if body.startswith("{"):
        depth, current, parts = 0, "", []
        for ch in body[1:-1]:
            depth += ch == "{"
            depth -= ch == "}"
            if ch == "," and depth == 0:
                parts.append(current)
                current = ""
            else:
                current += ch
        parts.append(current)
        for part in parts:
            if part.strip():
                yield from use_paths(part, prefix)
    elif "::{" in body:
        head, rest = body.split("::{", 1)
        yield from use_paths("{" + rest, prefix + tuple(head.strip().split("::")))
    else:
        yield list(prefix) + [s.strip() for s in body.split(" as ")[0].split("::")]


def root_reexports(root):
    """`lib.rs`'s re-exports: item name (or `shell::name`) -> the room it comes from."""
    lib = without_comments(open(os.path.join(root, "lib.rs")).read())
    homes, shells = {}, set()
    for shell in re.finditer(r"pub mod (\w+)\s*\{(.*?)\n\}", lib, re.S):
        shells.add(shell.group(1))
        for use in re.finditer(r"pub use ([^;]*);", shell.group(2), re.S):
            for path in use_paths(use.group(1)):
                path = [s for s in path if s != "crate"]
                homes[shell.group(1) + "::" + path[-1]] = room_of_path(path)
    top = re.sub(r"pub mod \w+\s*\{.*?\n\}", "", lib, flags=re.S)
    for use in re.finditer(r"pub(?:\(crate\))? use ([^;]*);", top, re.S):
        for path in use_paths(use.group(1)):
            if len(path) > 1:
                homes[path[-1]] = room_of_path(path)
    return homes, shells


def graph(root):
    files = [
        os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".rs")
    ]
    homes, shells = root_reexports(root)
    rooms = {room_of(root, f) for f in files} - {"lib"}
    arrows, through_root = set(), set()
    for path in files:
        source = room_of(root, path)
        if source == "lib":
            continue
        text = without_comments(open(path).read())
        for use in re.finditer(r"\buse\s+crate::([^;]*);", text, re.S):
            for segments in use_paths(use.group(1)):
                if segments[0] == "self":
                    continue
                target = room_of_path(segments)
                if target not in rooms or target in shells:
                    through_root.add(source)
                    key = "::".join(segments[:2])
                    target = homes.get(key) or homes.get(segments[0]) or "lib:" + key
                if target != source:
                    arrows.add((source, target))
    return rooms, arrows, through_root


def circles(rooms, arrows):
    """Strongly connected groups of more than one room (Tarjan)."""
    out = {r: sorted(b for a, b in arrows if a == r and b in rooms) for r in rooms}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in out[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for room in sorted(rooms):
        if room not in index:
            visit(room)
    return groups


def layers(rooms, arrows):
    out = {r: [b for a, b in arrows if a == r and b in rooms] for r in rooms}

    @functools.lru_cache(None)
    def layer(room):
        return 1 + max((layer(b) for b in out[room]), default=-1)

    return {room: layer(room) for room in rooms}


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    args = argv[1:]
    other = None
    if "--layers-of" in args:
        at = args.index("--layers-of")
        other = args[at + 1]
        del args[at : at + 2]
    root = args[0] if args else os.path.join(here, "..", "runtime", "src")
    rooms, arrows, through_root = graph(root)
    groups = circles(rooms, arrows)
    print(f"rooms: {len(rooms)}")
    print(f"arrows: {len(arrows)}")
    print(f"rooms importing through lib.rs re-exports: {len(through_root)} {sorted(through_root)}")
    print(f"circles: {len(groups)} {groups}")
    if not groups:
        by_layer = {}
        for room, layer in layers(rooms, arrows).items():
            by_layer.setdefault(layer, []).append(room)
        for layer in sorted(by_layer):
            print(f"layer {layer}: {', '.join(sorted(by_layer[layer]))}")
    if other:
        other_rooms, other_arrows, _ = graph(other)
        level = layers(other_rooms, other_arrows)
        up = sorted(
            (a, b) for a, b in arrows if a in level and b in level and level[a] <= level[b]
        )
        print(f"arrows not running down {other}'s layers: {len(up)} {up}")
    for a, b in sorted(arrows):
        print(f"  {a} -> {b}")


if __name__ == "__main__":
    main(sys.argv)
