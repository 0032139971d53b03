# -*- Python -*-
# lit configuration of the spikec test suite.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "spikec"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.spike_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%spike_src", config.spike_src_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.spike_tools_dir, config.llvm_tools_dir]
tools = ["spike-opt", "spike-translate"]
if config.spike_has_runtime:
    tools.extend(["spike-run", "spike-make-test-model", "spikec"])
    config.available_features.add("runtime")
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.spike_tools_dir, append_path=True)
