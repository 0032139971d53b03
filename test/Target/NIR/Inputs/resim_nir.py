"""Re-simulates every IF graph of a NIR export from its own files: the
.nir file (the `nir` package reads it: IF v_threshold, r, v_reset) and the
manifest's `neuron` (v0, alpha, L, T, budget, schedule), driven by the
input currents that `spike-run exec --neuron-trace` recorded, in f32 with
the runtime's order of operations (spike::neuron::ifWindow). Prints per
graph the spikes compared and exits 1 on the first that differs.

  resim_nir.py MANIFEST TRACE.safetensors
"""
import json
import os
import struct
import sys

import nir
import numpy as np


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack_from("<Q", raw)[0]
    header = json.loads(raw[8:8 + n])
    kinds = {"F32": np.float32, "U8": np.uint8, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e],
                                  dtype=kinds[info["dtype"]]).reshape(
                                      info["shape"])
    return out


def simulate(current, theta, v0, n):
    """Spikes [T * L, rows, width] (uint8) of the IF neuron: ifWindow on
    f32, integrate-then-fire or uniform, budget over the T-step window."""
    f32 = np.float32
    T, rows, width = current.shape
    L, alpha, budget = n["levels"], f32(n["alpha"]), n.get("budget", 0)
    one = f32(1)
    u = np.broadcast_to(v0 / theta, (rows, width)).astype(f32)
    spent = np.zeros((rows, width), dtype=np.int64)
    spikes = np.zeros((T * L, rows, width), dtype=np.uint8)

    def substep(charge, j):
        nonlocal u, spent
        u = (u + charge).astype(f32)
        fire = (u >= one) & ((budget <= 0) | (spent < budget))
        u = np.where(fire, (u - one).astype(f32), u)
        spent = spent + fire
        spikes[j] = fire

    for t in range(T):
        q = (current[t] / theta).astype(f32)
        if n["schedule"] == "integrate-then-fire":
            u = (u + q).astype(f32)
            a = (alpha * one).astype(f32)
            for j in range(L):
                substep(a if j == 0 else f32(0), t * L + j)
        else:
            per = ((q + alpha * one) / f32(L)).astype(f32)
            for j in range(L):
                substep(per, t * L + j)
    return spikes


def main():
    manifest_path, trace_path = sys.argv[1], sys.argv[2]
    manifest = json.load(open(manifest_path))
    trace = read_safetensors(trace_path)
    base = os.path.dirname(manifest_path)
    total = 0
    for entry in manifest["graphs"]:
        if "if_site" not in entry:
            continue
        site, n = entry["if_site"], entry["neuron"]
        g = nir.read(os.path.join(base, entry["file"]))
        (node,) = [x for x in g.nodes.values() if isinstance(x, nir.IF)]
        theta = np.asarray(node.v_threshold, dtype=np.float32)
        groups = len(n["threshold"])
        width = n["channels"]
        # v0 per group (or one for all), expanded over contiguous channels.
        v0 = np.asarray(n["v0"], dtype=np.float64)
        v0 = np.repeat(v0 if len(v0) == groups else np.repeat(v0, groups),
                       width // groups).astype(np.float32)
        current = trace[site + ".current"]
        want = trace[site + ".spikes"]
        assert current.shape[0] == n["timesteps"], (site, current.shape)
        got = simulate(current, theta, v0, n)
        if got.shape != want.shape or not np.array_equal(got, want):
            bad = np.argwhere(got != want)
            print(f"{site}: differs at {bad[0].tolist() if len(bad) else got.shape}")
            return 1
        total += got.size
        print(f"{entry['file']}: site {site}: {int(want.sum())} spikes of "
              f"{want.size} sub-steps identical")
    print(f"re-simulated from the export alone: {total} sub-steps identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
