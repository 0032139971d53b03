// RUN: spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml report=%t.json report-md=%t.md" 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json
// RUN: FileCheck %s --check-prefix=MD < %t.md
// RUN: spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml energy-plot=%t.energy.png mesh-plot=%t.mesh.png" -o /dev/null
// RUN: od -An -c -N4 %t.energy.png | FileCheck %s --check-prefix=PNG
// RUN: od -An -c -N4 %t.mesh.png | FileCheck %s --check-prefix=PNG
// PNG: 211   P   N   G
// The energy plot marks other mapping reports' measured points; a report
// of another chip or a file that is not one is one error naming it.
// RUN: spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml energy-plot=%t.cmp.png compare=%t.json,%t.json" -o /dev/null
// RUN: od -An -c -N4 %t.cmp.png | FileCheck %s --check-prefix=PNG
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/spinnaker2-like.yaml energy-plot=%t.x.png compare=%t.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OTHERCHIP
// OTHERCHIP: error: spike-map-to-chip: compare: {{.*}}.json: maps onto loihi2-like, not spinnaker2-like
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml energy-plot=%t.x.png compare=%S/Inputs/calibration.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTREPORT
// NOTREPORT: error: spike-map-to-chip: compare: {{.*}}calibration.json: not a spikec.chip-mapping version 2 report
// RUN: not ls %t.x.png
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml energy-plot=%t.x.png compare=%t.missing.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MISSINGREPORT
// MISSINGREPORT: error: spike-map-to-chip: compare: {{.*}}missing.json: cannot open
// RUN: printf '{"format": "spikec.chip-mapping", "version": 2, "chip": "loihi2-like"' > %t.cut.json
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml energy-plot=%t.x.png compare=%t.cut.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CUT
// CUT: error: spike-map-to-chip: compare: {{.*}}cut.json: not JSON:
// RUN: printf '{"format": "spikec.chip-mapping", "version": 2, "chip": "loihi2-like"}' > %t.empty.json
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml energy-plot=%t.x.png compare=%t.empty.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: spike-map-to-chip: compare: {{.*}}empty.json: no mean rate or decode energy
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml compare=%t.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOPLOT
// NOPLOT: error: spike-map-to-chip: compare= marks points on the energy plot: give energy-plot=FILE too
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/truenorth-like.yaml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BINARY
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml placement=diagonal" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PLACEMENT
// RUN: not spike-opt %s -spike-map-to-chip -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOCHIP
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml batch=-2" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml prompt=0" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PROMPT
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml rates=%S/Inputs/calibration.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=RATES

// A down projection on the Loihi-2-like chip: 576 x 1536 synapses at 8 bits
// (7.1 Mbit) need 7 neurocores of 1 Mbit, the 1536 input neurons share them;
// with the uniform fallback (one event per neuron and step) each of the 2
// steps makes 1536 x 576 synaptic ops. The linear learns its cores.

// CHECK: remark: spike-map-to-chip: loihi2-like: {{[0-9]+}} neuron cores (lower bound {{[0-9]+}}), 0 relays, 0 copy neurons; per token
// CHECK: spike.linear {{.*}} {spike.cores = array<i64: {{[0-9, ]+}}>}

// REPORT-DAG: "format": "spikec.chip-mapping"
// REPORT-DAG: "code": "offset code, IS level"
// REPORT-DAG: "rates": "uniform fallback
// REPORT-DAG: "lower_bound_cores": 7
// REPORT-DAG: "neuron_cores": 7
// REPORT-DAG: "energy_pj_per_token": {
// REPORT-DAG: "run_modes": [
// REPORT-DAG: "references": [
// REPORT-DAG: "dense_int8_reference": {
// REPORT-DAG: "macs": 884736
// REPORT-DAG: "name": "model.layers.3.mlp.down_proj.weight"
// REPORT-DAG: "site": "blk3.mlp.down_in"
// REPORT-DAG: "synaptic_ops": 1769472
// REPORT-DAG: "synaptic_pj": 53084160
// REPORT-DAG: "dense_int8_pj": 1309409.28

// MD: Mapping on loihi2-like (rates: uniform fallback): 7 neuron cores of 2048 (capacity lower bound 7), 0 relay tiles, 0 copy neurons on 0 more cores, 1 glue units (0 on the host).
// MD-SAME: per neuron and time step 16.0000 spikes and 1.0000 events. Graded spikes: energy scales with events
// MD: | synaptic ops | 53.084 |
// One layer: T = 2 steps of 10 us + 0.5 us barrier per token; static
// 100 mW x the 1 chip in use x 21 us = 2.1 uJ, shared by nothing in flight
// (one stage), so every way to run pays it per token.
// MD: | static (chips in use: 1) | 2.100 |
// MD: | decode, batch 1 | 1 | 0.021 | 4.762e+04 | 2.100 |
// MD: | prefill, 128 tokens | 1 | 2.688 | 4.762e+04 | 2.100 |
// MD: 1 neuron layers in a pipeline, each T x its sub-steps x (10000 ns step + 500 ns barrier)
// MD: Static power 100 mW x the 1 of 16 chips the mapping occupies
// MD: No K/V state.
// 884,736 MACs x (0.23 + 1.25) pJ is below the neuron updates, per-step
// messages and static energy alone; x 4.6 pJ (the SOP convention's ANN) is
// not.
// MD: | int8 dense accelerator | computed | 1.309 | - | none / none / none |
// MD: | SOP convention, ANN | computed | 4.070 | - | 0.0303 / 0.0303 / 0.0303 |
// MD: | edge GPU (Jetson Orin Nano Super) | published |
// Uniform fallback: 16 spikes (L/2) per neuron and step, x 2 steps x
// 1536 x 576 synapses x 0.9 pJ.
// MD: this SNN costs 25.480 uJ per token (spikes x synapses x 0.9 pJ)
// MD: | model.layers.3.mlp.down_proj.weight | 2.000 | 53.084 | 1.309 |

// BINARY: error: spike-map-to-chip: truenorth-like: linear "model.layers.3.mlp.down_proj.weight" needs fan-in 1536; max is 256 on core type neurosynaptic; graded spikes unavailable, so no relay split is possible
// PLACEMENT: error: spike-map-to-chip: placement must be optimized or round-robin, got 'diagonal'
// NOCHIP: error: spike-map-to-chip: chip=FILE is required
// BATCH: error: spike-map-to-chip: batch must be >= 0 (0: the pipeline depth), got -2
// PROMPT: error: spike-map-to-chip: prompt must be >= 1, got 0
// RATES: error: spike-map-to-chip: {{.*}}calibration.json: is a spikec.calibration file, not spikec.firing-rates

func.func @block(%x: !spike.train<2 x tensor<?x1536xf32>>) -> !spike.train<2 x tensor<?x576xf32>> {
  %w = qnn.weight #qnn.param<"model.layers.3.mlp.down_proj.weight"> : tensor<576x1536xf32>
  %n = spike.is_neuron %x site "blk3.mlp.down_in" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x1536xf32>>
  %y = spike.linear %n, %w bits 6 : (!spike.train<2 x tensor<?x1536xf32>>, tensor<576x1536xf32>) -> !spike.train<2 x tensor<?x576xf32>>
  return %y : !spike.train<2 x tensor<?x576xf32>>
}
