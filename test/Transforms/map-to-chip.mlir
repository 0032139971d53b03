// RUN: spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml report=%t.json report-md=%t.md" 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT < %t.json
// RUN: FileCheck %s --check-prefix=MD < %t.md
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/truenorth-like.yaml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BINARY
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml placement=diagonal" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PLACEMENT
// RUN: not spike-opt %s -spike-map-to-chip -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOCHIP
// RUN: not spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml rates=%S/Inputs/calibration.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=RATES

// A down projection on the Loihi-2-like chip: 576 x 1536 synapses at 8 bits
// (7.1 Mbit) need 7 neurocores of 1 Mbit, the 1536 input neurons share them;
// with the uniform fallback (one event per neuron and step) each of the 2
// steps makes 1536 x 576 synaptic ops. The linear learns its cores.

// CHECK: remark: spike-map-to-chip: loihi2-like: {{[0-9]+}} neuron cores (lower bound {{[0-9]+}}), 0 relays, 0 copy neurons; per token
// CHECK: spike.linear {{.*}} {spike.cores = array<i64: {{[0-9, ]+}}>}

// REPORT-DAG: "format": "spikec.chip-mapping"
// REPORT-DAG: "rates": "uniform fallback
// REPORT-DAG: "lower_bound_cores": 7
// REPORT-DAG: "neuron_cores": 7
// REPORT-DAG: "energy_pj_per_token": {
// REPORT-DAG: "dense_int8_reference": {
// REPORT-DAG: "macs": 884736
// REPORT-DAG: "name": "model.layers.3.mlp.down_proj.weight"
// REPORT-DAG: "site": "blk3.mlp.down_in"
// REPORT-DAG: "synaptic_ops": 1769472
// REPORT-DAG: "synaptic_pj": 53084160
// REPORT-DAG: "dense_int8_pj": 1309409.28

// MD: Mapping on loihi2-like (rates: uniform fallback): 7 neuron cores of 2048 (capacity lower bound 7), 0 relay tiles, 0 copy neurons on 0 more cores, 1 glue units (0 on the host).
// MD: | synaptic ops | 53.084 |
// MD: | int8 dense reference: compute | 0.203 |
// MD: | model.layers.3.mlp.down_proj.weight | 2.000 | 53.084 | 1.309 |
// MD: The SNN does not beat the dense reference at any spike rate on this chip

// BINARY: error: spike-map-to-chip: truenorth-like: linear "model.layers.3.mlp.down_proj.weight" needs fan-in 1536; max is 256 on core type neurosynaptic; graded spikes unavailable, so no relay split is possible
// PLACEMENT: error: spike-map-to-chip: placement must be optimized or round-robin, got 'diagonal'
// NOCHIP: error: spike-map-to-chip: chip=FILE is required
// RATES: error: spike-map-to-chip: {{.*}}calibration.json: is a spikec.calibration file, not spikec.firing-rates

func.func @block(%x: !spike.train<2 x tensor<?x1536xf32>>) -> !spike.train<2 x tensor<?x576xf32>> {
  %w = qnn.weight #qnn.param<"model.layers.3.mlp.down_proj.weight"> : tensor<576x1536xf32>
  %n = spike.is_neuron %x site "blk3.mlp.down_in" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x1536xf32>>
  %y = spike.linear %n, %w bits 6 : (!spike.train<2 x tensor<?x1536xf32>>, tensor<576x1536xf32>) -> !spike.train<2 x tensor<?x576xf32>>
  return %y : !spike.train<2 x tensor<?x576xf32>>
}
