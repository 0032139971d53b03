"""A loaded plan: forward, generation, perplexity and spike statistics."""

from __future__ import annotations

import os
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import torch

from . import _runtime
from ._runtime import Error

Tokens = Union[str, Sequence[int], torch.Tensor]


class Forward(NamedTuple):
    """What :meth:`Plan.forward` returns.

    logits: float32 ``[B, S, V]`` (``[S, V]`` for one sequence), on the
        plan's device.
    trains: with ``spikes=True``, per neuron site its spikes as int tensors
        ``[steps, rows, width]`` on the CPU (rows flatten batch, heads at
        per-head sites, and positions, in that order):
        IS sites int16 graded spikes s(t), steps = T; IF sites uint8 (int8 in
        the signed code) binary spikes, steps = T*L sub-steps. Empty
        otherwise. The prefix's positions are left out.
    currents: with ``spikes=True``, per site the float32 input current of
        each step, ``[T, rows, width]``.
    counts: with ``spikes=True``, per site the counters of this call alone
        (records as in :meth:`Plan.spike_stats`).
    """

    logits: torch.Tensor
    trains: Dict[str, torch.Tensor]
    currents: Dict[str, torch.Tensor]
    counts: List[dict]


class Plan:
    """A plan (docs/PlanFormat.md) at any level: fp, qann, is or if.

    Load with :meth:`Plan.load`. Calls on one plan run one at a time and
    release the GIL while they run. Errors raise :class:`spikec.Error` with
    the message ``spike-run`` prints.
    """

    def __init__(self, runtime: _runtime.Plan, tokenizer: Optional[str]):
        self._plan = runtime
        self._tokenizer_path = tokenizer or runtime.tokenizer_path
        self._tokenizer: Optional[_runtime.Tokenizer] = None

    @classmethod
    def load(cls, path: Union[str, os.PathLike], device: str = "cpu",
             tokenizer: Optional[str] = None) -> "Plan":
        """Validates and loads the plan at ``path`` onto ``device`` ("cpu"
        or "cuda[:N]"). ``tokenizer`` overrides the plan's tokenizer."""
        return cls(_runtime.Plan(os.fspath(path), device), tokenizer)

    # What the plan is.
    path = property(lambda self: self._plan.path)
    level = property(lambda self: self._plan.level, doc="fp, qann, is or if")
    timesteps = property(lambda self: self._plan.timesteps, doc="T")
    substeps = property(lambda self: self._plan.substeps, doc="L (IF plans)")
    device = property(lambda self: self._plan.device)
    vocab_size = property(lambda self: self._plan.vocab_size)
    prefix_tokens = property(lambda self: list(self._plan.prefix_tokens))
    sites = property(lambda self: self._plan.sites,
                     doc="The neuron sites: site, kind, levels, alpha, code")

    @property
    def tokenizer(self) -> _runtime.Tokenizer:
        """The plan's tokenizer (or the one given to :meth:`load`)."""
        if self._tokenizer is None:
            if not self._tokenizer_path:
                raise Error(f"{self.path} names no tokenizer; pass "
                            "tokenizer= to Plan.load")
            self._tokenizer = _runtime.Tokenizer(self._tokenizer_path)
        return self._tokenizer

    def _ids(self, tokens: Tokens) -> torch.Tensor:
        if isinstance(tokens, str):
            tokens = self.tokenizer.encode(tokens)
        if not isinstance(tokens, torch.Tensor):
            tokens = torch.tensor(list(tokens), dtype=torch.long)
        return tokens

    def forward(self, tokens: Tokens, spikes: bool = False) -> Forward:
        """Runs the plan on ``tokens``: text, ids ``[S]`` or ``[B, S]``."""
        logits, trace, counts = self._plan.forward(self._ids(tokens), spikes)
        trains = {k[:-len(".spikes")]: v for k, v in trace.items()
                  if k.endswith(".spikes")}
        currents = {k[:-len(".current")]: v for k, v in trace.items()
                    if k.endswith(".current")}
        return Forward(logits, trains, currents, counts)

    __call__ = forward

    def generate(self, prompt: Tokens, max_new_tokens: int = 32,
                 top_k: int = 1, temperature: float = 1.0, seed: int = 0,
                 stop_at_eos: bool = True,
                 until: Sequence[str] = ()) -> Union[str, List[int]]:
        """Continues ``prompt`` with the KV cache: greedy by default
        (``top_k=1``), else top-k (0: all) / temperature sampling from
        ``seed``. Stops at EOS (``stop_at_eos``), after ``max_new_tokens``,
        or once the new text holds one of the ``until`` strings. Returns the
        new text for a text prompt (EOS and what follows a stop string
        removed), else the new ids (the EOS token, when it ends the run,
        included)."""
        ids = self._ids(prompt).reshape(-1).tolist()
        has_tok = bool(self._tokenizer_path)
        stop = self.tokenizer.eos if stop_at_eos and has_tok else -1
        done = None
        if until:
            def done(new):
                text = self.tokenizer.decode(new)
                return any(u and u in text for u in until)
        new = self._plan.generate(ids, max_new_tokens, top_k, temperature,
                                  seed, stop, done)
        if not isinstance(prompt, str):
            return new
        return continuation_text(self.tokenizer, ids, new, until, stop)

    def perplexity(self, text: Optional[str] = None, *,
                   path: Optional[str] = None,
                   ids: Optional[Sequence[int]] = None, seq_len: int = 512,
                   max_tokens: int = 0, batch: int = 1,
                   bos: bool = False) -> dict:
        """Perplexity as ``spike-run eval``: non-overlapping chunks of
        ``seq_len`` tokens of ``text`` (or the file at ``path``, or ``ids``),
        the first ``max_tokens`` (0: all). Returns perplexity, nll (nats per
        token), predicted, chunks, seconds."""
        if ids is None:
            if path is not None:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            if text is None:
                raise Error("perplexity: pass text, path or ids")
            ids = self.tokenizer.encode(text)
        first = self.tokenizer.bos if bos else -1
        if bos and first < 0:
            raise Error(f"{self.tokenizer.path}: the tokenizer has no BOS token")
        return self._plan.perplexity(list(ids), seq_len, max_tokens, batch,
                                     first)

    def loglikelihood(self, context: str, continuation: str,
                      bos: bool = False) -> Tuple[float, bool]:
        """(log P(continuation | context) in nats, is_greedy), tokenized as
        lm-evaluation-harness does (``spike-run zeroshot``'s convention)."""
        first = self.tokenizer.bos if bos else -1
        request = self.tokenizer.request(context, continuation, first)
        return self._plan.loglikelihoods([request], 1)[0]

    def loglikelihood_tokens(
            self, requests: Sequence[Tuple[Sequence[int], Sequence[int]]],
            batch: int = 1) -> List[Tuple[float, bool]]:
        """The same on token ids, ``batch`` requests per forward pass."""
        return self._plan.loglikelihoods(
            [(list(c), list(t)) for c, t in requests], batch)

    def score_task(self, task: str, data_dir: Optional[str] = None,
                   limit: int = 0, batch: int = 1, bos: bool = False) -> dict:
        """``spike-run zeroshot`` on one task of the zero-shot sets
        (piqa, arc_easy, arc_challenge, hellaswag, winogrande): acc,
        acc_norm, their standard errors, and per item the choices'
        log-likelihoods and picks."""
        if data_dir is None:
            data_dir = os.path.join(
                os.environ.get("SPIKEC_DATA", "../shared/data"), "zeroshot")
        first = self.tokenizer.bos if bos else -1
        return self._plan.score_task(self.tokenizer, task, data_dir, limit,
                                     batch, first)

    def spike_stats(self) -> List[dict]:
        """Per neuron site, what the runs since load (or reset) emitted:
        site, spikes, events, negative_spikes, negative_events, cap_bound,
        neurons (of the last run's step), neuron_steps, synaptic_ops,
        dense_macs and spikes_per_neuron_step (as ``spike-run eval``).
        Records for ``pandas.DataFrame``."""
        return self._plan.spike_counts()

    def reset_stats(self) -> None:
        """Clears the counters (and the executor's state)."""
        self._plan.reset_counts()

    def __repr__(self) -> str:
        return (f"Plan({self.path!r}, level={self.level!r}, "
                f"T={self.timesteps}, device={self.device!r})")


def continuation_text(tokenizer: _runtime.Tokenizer, prompt: List[int],
                      new: List[int], until: Sequence[str] = (),
                      eos: int = -1) -> str:
    """The text that ``new`` adds after ``prompt``, without a final ``eos``
    token and cut before the first ``until`` string. Decoders work on
    whole sequences (SentencePiece drops the first token's leading space),
    so it decodes prompt + new and keeps the suffix."""
    if new and new[-1] == eos:
        new = new[:-1]
    whole = tokenizer.decode(list(prompt) + list(new))
    head = tokenizer.decode(list(prompt))
    text = (whole[len(head):] if whole.startswith(head)
            else tokenizer.decode(list(new)))
    cut = [text.index(u) for u in until if u and u in text]
    return text[:min(cut)] if cut else text
