//===- IsaClones.h - Row loops compiled for several ISAs --------*- C++ -*-===//
//
// The runtime's CPU loops are compiled for several instruction sets and
// picked at load time (GCC's ifunc dispatch), so that they run vectorized on
// the CPU at hand. Multiplication, division, addition and floor are exactly
// rounded IEEE operations on every ISA, and FMA contraction is off for the
// whole runtime (-ffp-contract=off): each clone gives the same bits.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_LIB_ISACLONES_H
#define SPIKE_RUNTIME_LIB_ISACLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SPIKE_ISA_CLONES                                                       \
  __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define SPIKE_ISA_CLONES
#endif

#endif // SPIKE_RUNTIME_LIB_ISACLONES_H
