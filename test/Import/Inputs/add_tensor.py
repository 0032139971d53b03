#!/usr/bin/env python3
"""Adds an f32 tensor to a Hugging Face test checkpoint (its first shard and
the index): add_tensor.py DIR NAME SHAPE VALUES, e.g.
  add_tensor.py hf model.layers.0.self_attn.rotary_emb.inv_freq 4 1,0.1,0.01,0.001
VALUES is a comma-separated list, or copy:NAME for another tensor's
values, or copy:NAME*K for them times K."""
import json
import os
import struct
import sys

folder, name, shape, values = sys.argv[1:5]
shape = [int(d) for d in shape.split("x")]
index_path = os.path.join(folder, "model.safetensors.index.json")
index = json.load(open(index_path))
shard = sorted(set(index["weight_map"].values()))[0]
path = os.path.join(folder, shard)
raw = open(path, "rb").read()
n = struct.unpack_from("<Q", raw)[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]


def read(tensor):
    file = index["weight_map"][tensor]
    r = open(os.path.join(folder, file), "rb").read()
    k = struct.unpack_from("<Q", r)[0]
    h = json.loads(r[8:8 + k])
    b, e = h[tensor]["data_offsets"]
    chunk = r[8 + k + b:8 + k + e]
    return list(struct.unpack("<%df" % (len(chunk) // 4), chunk))


if values.startswith("copy:"):
    src, _, factor = values[5:].partition("*")
    vals = [v * float(factor or 1) for v in read(src)]
else:
    vals = [float(v) for v in values.split(",")]
blob = struct.pack("<%df" % len(vals), *vals)
header[name] = {"dtype": "F32", "shape": shape,
                "data_offsets": [len(data), len(data) + len(blob)]}
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
open(path, "wb").write(struct.pack("<Q", len(text)) + text + data + blob)
index["weight_map"][name] = shard
json.dump(index, open(index_path, "w"), indent=1)
