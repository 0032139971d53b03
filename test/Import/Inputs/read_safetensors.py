#!/usr/bin/env python3
"""Prints each tensor of an f32 safetensors file: NAME [v0, v1, ...]; with
--dtypes, each tensor's dtype instead (any file): NAME DTYPE."""
import json
import struct
import sys

raw = open(sys.argv[1], "rb").read()
n = struct.unpack_from("<Q", raw)[0]
header = json.loads(raw[8:8 + n])
for name in sorted(k for k in header if k != "__metadata__"):
    if "--dtypes" in sys.argv[2:]:
        print(name, header[name]["dtype"])
        continue
    begin, end = header[name]["data_offsets"]
    chunk = raw[8 + n + begin:8 + n + end]
    print(name, list(struct.unpack("<%df" % (len(chunk) // 4), chunk)))
