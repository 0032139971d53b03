"""Edits for weight-codes.test.

  dtypes FILE NAME...          each tensor's dtype
  own FILE                     the file's own metadata, then each tensor it
                               holds itself with its dtype, in name order
  poke FILE NAME VALUE OUT     OUT: FILE with the first code of NAME set
  reshape FILE NAME SHAPE OUT  OUT: FILE with NAME's header shape SHAPE
                               (comma-separated; the same element count)
  transpose FILE NAME OUT      OUT: FILE with NAME's two header dims swapped
  plan IN OUT KEY=VALUE        OUT: plan IN with version=N,
                               norm=TENSOR (the first rmsnorm's weight), or
                               share=A,B (linears reading B read A)
  unquantize IN OUT            OUT: IR IN whose first spike.linear lost its
                               bits and scales
"""
import json
import re
import struct
import sys


def header(data):
    n = struct.unpack("<Q", data[:8])[0]
    return n, json.loads(data[8:8 + n])


cmd = sys.argv[1]
if cmd == "dtypes":
    _, h = header(open(sys.argv[2], "rb").read())
    for name in sys.argv[3:]:
        print(name, h[name]["dtype"])
elif cmd == "own":
    _, h = header(open(sys.argv[2], "rb").read())
    print("metadata", json.dumps(h.pop("__metadata__", {}), sort_keys=True))
    for name in sorted(h):
        print(name, h[name]["dtype"])
elif cmd == "poke":
    data = bytearray(open(sys.argv[2], "rb").read())
    n, h = header(data)
    begin = 8 + n + h[sys.argv[3]]["data_offsets"][0]
    data[begin] = int(sys.argv[4]) & 0xFF
    open(sys.argv[5], "wb").write(data)
elif cmd in ("reshape", "transpose"):
    data = open(sys.argv[2], "rb").read()
    n, h = header(data)
    if cmd == "transpose":
        h[sys.argv[3]]["shape"].reverse()
        sys.argv.insert(4, "")
    else:
        h[sys.argv[3]]["shape"] = [int(d) for d in sys.argv[4].split(",")]
    text = json.dumps(h).encode()
    text += b" " * (-len(text) % 8)
    open(sys.argv[5], "wb").write(struct.pack("<Q", len(text)) + text +
                                  data[8 + n:])
elif cmd == "plan":
    plan = json.load(open(sys.argv[2]))
    key, value = sys.argv[4].split("=")
    if key == "version":
        plan["version"] = int(value)
    elif key == "share":
        a, b = value.split(",")
        for o in plan["ops"]:
            if o.get("params", {}).get("weight") == b:
                o["params"]["weight"] = a
    else:
        op = next(o for o in plan["ops"] if o["op"] == "rmsnorm")
        op["params"]["weight"] = value
    json.dump(plan, open(sys.argv[3], "w"))
elif cmd == "unquantize":
    text = open(sys.argv[2]).read()
    text = re.sub(r"(spike\.linear %\S+, %\S+) bits \d+ scales %\S+ :",
                  lambda m: m.group(1) + " :", text, count=1)
    # its type lost the scales operand
    text = re.sub(r"(spike\.linear %\S+, %\S+ : \(!spike\.train<[^>]*>>, "
                  r"tensor<[^>]*>), tensor<\d+xf32>\)", r"\1)", text, count=1)
    open(sys.argv[3], "w").write(text)
