"""The lm-evaluation-harness model: every request kind on a tiny plan, and
agreement with `spike-run zeroshot` item for item on local tasks."""

import json

import pytest

import spikec
from conftest import tool

import lm_eval
from lm_eval.api.instance import Instance

import spikec.harness  # noqa: F401  (registers "spikec")
from spikec import tasks


def request(kind, args):
    return Instance(request_type=kind, doc={}, arguments=args, idx=0)


@pytest.fixture(scope="module")
def model(tiny):
    from lm_eval.api.registry import get_model

    cls = get_model("spikec")
    return cls.create_from_arg_string(f"plan={tiny['is2']},device=cpu",
                                      {"batch_size": 1, "device": "cpu"})


def test_loglikelihood(model, tiny):
    got = model.loglikelihood([request("loglikelihood",
                                       ("Question: why?\nAnswer:", " yes"))])
    plan = spikec.Plan.load(tiny["is2"])
    assert got == [plan.loglikelihood("Question: why?\nAnswer:", " yes")]
    logp, greedy = got[0]
    assert logp < 0 and isinstance(greedy, bool)


def test_loglikelihood_rolling(model):
    """One window: log P(text | prefix token). With max_length 4, the
    harness's disjoint windows by hand: ([prefix], ids[0:4]), then each
    next (up to) 4 tokens after the tokens that fill the window to 5."""
    text = "the quick brown fox jumps over the lazy dog"
    ids = model.tok.encode(text)
    assert len(ids) > 9
    (whole,) = model.loglikelihood_rolling([request("loglikelihood_rolling",
                                                    (text,))])
    want = model.plan.loglikelihood_tokens([([model.prefix_token], ids)])[0][0]
    assert whole == want
    windows = [([model.prefix_token], ids[0:4])]
    pos = 4
    while pos < len(ids):
        k = min(len(ids) - pos, 4)
        windows.append((ids[pos + k - 5:pos], ids[pos:pos + k]))
        pos += k
    by_hand = 0.0
    for context, target in windows:
        by_hand += model.plan.loglikelihood_tokens([(context, target)])[0][0]
    model.max_length = 4
    try:
        (short,) = model.loglikelihood_rolling(
            [request("loglikelihood_rolling", (text,))])
    finally:
        model.max_length = 2048
    assert short == by_hand


def test_generate_until(model):
    """Greedy: the plan's own greedy continuation, cut at the first stop
    string; max_new_tokens is read as max_gen_toks (normalize_gen_kwargs)."""
    full = model.plan.generate("hello world", max_new_tokens=6)
    (text,) = model.generate_until([request(
        "generate_until", ("hello world", {"until": ["\n"],
                                           "max_new_tokens": 6}))])
    assert full.startswith(text)
    if "\n" not in full:
        assert text == full
    stop = full[2:4] if len(full) >= 4 else None
    if stop:
        (cut,) = model.generate_until([request(
            "generate_until", ("hello world", {"until": [stop],
                                               "max_gen_toks": 6}))])
        assert cut == full[:full.index(stop)]


def test_unknown_model_arg(tiny):
    from lm_eval.api.registry import get_model

    with pytest.raises(spikec.Error, match="unknown model_args: plann"):
        get_model("spikec").create_from_arg_string(f"plann={tiny['is2']}")


@pytest.mark.parametrize("level", ["qann", "is2", "if2"])
def test_agreement_with_spike_run_zeroshot(tiny, zeroshot_data, tmp_path,
                                           level):
    """lm-eval's acc and acc_norm on the local tasks equal spike-run
    zeroshot's, item for item, with one request per runtime call on both
    sides."""
    names = tasks.write_tasks(str(zeroshot_data), str(tmp_path / "tasks"))
    from lm_eval.tasks import TaskManager

    results = lm_eval.simple_evaluate(
        model="spikec", model_args=f"plan={tiny[level]}", tasks=names,
        task_manager=TaskManager(include_path=str(tmp_path / "tasks")),
        batch_size=1, log_samples=True)
    samples = tool("spike-run", "zeroshot", "--plan", tiny[level], "--data",
                   zeroshot_data, "--batch", "1", "--samples",
                   tmp_path / "samples.jsonl")
    ours = [json.loads(l) for l in
            (tmp_path / "samples.jsonl").read_text().splitlines()]
    assert samples.returncode == 0
    for name in tasks.TASKS:
        theirs = sorted(results["samples"][f"spikec_{name}"],
                        key=lambda s: s["doc_id"])
        mine = [s for s in ours if s["task"] == name]
        assert len(theirs) == len(mine) > 0, name
        for t, m in zip(theirs, mine):
            lls = [r[0] for r in t["filtered_resps"]]
            assert lls == m["logliks"], (name, m["index"])
            assert t["acc"] == float(m["pred"] == m["gold"])
            if name != "winogrande":
                assert t["acc_norm"] == float(m["pred_norm"] == m["gold"])
