#!/usr/bin/env python3
"""Sets one value of a JSON file: edit_json.py IN OUT POINTER VALUE.

POINTER is a JSON pointer (/sites/0/levels); VALUE is JSON (-1, "x", [1]),
or the word DELETE to remove the key, or an object key to add when the
pointer ends in a key that does not exist yet.
"""
import json
import sys


def main():
    src, dst, pointer, value = sys.argv[1:5]
    doc = json.load(open(src))
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = doc
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    key = int(last) if isinstance(node, list) else last
    if value == "DELETE":
        del node[key]
    else:
        node[key] = json.loads(value)
    json.dump(doc, open(dst, "w"), indent=1)


if __name__ == "__main__":
    main()
