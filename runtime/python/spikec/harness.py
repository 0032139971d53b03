"""spikec as an lm-evaluation-harness model (lm_eval 0.4.13): importing
this module registers the ``spikec`` model.

    python -m spikec.lm_eval --model spikec \\
        --model_args plan=out/quickstart/plans/is.plan.json,device=cpu \\
        --include_path TASKS --tasks spikec_piqa

lm_eval 0.4.13 has no plugin entry point for models, so :mod:`spikec.lm_eval`
registers the ``spikec`` model and then runs lm_eval's own command line
(``spikec-lm-eval`` is the same as a console script).
In a Python session, ``import spikec.harness`` registers it for
``lm_eval.simple_evaluate``.

Every request is one runtime call (batch 1), so batching never changes a
number; log-likelihoods are tokenized as ``spike-run zeroshot`` does.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from lm_eval import utils
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from ._runtime import Error
from .plan import Plan


@register_model("spikec")
class SpikecLM(LM):
    """A plan at any level (fp, qann, is, if) as an lm-eval model.

    model_args: ``plan`` (required), ``device`` (cpu, cuda[:N]),
    ``tokenizer`` (overrides the plan's), ``bos`` (start each context with
    BOS), ``max_length`` (rolling windows, default 2048), ``max_gen_toks``
    (default 256).
    """

    def __init__(self, plan: Optional[str] = None, device: str = "cpu",
                 tokenizer: Optional[str] = None, bos: bool = False,
                 max_length: int = 2048, max_gen_toks: int = 256,
                 batch_size=None, max_batch_size=None, **unused):
        super().__init__()
        if not plan:
            raise Error("spikec: model_args needs plan=PATH")
        self.plan = Plan.load(plan, device=str(device), tokenizer=tokenizer)
        self.tok = self.plan.tokenizer
        if bos and self.tok.bos < 0:
            raise Error(f"{self.tok.path}: the tokenizer has no BOS token")
        self.bos = self.tok.bos if bos else -1
        self.max_length = int(max_length)
        self.max_gen_toks = int(max_gen_toks)

    @classmethod
    def create_from_arg_string(cls, arg_string: str,
                               additional_config: Optional[dict] = None):
        """model_args win over the command line's --device and batch
        flags (the harness's own models would get both and fail)."""
        return cls.create_from_arg_obj(
            utils.simple_parse_args_string(arg_string), additional_config)

    @classmethod
    def create_from_arg_obj(cls, arg_dict: dict,
                            additional_config: Optional[dict] = None):
        extra = {k: v for k, v in (additional_config or {}).items()
                 if v is not None and k not in arg_dict}
        return cls(**arg_dict, **extra)

    @property
    def prefix_token(self) -> int:
        """What an empty context reads: BOS, else EOS (the harness's)."""
        return self.tok.bos if self.tok.bos >= 0 else max(self.tok.eos, 0)

    def loglikelihood(self, requests, disable_tqdm: bool = False
                      ) -> List[Tuple[float, bool]]:
        out = []
        for request in requests:
            context, continuation = request.args
            pair = self.tok.request(context, continuation, self.bos)
            result = self.plan.loglikelihood_tokens([pair], 1)[0]
            out.append(result)
            self.cache_hook.add_partial("loglikelihood", request.args, result)
        return out

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False
                              ) -> List[float]:
        out = []
        for request in requests:
            (text,) = request.args
            ids = self.tok.encode(text)
            total = 0.0
            for window in utils.get_rolling_token_windows(
                    token_list=ids, prefix_token=self.prefix_token,
                    max_seq_len=self.max_length, context_len=1):
                context, target = utils.make_disjoint_window(window)
                total += self.plan.loglikelihood_tokens(
                    [(context, target)], 1)[0][0]
            out.append(total)
            self.cache_hook.add_partial("loglikelihood_rolling",
                                        request.args, total)
        return out

    def generate_until(self, requests, disable_tqdm: bool = False
                       ) -> List[str]:
        out = []
        for request in requests:
            context, gen_kwargs = request.args
            kwargs = dict(gen_kwargs or {})
            until = kwargs.pop("until", None) or []
            if isinstance(until, str):
                until = [until]
            max_new = int(kwargs.pop("max_gen_toks", self.max_gen_toks))
            sample = bool(kwargs.pop("do_sample", False))
            temperature = float(kwargs.pop("temperature", 0.0) or 0.0)
            greedy = not sample or temperature == 0.0
            ids = self.tok.encode(context) if context else [self.prefix_token]
            if self.bos >= 0:
                ids = [self.bos] + ids
            new = self.plan._plan.generate(
                ids, max_new, 1 if greedy else 0,
                1.0 if greedy else temperature, 0, self.tok.eos)
            if new and new[-1] == self.tok.eos:
                new = new[:-1]
            text = self.tok.decode(new)
            for stop in until:
                if stop and stop in text:
                    text = text[:text.index(stop)]
            out.append(text)
            self.cache_hook.add_partial("generate_until", request.args, text)
        return out
