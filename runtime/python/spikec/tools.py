"""The compiler from Python: thin wrappers that run the built tools.

The package holds the runtime only; ``spikec compile``, ``spike-opt`` and
``spike-translate`` are found in ``$SPIKEC_BIN`` (the build's ``bin``
folder) or on ``PATH``. A failing tool raises :class:`spikec.Error` with its
one-line error message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import List, Optional, Sequence, Union

from ._runtime import Error

PathLike = Union[str, os.PathLike]


class ToolNotFoundError(Error):
    """A compiler tool is neither in $SPIKEC_BIN nor on PATH."""


def find_tool(name: str) -> str:
    """The path of tool ``name`` (e.g. "spike-opt")."""
    folder = os.environ.get("SPIKEC_BIN")
    if folder:
        path = os.path.join(folder, name)
        if os.access(path, os.X_OK):
            return path
        raise ToolNotFoundError(
            f"{path}: not found or not executable (SPIKEC_BIN={folder})")
    path = shutil.which(name)
    if path is None:
        raise ToolNotFoundError(
            f"{name}: not found; set SPIKEC_BIN to the folder of the built "
            "tools (build/bin) or put them on PATH")
    return path


def run_tool(name: str, args: Sequence[PathLike],
             cwd: Optional[PathLike] = None) -> str:
    """Runs tool ``name`` with ``args``; returns its standard output."""
    cmd = [find_tool(name)] + [os.fspath(a) for a in args]
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        lines = [l for l in done.stderr.splitlines() if l.strip()]
        errors = [l for l in lines if "error" in l]
        message = (errors or lines or [f"exit status {done.returncode}"])[-1]
        raise Error(message)
    return done.stdout


def _flags(options: dict) -> List[str]:
    """``eval_text="x"`` -> ``--eval-text=x``; True -> ``--flag``."""
    out = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        out.append(flag if value is True else f"{flag}={os.fspath(value) if isinstance(value, os.PathLike) else value}")
    return out


def compile(model: PathLike, chip: PathLike, out: PathLike,
            **options) -> dict:
    """``spikec compile MODEL --chip CHIP -o OUT`` with ``options`` as
    flags (``T=2``, ``eval_text=...``, ``fresh=True``; docs/Driver.md).
    Returns the job's report (``OUT/report.json``) as a dict."""
    run_tool("spikec", ["compile", model, f"--chip={os.fspath(chip)}",
                        f"-o={os.fspath(out)}"] + _flags(options))
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        return json.load(f)


def opt(input: PathLike, *passes: str, output: Optional[PathLike] = None,
        cwd: Optional[PathLike] = None) -> str:
    """``spike-opt INPUT PASSES...``, e.g.
    ``opt("qann.mlir", '--spike-pipeline=timesteps=2', output="if.mlir")``.
    Returns the printed IR (empty when written to ``output``)."""
    args: List[PathLike] = [input, *passes]
    if output is not None:
        args += ["-o", output]
    return run_tool("spike-opt", args, cwd)


def translate(*args: PathLike, cwd: Optional[PathLike] = None) -> str:
    """``spike-translate ARGS...`` (import, plan, chip program, NIR)."""
    return run_tool("spike-translate", list(args), cwd)


def emit_plan(ir: PathLike, plan: PathLike,
              tensors: Optional[PathLike] = None,
              tokenizer: Optional[PathLike] = None) -> str:
    """The plan of ``ir`` at ``plan`` (its tensors beside it unless given);
    returns ``plan``'s path."""
    plan = os.fspath(plan)
    if tensors is None:
        tensors = plan[:-len(".plan.json")] + ".safetensors" \
            if plan.endswith(".plan.json") else plan + ".safetensors"
    args: List[PathLike] = ["--emit-plan", ir, "--plan-tensors", tensors,
                            "-o", plan]
    if tokenizer is not None:
        args += ["--tokenizer", tokenizer]
    translate(*args)
    return plan


def map_to_chip(ir: PathLike, chip: PathLike, report: PathLike,
                **options) -> dict:
    """``spike-opt IR --spike-map-to-chip="chip=... report=..."`` with
    ``options`` (rates=, batch=, prompt=, ...; docs/Mapping.md). Returns
    the mapping report as a dict."""
    inner = " ".join([f"chip={os.fspath(chip)}", f"report={os.fspath(report)}"]
                     + [f"{k.replace('_', '-')}={v}" for k, v in options.items()])
    opt(ir, f"--spike-map-to-chip={inner}", output=os.devnull)
    with open(report, encoding="utf-8") as f:
        return json.load(f)
