"""Writes the weight files of store-weight-codes*.mlir into DIR.

base.safetensors: w [2, 3] (absmax scales 0.25 and 1 at 3 bits: codes
2 -1 3 / 2 1 -3, a tie rounding up), u [2, 3] with its own row scales
u_scale [2], e [2, 3] (an unquantized linear's weight, kept as F32) and
bias [2]. scaled.safetensors: the same with a stray tensor w.scale;
short.safetensors: with three scales u_scale for u's two rows.
"""
import os
import sys

from f32_safetensors import write


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
base = {
    "w": ([2, 3], [0.5, -0.25, 0.75, 1.5, 0.5, -3]),
    "u": ([2, 3], [1, -1, 0.25, 0.5, 0.25, -0.5]),
    "u_scale": ([2], [0.5, 0.25]),
    "e": ([2, 3], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
    "bias": ([2], [0.5, -0.5])}
write(f"{out}/base.safetensors", base)
write(f"{out}/scaled.safetensors", {**base, "w.scale": ([2], [1, 1])})
write(f"{out}/short.safetensors", {**base, "u_scale": ([3], [1, 1, 1])})
