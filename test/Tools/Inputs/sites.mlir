func.func @f(%x: tensor<?x8xf32>, %t: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
  %a = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.1] : tensor<?x8xf32>
  %n = spike.is_neuron %t site "blk0.attn.q_rope" levels 32 alpha 16.0 threshold [0.1, 0.2] v0 [0.05] bits 6 : !spike.train<2 x tensor<?x8xf32>>
  return %a : tensor<?x8xf32>
}
