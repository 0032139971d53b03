// A truncated op: the site string is never closed.
func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %a = qnn.quantize %x site "blk0.attn.norm bits 6 scale [0.1] : tensor<?x8xf32>
  %b = qnn.quantize %x site
  return %a : tensor<?x8xf32>
}
