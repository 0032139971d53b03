// RUN: spike-opt %s -spike-apply-calibration="file=%S/Inputs/calibration.json" | FileCheck %s
// RUN: not spike-opt %s -spike-apply-calibration="file=%S/Inputs/calibration-t4.json" 2>&1 | FileCheck %s --check-prefix=T4
// RUN: not spike-opt %s -spike-apply-calibration="file=%S/Inputs/calibration-unknown-site.json" 2>&1 | FileCheck %s --check-prefix=SITE
// RUN: not spike-opt %s -spike-apply-calibration="file=%S/Inputs/calibration-groups.json" 2>&1 | FileCheck %s --check-prefix=GROUPS
// RUN: not spike-opt %s -spike-apply-calibration="file=%S/Inputs/calibration-bad-v0.json" 2>&1 | FileCheck %s --check-prefix=SCHEMA
// RUN: not spike-opt %s -spike-apply-calibration="file=%S/Inputs/absent.json" 2>&1 | FileCheck %s --check-prefix=ABSENT
// RUN: not spike-opt %s -spike-apply-calibration 2>&1 | FileCheck %s --check-prefix=NOFILE
// A teacher nested 100,000 deep (was: a stack overflow): one error line.
// RUN: python3 -c "import sys; open(sys.argv[1],'w').write(open(sys.argv[2]).read().replace('\"teacher\": \"fp\"', '\"teacher\": ' + '['*100000 + ']'*100000, 1))" %t.deep.json %S/Inputs/calibration.json
// RUN: not spike-opt %s -spike-apply-calibration="file=%t.deep.json" 2>&1 | FileCheck %s --check-prefix=DEEP
// DEEP: error: spike-apply-calibration: {{.*}}deep.json: JSON nested 100001 deep (at most 64)

// Calibrated theta (per group) and v0 replace the Theorem-2 values, exactly
// as written in the file; unlisted neurons keep theirs.
// CHECK: spike.is_neuron %arg0 site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [5.100000e-02, 4.87654321e-02] v0 [2.000000e-02] budget 63 bits 6
// CHECK: spike.is_neuron %arg1 site "blk0.mlp.down_in" levels 32 alpha 1.600000e+01 threshold [1.900000e-02] v0 [1.000000e-02]
// CHECK: spike.is_neuron %arg0 site "blk0.other" levels 32 alpha 1.600000e+01 threshold [5.000000e-02] v0 [2.500000e-02]

// T4: error: 'spike.is_neuron' op spike-apply-calibration: {{.*}}calibration-t4.json: calibrated for T=4, but site "blk0.attn.norm" has T=2
// SITE: error: spike-apply-calibration: {{.*}}calibration-unknown-site.json: site "blk9.attn.norm" names no spike.is_neuron in the module
// GROUPS: error: 'spike.is_neuron' op spike-apply-calibration: {{.*}}calibration-groups.json: site "blk0.attn.norm" has 3 threshold groups, which do not divide its 8 features
// SCHEMA: error: spike-apply-calibration: {{.*}}calibration-bad-v0.json: /sites/blk0.attn.norm/v0: needs 1 or 2 entries, has 3
// ABSENT: error: spike-apply-calibration: {{.*}}absent.json: cannot open: No such file or directory
// NOFILE: error: spike-apply-calibration: no calibration file given (file=PATH)
func.func @f(%x: !spike.train<2 x tensor<?x8xf32>>, %y: !spike.train<2 x tensor<?x16xf32>>) {
  %a = spike.is_neuron %x site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x8xf32>>
  %b = spike.is_neuron %y site "blk0.mlp.down_in" levels 32 alpha 16.0 threshold [0.02] v0 [0.01] : !spike.train<2 x tensor<?x16xf32>>
  %c = spike.is_neuron %x site "blk0.other" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] : !spike.train<2 x tensor<?x8xf32>>
  return
}
