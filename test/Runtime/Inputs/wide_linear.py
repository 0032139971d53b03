"""Writes a QANN plan with one 8-bit linear of fan-in K reading an 8-bit
unsigned quantizer (levels up to 255): its synaptic sums reach 255 x 127
x K.

    python3 wide_linear.py DIR K
"""
import json
import struct
import sys

out, k = sys.argv[1], int(sys.argv[2])
tensors = {"table": [4, k], "weight": [4, k]}
header, offset = {}, 0
for name, shape in tensors.items():
    size = 4 * shape[0] * shape[1]
    header[name] = {"dtype": "F32", "shape": shape,
                    "data_offsets": [offset, offset + size]}
    offset += size
blob = json.dumps(header).encode()
blob += b" " * (-len(blob) % 8)
with open(f"{out}/wide.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(blob)) + blob)
    f.write(struct.pack("<f", 0.5) * (offset // 4))

plan = {
    "format": "spikec.plan", "version": 2, "level": "qann",
    "time": {"timesteps": 1, "substeps": 1},
    "tensors": "wide.safetensors", "inputs": ["tokens"], "outputs": ["v3"],
    "ops": [
        {"op": "embedding", "inputs": ["tokens"], "outputs": ["v1"],
         "params": {"table": "table"}},
        {"op": "quantize", "inputs": ["v1"], "outputs": ["v2"], "site": "blk0.attn.norm",
         "attrs": {"bits": 8, "signed": False, "scale": [1.0]}},
        {"op": "linear", "inputs": ["v2"], "outputs": ["v3"],
         "attrs": {"weight_bits": 8}, "params": {"weight": "weight"}},
    ],
}
with open(f"{out}/wide.plan.json", "w") as f:
    json.dump(plan, f, indent=1)
