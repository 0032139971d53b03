//===- Calibrate.h - Layer-wise calibration of IS neurons -------*- C++ -*-===//
//
// The paper's Section 3.4: block by block, learn only the thresholds theta
// and initial membranes v0 of the block's IS neurons so that the T-summed
// block output matches a teacher's. The student's inputs are the outputs of
// the spiking blocks already calibrated; the teacher is fed by its own output
// chain. AdamW (no weight decay) with a cosine schedule down to lr / 10.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_CALIBRATE_H
#define SPIKE_RUNTIME_CALIBRATE_H

#include "spike/runtime/Plan.h"

#include <functional>

namespace spike::runtime {

enum class Teacher {
  FP,         ///< the full-precision model (a separate plan): the paper's ANN
  WeightOnly, ///< the student's quantized weights, activations unquantized
  QANN,       ///< the student's quantized weights and activation quantizers
};

/// Parses "fp", "w-only" or "qann".
bool parseTeacher(const std::string &name, Teacher &out);
const char *teacherName(Teacher teacher);

struct CalibrateOptions {
  Teacher teacher = Teacher::FP;
  /// Of the block-wise pass; 0 (with endToEndEpochs) skips it, so that the
  /// end-to-end pass starts from the plan's values.
  int64_t epochs = 2;
  int64_t batch = 1;       ///< sequences per optimizer step
  double lr = 1e-2;        ///< relative to theta; u0 is in threshold units
  int64_t groupSize = -1;  ///< channels per threshold; -1: one per site
  bool v0PerGroup = false; ///< one u0 per threshold group, not per site
  uint64_t seed = 0;       ///< order of the mini-batches
  /// Spike penalty lambda (issue #19's sparsity-fidelity knob): each block
  /// minimizes MSE / MSE_0 + lambda * r, with MSE_0 the block's first-step
  /// MSE (so lambda means the same in every block) and r the spikes per
  /// neuron-step of the block's IS neurons (as spike-run eval counts them,
  /// straight-through gradient). 0: the paper's block MSE alone.
  double spikePenalty = 0;
  /// What is learnt (issue #19, the paper's Table 4): the IS neurons'
  /// theta and v0 (Section 3.4), the block's quantized linear weights on
  /// their grid (TrainableWeight: straight-through rounding, the plan's
  /// per-channel scales kept), or both. At least one.
  bool learnThresholds = true, learnWeights = false;
  /// AdamW learning rate of the weights, in weight codes per step (the
  /// same cosine schedule as `lr`).
  double weightLr = 1e-2;
  /// Issue #19's final-output objective: after the block-wise pass, this
  /// many epochs over every site's theta and v0 at once, minimizing the KL
  /// divergence KL(teacher || student) of the next-token distributions
  /// (the whole model's logits, positions after the prefix). Weights stay
  /// as the block-wise pass left them. 0: none (the paper's method).
  int64_t endToEndEpochs = 0;
  /// Calibrate the first this many blocks only (0: all); the later blocks
  /// keep the plan's values and are not run. A bounded run at scale
  /// (bench/scale.sh calibrates one block of a 7B model).
  int64_t maxBlocks = 0;
  /// AdamW's peak learning rate of that pass (same units and cosine
  /// schedule as `lr`).
  double endToEndLr = 1e-3;
  /// Called after every optimizer step: (block, blocks, step, steps, loss);
  /// block is -1 in the end-to-end pass.
  std::function<void(int64_t, int64_t, int64_t, int64_t, double)> progress;
  /// One line per note (sites that keep one threshold, ...).
  std::function<void(const std::string &)> note;
};

/// Per-block mean squared errors against the teacher, each model fed by
/// its own output chain (the paper's Figures 3 and 4).
struct BlockReport {
  int64_t block = 0;
  double annVsQann = 0, annVsSnnBefore = 0, annVsSnnAfter = 0;
  double firstLoss = 0, lastLoss = 0; ///< of the first and last step
  /// With a spike penalty: the block's spikes per neuron-step in the first
  /// and last step (on that step's batch).
  double firstRate = 0, lastRate = 0;
  int64_t steps = 0;
  double seconds = 0;
  /// With learnt weights: the block's weight codes, and how many of them
  /// the calibration changed.
  int64_t weightCodes = 0, codesChanged = 0;
};

struct SiteCalibration {
  std::vector<float> threshold, v0;
};

/// A learnt linear weight: on its grid (codes * scale), with the row
/// scales it was learnt against (the plan's, kept).
struct LinearCalibration {
  at::Tensor weight; ///< [N, K] f32 on the CPU
  at::Tensor scale;  ///< [N] f32 on the CPU
};

struct CalibrationResult {
  std::map<std::string, SiteCalibration> sites;
  /// By checkpoint name; empty unless weights were learnt.
  std::map<std::string, LinearCalibration> weights;
  std::vector<BlockReport> blocks;
  int64_t groupSize = -1;
  /// The end-to-end pass (CalibrateOptions::endToEndEpochs): its steps and
  /// the mean KL divergence (nats per token) over the samples before and
  /// after it. The per-block reports are those of the block-wise pass.
  int64_t endToEndSteps = 0;
  double endToEndKlBefore = 0, endToEndKlAfter = 0;
};

/// An error unless `plan` can be calibrated (an IS-level plan).
core::Status checkCalibratable(const Plan &plan);

/// Calibrates the IS neurons of `student` (level "is") on `samples`
/// ([N, S] token ids) and writes the learnt parameters into its ops: their
/// thresholds and initial membranes, and with `learnWeights` the weights
/// of its quantized linears (their unquantized values are read from the
/// plan's tensor file, the starting point of the learnt codes).
/// `teacherPlan` is the FP plan for Teacher::FP and unused otherwise.
core::Result<CalibrationResult> calibrate(Plan &student,
                                          const Plan *teacherPlan,
                                          const at::Tensor &samples,
                                          const CalibrateOptions &options);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_CALIBRATE_H
