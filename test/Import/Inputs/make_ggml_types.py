#!/usr/bin/env python3
"""Writes ggml-types.gguf (random blocks of every quantized type spikec
reads: BF16, Q4_0, Q4_1, Q8_0, Q4_K, Q6_K, with sane f16 scales) and
ggml-types.expected.safetensors, the same tensors dequantized by llama.cpp's
own `gguf` Python package. The lit test compares spikec's reader with it.
    pip install numpy gguf && python3 make_ggml_types.py"""
import json
import os
import struct

import numpy as np
from gguf import GGUFWriter, GGMLQuantizationType as T
from gguf.quants import dequantize

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)
# (type, block bytes, elements per block, byte offsets of f16 scales)
TYPES = [(T.BF16, 2, 1, []), (T.Q4_0, 18, 32, [0]), (T.Q4_1, 20, 32, [0, 2]),
         (T.Q8_0, 34, 32, [0]), (T.Q4_K, 144, 256, [0, 2]),
         (T.Q6_K, 210, 256, [208])]
ROWS, COLS = 2, 512

w = GGUFWriter(os.path.join(HERE, "ggml-types.gguf"), "llama")
expected = {}
for ty, block, elems, scales in TYPES:
    nblocks = ROWS * COLS // elems
    raw = rng.integers(0, 256, size=(nblocks, block), dtype=np.uint8)
    for off in scales:  # f16 scales in [0.01, 0.1) so no inf/nan appears
        h = np.float16(rng.uniform(0.01, 0.1, size=nblocks)).view(np.uint8)
        raw[:, off:off + 2] = h.reshape(nblocks, 2)
    if ty == T.BF16:  # finite bf16 values
        vals = rng.normal(size=ROWS * COLS).astype(np.float32)
        raw = (vals.view(np.uint32) >> 16).astype(np.uint16).view(np.uint8)
        raw = raw.reshape(-1, 2)
    data = raw.reshape(ROWS, COLS // elems * block)
    name = "t_" + ty.name.lower()
    w.add_tensor(name, data, raw_dtype=ty)
    expected[name] = dequantize(data, ty).astype(np.float32).reshape(ROWS, COLS)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()

header, blobs, off = {}, [], 0
for name in sorted(expected):
    b = expected[name].tobytes()
    header[name] = {"dtype": "F32", "shape": [ROWS, COLS],
                    "data_offsets": [off, off + len(b)]}
    blobs.append(b)
    off += len(b)
text = json.dumps(header)
text += " " * ((8 - (8 + len(text)) % 8) % 8)
with open(os.path.join(HERE, "ggml-types.expected.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))
