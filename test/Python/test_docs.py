"""docs/Python.md's worked example runs, on the tiny model's plans."""

import re

from conftest import ROOT


def test_python_md_example(tiny, tmp_path, monkeypatch, capsys):
    text = (ROOT / "docs/Python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    monkeypatch.setenv("SPIKEC_QANN", str(tiny["qann"]))
    monkeypatch.setenv("SPIKEC_SNN", str(tiny["is2"]))
    monkeypatch.setenv("SPIKEC_PLOT", str(tmp_path / "rates.png"))
    exec(compile(blocks[0], "docs/Python.md", "exec"), {})
    out = capsys.readouterr().out
    assert re.search(r"top-1 agreement [01]\.\d{3}, KL", out)
    assert re.search(r"blk0\.\S+ \(2, \d+, \d+\) torch.int16", out)
    png = (tmp_path / "rates.png").read_bytes()
    assert png.startswith(b"\x89PNG")
