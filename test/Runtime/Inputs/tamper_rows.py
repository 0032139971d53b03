"""Writes three broken copies of a chip program with negated rows.

usage: tamper_rows.py PROGRAM.json TENSORS.safetensors OUT_PREFIX
  OUT_PREFIX-flag.json: the first negated block loses its "negated_rows"
  OUT_PREFIX-sign.json: numerics.sign is "none"
  OUT_PREFIX-code.json (+ .safetensors): one negated code is off by one
  OUT_PREFIX-twin.json (+ .safetensors): a route names a negated (twin) axon
"""
import json
import os
import struct
import sys

manifest, tensors, out = sys.argv[1:4]
doc = json.load(open(manifest))
core, index = next((c, j) for c in doc["cores"]
                   for j, b in enumerate(c["blocks"]) if b.get("negated_rows"))


def write(suffix, d):
    json.dump(d, open(out + suffix, "w"))


flag = json.loads(json.dumps(doc))
fc = next(c for c in flag["cores"] if c["id"] == core["id"])
del fc["blocks"][index]["negated_rows"]
write("-flag.json", flag)

sign = json.loads(json.dumps(doc))
sign["numerics"]["sign"] = "none"
write("-sign.json", sign)

# The last code of the block (in its negated half), moved by one.
raw = bytearray(open(tensors, "rb").read())
(size,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + size])
name = "core%d.block%d" % (core["id"], index)
begin, end = header[name]["data_offsets"]
assert header[name]["dtype"] == "I8", header[name]["dtype"]
at = 8 + size + end - 1
value = struct.unpack("b", raw[at:at + 1])[0]
raw[at:at + 1] = struct.pack("b", value + 1 if value < 100 else value - 1)
open(out + "-code.safetensors", "wb").write(raw)
code = json.loads(json.dumps(doc))
code["tensors"] = os.path.basename(out + "-code.safetensors")
write("-code.json", code)

# A route to the twin of its axon (the block's second half).
raw = bytearray(open(tensors, "rb").read())
blocks = {c["id"]: c["blocks"] for c in doc["cores"]}
done = False
for c in doc["cores"]:
    name = "core%d.routes" % c["id"]
    if name not in header:
        continue
    begin, end = header[name]["data_offsets"]
    assert header[name]["dtype"] == "I32", header[name]["dtype"]
    for at in range(8 + size + begin, 8 + size + end, 12):
        _, core_id, axon = struct.unpack("<iii", raw[at:at + 12])
        for b in blocks[core_id]:
            n = b["in"] // 2
            if b.get("negated_rows") and b["axon_base"] <= axon < b["axon_base"] + n:
                raw[at + 8:at + 12] = struct.pack("<i", axon + n)
                done = True
                break
        if done:
            break
    if done:
        break
assert done, "no route into a negated block"
open(out + "-twin.safetensors", "wb").write(raw)
twin = json.loads(json.dumps(doc))
twin["tensors"] = os.path.basename(out + "-twin.safetensors")
write("-twin.json", twin)
