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
from .plan import Plan, continuation_text


@register_model("spikec")
class SpikecLM(LM):
    """A plan at any level (fp, qann, is, if) as an lm-eval model.

    model_args: ``plan`` (required), ``device`` (cpu, cuda[:N]),
    ``tokenizer`` (overrides the plan's), ``bos`` (start each context with
    BOS), ``max_length`` (rolling windows and the generation context,
    default 2048), ``max_gen_toks`` (default 256), ``seed`` (of sampled
    generation; request i uses seed + i; default 1234).
    """

    def __init__(self, plan: Optional[str] = None, device: str = "cpu",
                 tokenizer: Optional[str] = None, bos: bool = False,
                 max_length: int = 2048, max_gen_toks: int = 256,
                 seed: int = 1234, batch_size=None, max_batch_size=None,
                 **unknown):
        super().__init__()
        if unknown:
            raise Error("spikec: unknown model_args: " + ", ".join(
                sorted(unknown)) + " (plan, device, tokenizer, bos, "
                "max_length, max_gen_toks, seed)")
        if not plan:
            raise Error("spikec: model_args needs plan=PATH")
        self.plan = Plan.load(plan, device=str(device), tokenizer=tokenizer)
        self.tok = self.plan.tokenizer
        if bos and self.tok.bos < 0:
            raise Error(f"{self.tok.path}: the tokenizer has no BOS token")
        self.bos = self.tok.bos if bos else -1
        self.max_length = int(max_length)
        self.max_gen_toks = int(max_gen_toks)
        self.seed = int(seed)

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
        """Greedy (or, with do_sample and a temperature, sampled) decoding
        with the KV cache, as lm_eval's HF model reads gen_kwargs
        (normalize_gen_kwargs: max_gen_toks and its aliases; until plus the
        EOS text); the context keeps its last max_length - max_gen_toks
        tokens; each request stops once its text holds a stop string."""
        from lm_eval.models.utils import (handle_stop_sequences,
                                          normalize_gen_kwargs)

        eos_text = (self.tok.decode([self.tok.eos]) if self.tok.eos >= 0
                    else None)
        out = []
        for index, request in enumerate(requests):
            context, gen_kwargs = request.args
            kwargs = normalize_gen_kwargs(dict(gen_kwargs or {}),
                                          self.max_gen_toks)
            until = handle_stop_sequences(kwargs.pop("until", None),
                                          eos=eos_text)
            max_new = kwargs["max_gen_toks"]
            sample = bool(kwargs.get("do_sample")) and \
                float(kwargs.get("temperature", 0.0)) > 0
            ids = self.tok.encode(context) if context else []
            if self.bos >= 0:
                ids = [self.bos] + ids
            keep = max(1, self.max_length - max_new)
            ids = ids[-keep:] or [self.prefix_token]
            new = self.plan.generate(
                ids, max_new_tokens=max_new, top_k=0 if sample else 1,
                temperature=float(kwargs["temperature"]) if sample else 1.0,
                seed=self.seed + index, until=until)
            out.append(continuation_text(self.tok, ids, new, until,
                                         self.tok.eos))
            self.cache_hook.add_partial("generate_until", request.args,
                                        out[-1])
        return out
