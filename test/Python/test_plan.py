"""spikec.Plan: load, forward at every level, the exactness claims through
Python, spike trains and counts, generation, perplexity, errors."""

import json

import numpy as np
import pytest
import torch

import spikec
from conftest import read_safetensors, tool

TOKENS = [1, 5, 7, 2, 9, 3, 11, 4]


@pytest.fixture(scope="module")
def plans(tiny):
    return {k: spikec.Plan.load(tiny[k])
            for k in ("fp", "qann", "is1", "is2", "if2")}


def test_load(plans, tiny):
    assert plans["fp"].level == "fp"
    assert plans["qann"].level == "qann"
    assert (plans["is2"].level, plans["is2"].timesteps) == ("is", 2)
    assert plans["if2"].level == "if" and plans["if2"].substeps > 1
    assert plans["is2"].device == "cpu"
    assert plans["is2"].path == str(tiny["is2"])
    kinds = {s["kind"] for s in plans["if2"].sites}
    assert kinds == {"if"}
    assert plans["fp"].sites == []
    assert "level='is'" in repr(plans["is2"])


@pytest.mark.parametrize("level", ["fp", "qann", "is1", "is2", "if2"])
def test_forward_every_level(plans, tiny, level):
    """Shapes, and the same logits as `spike-run exec` bit for bit (one
    process or the other, the same kernels on the same machine)."""
    plan = plans[level]
    one = plan.forward(TOKENS).logits
    assert one.dtype == torch.float32
    assert one.shape == (len(TOKENS), plan.vocab_size)
    batch = plan.forward(torch.tensor([TOKENS, TOKENS[::-1]])).logits
    assert batch.shape == (2, len(TOKENS), plan.vocab_size)
    out = tiny["dir"] / f"{level}.logits.safetensors"
    tool("spike-run", "exec", "--plan", tiny[level], "--tokens",
         " ".join(map(str, TOKENS)), "--out", out)
    cli = read_safetensors(out)["logits"]
    assert np.array_equal(one.numpy(), cli)


def test_t1_is_qann_bit_for_bit(plans):
    """Uncalibrated T = 1 equals the QANN exactly (Theorem 2)."""
    assert torch.equal(plans["is1"](TOKENS).logits, plans["qann"](TOKENS).logits)


def test_if_is_is_bit_for_bit(plans):
    """Integrate-then-fire IF neurons give the IS plan's logits exactly."""
    assert torch.equal(plans["if2"](TOKENS).logits, plans["is2"](TOKENS).logits)
    assert not torch.equal(plans["is2"](TOKENS).logits,
                           plans["qann"](TOKENS).logits)


@pytest.mark.parametrize("level", ["is2", "if2"])
def test_spike_trains_match_counts(plans, level):
    """Each site's train has the documented shape, and its spikes sum to
    the per-call count."""
    plan = plans[level]
    out = plan.forward(TOKENS, spikes=True)
    sites = {s["site"] for s in plan.sites}
    assert set(out.trains) == sites == set(out.currents)
    counts = {c["site"]: c for c in out.counts}
    steps = plan.timesteps * (plan.substeps if level == "if2" else 1)
    for site, train in out.trains.items():
        assert train.shape[0] == steps
        # Rows: batch x (heads, at per-head sites) x positions.
        assert train.shape[1] % len(TOKENS) == 0
        assert out.currents[site].shape[0] == plan.timesteps
        assert not train.is_floating_point()
        spikes = int(train.to(torch.int64).abs().sum())
        assert spikes == counts[site]["spikes"], site
        assert counts[site]["neuron_steps"] > 0


def test_counts_accumulate_and_reset(plans):
    plan = plans["is2"]
    plan.reset_stats()
    plan(TOKENS)
    first = {r["site"]: r["spikes"] for r in plan.spike_stats()}
    plan(TOKENS)
    second = {r["site"]: r["spikes"] for r in plan.spike_stats()}
    assert second == {k: 2 * v for k, v in first.items()}
    keys = set(plan.spike_stats()[0])
    assert {"site", "spikes", "events", "neuron_steps",
            "spikes_per_neuron_step", "synaptic_ops"} <= keys
    plan.reset_stats()
    assert plan.spike_stats() == []


@pytest.mark.parametrize("level", ["qann", "is2", "if2"])
def test_generate_matches_cli(plans, tiny, level):
    """Greedy generation with the KV cache, as `spike-run generate`."""
    plan = plans[level]
    text = plan.generate("hello world", max_new_tokens=6, top_k=1)
    cli = tool("spike-run", "generate", "--plan", tiny[level], "--prompt",
               "hello world", "--max-tokens", "6", "--top-k", "1").stdout
    assert "hello world" + text == cli.rstrip("\n")
    ids = plan.generate(plan.tokenizer.encode("hello world"),
                        max_new_tokens=6)
    assert len(ids) <= 6 and all(0 <= i < plan.vocab_size for i in ids)


def test_perplexity_matches_cli(plans, tiny):
    from conftest import ROOT
    path = ROOT / "test/Transforms/Inputs/calib.txt"
    got = plans["is2"].perplexity(path=str(path), seq_len=32)
    out = tiny["dir"] / "eval.json"
    tool("spike-run", "eval", "--plan", tiny["is2"], "--text", path,
         "--seq-len", "32", "--batch", "1", "--json", out)
    want = json.loads(out.read_text())
    assert got["predicted"] == want["tokens_scored"]
    # The same computation; the JSON keeps every bit of a double.
    assert got["perplexity"] == want["perplexity"]


def test_tokenizer(plans):
    tok = plans["fp"].tokenizer
    ids = tok.encode("hello world")
    assert tok.decode(ids) == "hello world"
    with pytest.raises(spikec.Error, match="outside the vocabulary"):
        tok.decode([tok.vocab_size])


def test_errors_are_the_cli_messages(tiny, tmp_path):
    """Bad input raises spikec.Error with spike-run's one-line message."""
    bad = tmp_path / "bad.plan.json"
    bad.write_text('{"version": 1, "ops": [')
    for path in (tmp_path / "missing.plan.json", bad):
        with pytest.raises(spikec.Error) as e:
            spikec.Plan.load(path)
        cli = tool("spike-run", "exec", "--plan", path, "--tokens", "1",
                   check=False)
        assert cli.returncode != 0
        assert cli.stderr.strip() == f"spike-run: error: {e.value}"
        assert "\n" not in str(e.value)
    plan = spikec.Plan.load(tiny["qann"])
    with pytest.raises(spikec.Error, match="outside the vocabulary"):
        plan.forward([plan.vocab_size])
    with pytest.raises(spikec.Error, match="outside the vocabulary"):
        plan.forward([-1])
    with pytest.raises(spikec.Error, match="must be"):
        plan.forward(torch.zeros(1, 1, 2, dtype=torch.long))
    with pytest.raises(spikec.Error, match="device"):
        spikec.Plan.load(tiny["qann"], device="tpu")
    with pytest.raises(spikec.Error):
        plan.generate([], max_new_tokens=1)
    with pytest.raises(spikec.Error, match="no tokens"):
        plan.forward([])
