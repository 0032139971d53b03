"""Writes the weight files of apply-calibration-weights.mlir into DIR.

base.safetensors: the module's weights (w [2, 3], u [2, 3], bias [2]).
learnt*.safetensors and *.json: calibration files whose learnt weights
fit (learnt), name no linear (stray), have the wrong shape (shape) or
lack the scales (noscale).
"""
import json
import os
import sys

from f32_safetensors import write


def calibration(path, weights, tensors):
    json.dump({"format": "spikec.calibration", "version": 1, "timesteps": 2,
               "sites": {}, "learn": ["weights"],
               "weights": {"file": weights, "scales": "kept",
                           "tensors": tensors}}, open(path, "w"))


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
write(f"{out}/base.safetensors", {
    "w": ([2, 3], [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]),
    "u": ([2, 3], [1, 2, 3, 4, 5, 6]),
    "bias": ([2], [0.5, -0.5])})
# 3-bit codes (top 3): the learnt weight is codes * scale.
learnt = {"w": ([2, 3], [0.1, -0.1, 0.3, 0.4, 0.2, -0.6]),
          "w.scale": ([2], [0.1, 0.2])}
write(f"{out}/learnt.safetensors", learnt)
calibration(f"{out}/learnt.json", "learnt.safetensors", ["w"])
calibration(f"{out}/stray.json", "learnt.safetensors", ["bias"])
write(f"{out}/shape.safetensors", {"w": ([3, 2], learnt["w"][1]),
                                   "w.scale": ([3], [0.1, 0.2, 0.3])})
calibration(f"{out}/shape.json", "shape.safetensors", ["w"])
write(f"{out}/noscale.safetensors", {"w": learnt["w"]})
calibration(f"{out}/noscale.json", "noscale.safetensors", ["w"])
