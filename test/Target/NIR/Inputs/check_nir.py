"""Loads every NIR file of a spikec.nir-manifest with the `nir` package and
checks node types, shapes and edges against the manifest; prints a summary
line per graph."""
import json
import os
import sys

import nir
import numpy as np

manifest_path = sys.argv[1]
manifest = json.load(open(manifest_path))
assert manifest["format"] == "spikec.nir-manifest", manifest["format"]
base = os.path.dirname(manifest_path)
for entry in manifest["graphs"]:
    path = os.path.join(base, entry["file"])
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89HDF\r\n\x1a\n"  # an HDF5 file
    import h5py
    with h5py.File(path, "r") as f:
        assert f["version"][()].decode() == "1.0"
    g = nir.read(path)
    assert isinstance(g, nir.NIRGraph)
    kinds = sorted({type(n).__name__ for n in g.nodes.values()})
    for src, dst in g.edges:
        assert src in g.nodes and dst in g.nodes, (src, dst)
    for out in entry["outputs"]:
        node = g.nodes[out["node"]]
        assert isinstance(node, nir.Output)
        assert list(node.output_type["output"]) == [out["features"]], out
    for name, node in g.nodes.items():
        if isinstance(node, nir.IF):
            assert node.r.shape == node.v_threshold.shape == node.v_reset.shape
            assert np.all(node.v_threshold > 0) and np.all(node.v_reset == 0)
        if isinstance(node, (nir.Affine, nir.Linear)):
            rows, cols = node.weight.shape
            if isinstance(node, nir.Affine):
                assert node.bias.shape == (rows,)
    # Write it back with the package and read again: the round trip keeps
    # every node type and array.
    again_path = path + ".again"
    nir.write(again_path, g)
    again = nir.read(again_path)
    os.remove(again_path)
    assert sorted(again.nodes) == sorted(g.nodes)
    for name in g.nodes:
        assert type(again.nodes[name]) is type(g.nodes[name])
    site = entry.get("if_site", "-")
    print(f"{entry['file']}: site {site}: {' '.join(kinds)}; "
          f"{len(g.nodes)} nodes, {len(g.edges)} edges")
print(f"{len(manifest['graphs'])} graphs load in nir {nir.version}")
