// RUN: not spike-opt %s -spike-check-chip="chip=%spike_src/chips/loihi2-like.yaml" -o /dev/null 2>&1 | FileCheck %s

// An early capacity diagnostic: a 65536 x 8192 linear at 8-bit weights
// needs 4 Gbit of synapse memory, twice what the Loihi-2-like system's 16
// chips of 128 neurocores hold (1 Mbit each).
// CHECK: error: spike-check-chip: the synapses need at least 4096 cores of type neurocore (4294967296 bits at 8-bit weights); loihi2-like has 2048 (chips: 16)
func.func @huge(%x: !spike.train<2 x tensor<?x8192xf32>>, %w: tensor<65536x8192xf32>) -> !spike.train<2 x tensor<?x65536xf32>> {
  %y = spike.linear %x, %w : (!spike.train<2 x tensor<?x8192xf32>>, tensor<65536x8192xf32>) -> !spike.train<2 x tensor<?x65536xf32>>
  return %y : !spike.train<2 x tensor<?x65536xf32>>
}
