"""spikec in Python: run spiking plans as PyTorch tensors, drive the compiler.

    import spikec
    plan = spikec.Plan.load("out/quickstart/plans/is.plan.json")
    out = plan.forward("The capital of France is", spikes=True)
    out.logits        # torch.float32 [S, V]
    out.trains        # site -> spikes [T (x L), S, width]

The runtime (``spikec._runtime``) is the C++ simulation runtime built as an
extension against this environment's torch; it holds no MLIR. The compiler
itself (``spikec compile``, ``spike-opt``, ``spike-translate``) is reached
through :mod:`spikec.tools`, which runs the built tools. See docs/Python.md.
"""

from ._runtime import Error, Tokenizer, kernel_summary
from .plan import Forward, Plan
from . import tools

__version__ = "0.1.0"
__all__ = ["Error", "Forward", "Plan", "Tokenizer", "kernel_summary", "tools"]
