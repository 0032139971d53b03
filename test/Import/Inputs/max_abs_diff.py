#!/usr/bin/env python3
"""Compares one f32 tensor of two safetensors files by the largest
absolute difference: max_abs_diff.py A B NAME TOLERANCE. Prints
"NAME: max |diff| X <= TOLERANCE" and exits 0, or "> TOLERANCE" and 1."""
import json
import struct
import sys


def read(path, name):
    raw = open(path, "rb").read()
    n = struct.unpack_from("<Q", raw)[0]
    info = json.loads(raw[8:8 + n])[name]
    b, e = info["data_offsets"]
    return struct.unpack("<%df" % ((e - b) // 4), raw[8 + n + b:8 + n + e])


a, b, name, tol = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
x, y = read(a, name), read(b, name)
if len(x) != len(y):
    sys.exit("%s: %d values against %d" % (name, len(x), len(y)))
worst = max(abs(u - v) for u, v in zip(x, y))
ok = worst <= tol
print("%s: max |diff| %.3g %s %g" % (name, worst, "<=" if ok else ">", tol))
sys.exit(0 if ok else 1)
