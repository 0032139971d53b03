"""Copies a safetensors file without one tensor (for bad-input tests).

usage: drop_tensor.py IN.safetensors NAME OUT.safetensors
"""
import json
import struct
import sys

data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
body = data[8 + n:]
out, chunks, offset = {}, [], 0
for name, info in header.items():
    if name == sys.argv[2]:
        continue
    if name == "__metadata__":
        out[name] = info
        continue
    begin, end = info["data_offsets"]
    chunks.append(body[begin:end])
    out[name] = dict(info, data_offsets=[offset, offset + end - begin])
    offset += end - begin
text = json.dumps(out).encode()
text += b" " * (-len(text) % 8)
open(sys.argv[3], "wb").write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
