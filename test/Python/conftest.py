"""Fixtures of the Python package's tests: a tiny random LLaMA compiled to
plans at every level by the built tools ($SPIKEC_BIN, default build/bin)."""

import json
import os
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("SPIKEC_BIN", ROOT / "build" / "bin"))
os.environ.setdefault("SPIKEC_BIN", str(BIN))


def tool(name, *args, cwd=None, check=True):
    """Runs a built tool; returns the completed process."""
    done = subprocess.run([str(BIN / name), *map(str, args)], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{name} {args} failed:\n{done.stderr}")
    return done


def read_safetensors(path):
    """name -> numpy array of a safetensors file (F32, I64, I16, U8, I8)."""
    dtypes = {"F32": np.float32, "I64": np.int64, "I16": np.int16,
              "U8": np.uint8, "I8": np.int8}
    raw = Path(path).read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        data = raw[8 + size + begin:8 + size + end]
        out[name] = np.frombuffer(data, dtypes[info["dtype"]]).reshape(
            info["shape"])
    return out


# What each plan is: (IR file, the spike-opt arguments from qann.mlir).
LEVELS = {
    "is1": ["--convert-qnn-to-spike=timesteps=1"],
    "is2": ["--convert-qnn-to-spike=timesteps=2"],
    "if2": ["--spike-pipeline=timesteps=2"],
}


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """Plans of one tiny model: fp, qann, is1, is2 (T = 2), if2 (T = 2,
    integrate-then-fire); returns {"dir", "hf", level: plan path}."""
    d = tmp_path_factory.mktemp("tiny")
    tool("spike-make-test-model", "--format", "hf", "--out", d / "hf")
    tool("spike-translate", "--import-llama", d / "hf", "-o", d / "fp.mlir")
    tool("spike-opt", d / "fp.mlir", "--spike-insert-observers", "-o",
         d / "obs.mlir")

    def plan(name):
        tool("spike-translate", "--emit-plan", d / f"{name}.mlir",
             "--plan-tensors", d / f"{name}.safetensors", "--tokenizer",
             d / "hf", "-o", d / f"{name}.plan.json")
        return d / f"{name}.plan.json"

    paths = {"dir": d, "hf": d / "hf", "fp": plan("fp")}
    tool("spike-run", "stats", "--plan", plan("obs"), "--text",
         ROOT / "test/Transforms/Inputs/calib.txt", "--seq-len", "32", "-o",
         d / "stats.json")
    tool("spike-opt", d / "obs.mlir", f"--spike-quantize=stats={d}/stats.json",
         "-o", d / "qann.mlir")
    paths["qann"] = plan("qann")
    for name, args in LEVELS.items():
        tool("spike-opt", d / "qann.mlir", *args, "-o", d / f"{name}.mlir")
        paths[name] = plan(name)
    return paths


@pytest.fixture(scope="session")
def zeroshot_data(tmp_path_factory):
    """The hand-written zero-shot items of test/Runtime (hellaswag bz2'd, as
    in shared/data/zeroshot)."""
    import bz2
    import shutil

    d = tmp_path_factory.mktemp("zeroshot") / "zeroshot"
    shutil.copytree(ROOT / "test/Runtime/Inputs/zeroshot", d)
    text = d / "hellaswag" / "hellaswag_val_full.txt"
    (d / "hellaswag" / "hellaswag_val_full.txt.bz2").write_bytes(
        bz2.compress(text.read_bytes()))
    text.unlink()
    return d
