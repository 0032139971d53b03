// RUN: not spike-opt %s -spike-check-chip="chip=%spike_src/chips/loihi2-like.yaml" -o /dev/null 2>&1 | FileCheck %s

// An early capacity diagnostic: an 8192 x 4096 linear at 8-bit weights
// needs 256 Mbit of synapse memory, twice what one Loihi-2-like chip's 128
// neurocores hold (1 Mbit each).
// CHECK: error: spike-check-chip: the synapses need at least 256 cores of type neurocore (268435456 bits at 8-bit weights); loihi2-like has 128 (chips: 1)
func.func @huge(%x: !spike.train<2 x tensor<?x4096xf32>>, %w: tensor<8192x4096xf32>) -> !spike.train<2 x tensor<?x8192xf32>> {
  %y = spike.linear %x, %w : (!spike.train<2 x tensor<?x4096xf32>>, tensor<8192x4096xf32>) -> !spike.train<2 x tensor<?x8192xf32>>
  return %y : !spike.train<2 x tensor<?x8192xf32>>
}
