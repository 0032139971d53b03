# -*- Python -*-
# lit configuration of the spikec test suite.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "spikec"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "Golden", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.spike_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%spike_src", config.spike_src_root))
config.substitutions.append(("%spike_bin", config.spike_tools_dir))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
# Thread counts and BLAS kernels reach the tools, so that
# scripts/check-portable.sh tests what it says it does.
llvm_config.with_system_environment([
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE", "DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA"])
llvm_config.use_default_substitutions()

tool_dirs = [config.spike_tools_dir, config.llvm_tools_dir]
tools = ["spike-opt", "spike-translate"]
if config.spike_has_runtime:
    tools.extend(["spike-run", "spike-make-test-model", "spikec", "spike-chipsim"])
    config.available_features.add("runtime")
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.spike_tools_dir, append_path=True)

# The `nir` package (scripts/install-deps.sh puts it in the spikec cache).
import os, subprocess
nir_dir = os.path.join(os.environ.get("SPIKEC_CACHE", os.path.expanduser("~/.cache/spikec")), "python")
nir_env = dict(os.environ, PYTHONPATH=nir_dir)
# Debian's python3 has python3-h5py; a python3 earlier on PATH may not.
# HF `tokenizers` (same place) is the tokenizer conformance test's oracle.
for module, feature, substitution in [("nir", "nir", "%nir_python"),
                                      ("tokenizers", "hf-tokenizers",
                                       "%hf_python")]:
    for python in ["/usr/bin/python3", "python3"]:
        if subprocess.run([python, "-c", "import " + module], env=nir_env,
                          capture_output=True).returncode == 0:
            config.available_features.add(feature)
            config.environment["PYTHONPATH"] = nir_dir
            config.substitutions.append((substitution, python))
            break
