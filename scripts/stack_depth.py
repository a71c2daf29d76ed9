#!/usr/bin/env python3
"""Worst-case stack depth over the call graph that GCC writes with
-fstack-usage -fcallgraph-info=su (one .ci file per object, VCG format).

usage: stack_depth.py [--indirect REGEX] [--indirect-from CALLER=TARGETS]...
                      [--port-calls REGEX] ROOT_FUNCTION FILE.ci...

Prints the deepest path from ROOT_FUNCTION and its total in bytes.
Rules, chosen to over-estimate rather than under-estimate:
  - a function with dynamic stack ("dynamic" in its label) is reported;
  - recursion is reported (depth is then unbounded and the exit code is 2);
  - an indirect call (function pointer: block device ops, tar reader callbacks)
    is charged the deepest function matching --indirect REGEX (the known callback
    targets), or without it the deepest function never called directly;
    --indirect-from CALLER=TARGETS (repeatable, both regexes) narrows that for
    the indirect calls CALLER makes (a check's note callback, its ownership
    test) to the functions matching TARGETS, which are known from the code;
    indirect calls made by functions matching --port-calls go to port code
    (block device ops, log output) outside the analysed objects and cost 0;
  - calls to functions outside the analysed objects (libc, mbedTLS) cost 0 here;
    they are listed so the reader can add their known figures.
"""
import re
import sys

node_re = re.compile(r'node:\s*\{\s*title:\s*"([^"]+)"\s*label:\s*"([^"]*)"')
edge_re = re.compile(r'edge:\s*\{\s*sourcename:\s*"([^"]+)"\s*targetname:\s*"([^"]+)"')


def parse(files):
    frame, dynamic, edges = {}, set(), {}
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        for name, label in node_re.findall(text):
            m = re.search(r"(\d+) bytes \((static|dynamic[^)]*)\)", label)
            if m:
                frame[name] = max(frame.get(name, 0), int(m.group(1)))
                if m.group(2) != "static":
                    dynamic.add(name)
        for src, dst in edge_re.findall(text):
            edges.setdefault(src, set()).add(dst)
    return frame, dynamic, edges


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 1
    args = sys.argv[1:]
    indirect_re = port_re = None
    indirect_from = []  # (caller regex, target regex)
    while args and args[0] in ("--indirect", "--indirect-from", "--port-calls"):
        if args[0] == "--indirect":
            indirect_re = re.compile(args[1])
        elif args[0] == "--indirect-from":
            caller, targets = args[1].split("=", 1)
            indirect_from.append((re.compile(caller), re.compile(targets)))
        else:
            port_re = re.compile(args[1])
        args = args[2:]
    root, files = args[0], args[1:]
    frame, dynamic, edges = parse(files)
    if root not in frame:
        print(f"stack_depth: {root} not found in the call graph", file=sys.stderr)
        return 1
    called = {d for targets in edges.values() for d in targets}
    if indirect_re:
        indirect_targets = [f for f in frame if indirect_re.search(f.split(":")[-1])]
    else:
        indirect_targets = [f for f in frame if f not in called and f != root]

    def targets_of(fn):
        short = fn.split(":")[-1]
        for caller, targets in indirect_from:
            if caller.search(short):
                return [f for f in frame if targets.search(f.split(":")[-1])]
        return indirect_targets

    external = set()
    recursive = set()
    memo = {}

    def depth(fn, stack):
        if fn in memo:
            return memo[fn]
        if fn in stack:
            recursive.add(fn)
            return (0, [fn + " (recursion)"])
        if fn not in frame:
            if fn != "__indirect_call":
                external.add(fn)
            return (0, [])
        stack.add(fn)
        best = (0, [])
        for callee in sorted(edges.get(fn, ())):
            if callee == "__indirect_call":
                if port_re and port_re.search(fn.split(":")[-1]):
                    continue
                for target in targets_of(fn):
                    d = depth(target, stack)
                    if d[0] > best[0]:
                        best = (d[0], ["(indirect) " + d[1][0]] + d[1][1:] if d[1] else [])
                continue
            d = depth(callee, stack)
            if d[0] > best[0]:
                best = d
        stack.discard(fn)
        memo[fn] = (frame[fn] + best[0], [f"{fn} ({frame[fn]})"] + best[1])
        return memo[fn]

    total, path = depth(root, set())
    print(f"worst-case stack from {root}: {total} bytes")
    for step in path:
        print(f"  {step}")
    if dynamic:
        print("functions with dynamic stack: " + ", ".join(sorted(dynamic)))
    if external:
        print("external calls (not counted): " + ", ".join(sorted(external)))
    if recursive:
        print("RECURSION (unbounded): " + ", ".join(sorted(recursive)))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
