"""Compares a linear's synapse codes in a chip program with the codes of a
weight file (round half up of weight / scale, the scales NAME.scale).

usage: chip_codes.py PROGRAM.json PROGRAM.safetensors WEIGHTS.safetensors NAME
       chip_codes.py --dump FILE.safetensors  (each tensor and its values)
Prints how many codes of NAME differ; the chip's crossbar blocks are
[axons, neurons], so a tile's block is the transposed slice of the weight.
"""
import json
import math
import struct
import sys


def read(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        fmt = {"F32": "f", "I8": "b", "I16": "h", "I32": "i", "I64": "q"}[info["dtype"]]
        begin, end = info["data_offsets"]
        count = (end - begin) // struct.calcsize(fmt)
        out[name] = (info["shape"], struct.unpack(f"<{count}{fmt}", body[begin:end]))
    return out


if sys.argv[1] == "--dump":  # usage: chip_codes.py --dump FILE.safetensors
    for name, (shape, values) in sorted(read(sys.argv[2]).items()):
        print(name, shape, " ".join(f"{v:.7g}" for v in values))
    sys.exit(0)

program = json.load(open(sys.argv[1]))
tables = read(sys.argv[2])
weights = read(sys.argv[3])
name = sys.argv[4]
(rows, cols), w = weights[name]
_, scale = weights[name + ".scale"]
codes = [[math.floor(w[r * cols + c] / scale[r] + 0.5) for c in range(cols)]
         for r in range(rows)]
linear = next(l for l in program["linears"] if l["name"] == name)
compared = differ = 0
for t in linear["tiles"]:
    (axons, neurons), block = tables[f"core{t['core']}.block{t['block']}"]
    for i in range(t["in_count"]):
        for o in range(t["out_count"]):
            chip = block[(t["axon_base"] + i) * neurons + o]
            compared += 1
            differ += chip != codes[t["out_first"] + o][t["in_first"] + i]
print(f"{name}: {compared} codes compared, {differ} differ")
