"""spikec.tools: the compiler's tools from Python."""

import json

import pytest

import spikec
from spikec import tools


def test_find_tool_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("SPIKEC_BIN", str(tmp_path))
    with pytest.raises(tools.ToolNotFoundError, match="SPIKEC_BIN"):
        tools.find_tool("spike-opt")
    monkeypatch.delenv("SPIKEC_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(tools.ToolNotFoundError, match="build/bin"):
        tools.find_tool("spike-opt")


def test_opt_and_emit_plan(tiny, tmp_path):
    """A pass through spike-opt and a plan through spike-translate, loaded
    and run: the same logits as the fixture's IF plan."""
    # Beside qann.mlir: the IR names its weight file relative to itself.
    out = tiny["dir"] / "tools-if2.mlir"
    tools.opt(tiny["dir"] / "qann.mlir", "--spike-pipeline=timesteps=2",
              output=out)
    assert "spike.if" in out.read_text()
    path = tools.emit_plan(out, tmp_path / "if2.plan.json",
                           tokenizer=tiny["hf"])
    plan = spikec.Plan.load(path)
    ref = spikec.Plan.load(tiny["if2"])
    assert plan.level == "if"
    assert plan([3, 1, 4]).logits.equal(ref([3, 1, 4]).logits)


def test_tool_error_is_one_line(tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_text("this is not IR\n")
    with pytest.raises(spikec.Error) as e:
        tools.opt(bad, "--spike-pipeline=timesteps=2")
    assert "bad.mlir" in str(e.value) and "\n" not in str(e.value)


def test_map_to_chip(tiny, tmp_path):
    from conftest import ROOT
    report = tools.map_to_chip(tiny["dir"] / "if2.mlir",
                               ROOT / "chips/loihi2-like.yaml",
                               tmp_path / "mapping.json")
    assert report == json.loads((tmp_path / "mapping.json").read_text())
    assert "run_modes" in report


def test_compile_returns_the_report(tiny, tmp_path):
    """spikec compile on the tiny model with small stages (as
    test/Tools/spikec.test), its report.json as a dict, and the final plan
    loadable from it."""
    from conftest import ROOT
    out = tmp_path / "job"
    report = tools.compile(
        tiny["hf"], ROOT / "chips/loihi2-like.yaml", out, T=2,
        calib_samples=4, calib_seq_len=16, calib_epochs=2, stats_tokens=256,
        stats_seq_len=32, data_free_samples=8, data_free_seq_len=32,
        agree_samples=2, agree_seq_len=16, threads=1, spike_penalty=0.5)
    assert report == json.loads((out / "report.json").read_text())
    # The penalty reached the calibration (its stage's command line).
    assert "--spike-penalty 0.5" in (out / "logs/13-calibrate.log").read_text()
    plan = spikec.Plan.load(out / "plans/is-calibrated.plan.json")
    assert (plan.level, plan.timesteps) == ("is", 2)
    with pytest.raises(spikec.Error, match="stage 'calibrate' failed"):
        tools.compile(tiny["hf"], ROOT / "chips/loihi2-like.yaml",
                      tmp_path / "bad", T=2, calib_seq_len=100000,
                      calib_samples=4, stats_tokens=256, stats_seq_len=32,
                      data_free_samples=8, data_free_seq_len=32, threads=1)
