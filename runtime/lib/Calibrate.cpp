//===- Calibrate.cpp - Layer-wise calibration of IS neurons ---------------===//

#include "spike/runtime/Calibrate.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/ModelIO/WeightCodes.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Kernels.h"
#include "spike/runtime/PlanBlocks.h"

#include <torch/optim/adamw.h>

#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

namespace spike::runtime {

bool parseTeacher(const std::string &name, Teacher &out) {
  if (name == "fp")
    out = Teacher::FP;
  else if (name == "w-only")
    out = Teacher::WeightOnly;
  else if (name == "qann")
    out = Teacher::QANN;
  else
    return false;
  return true;
}

const char *teacherName(Teacher teacher) {
  switch (teacher) {
  case Teacher::FP:
    return "fp";
  case Teacher::WeightOnly:
    return "w-only";
  case Teacher::QANN:
    return "qann";
  }
  return "";
}

namespace {

/// The student at one time step with its IS neurons replaced: by the
/// quantizer they equal at T = 1 (QANN), or by the identity (weight-only).
core::Result<Plan> singleStepModel(const Plan &student, Teacher teacher) {
  Plan plan = student;
  plan.timesteps = 1;
  for (PlanOp &op : plan.ops) {
    if (op.kind != OpKind::ISNeuron)
      continue;
    if (teacher == Teacher::WeightOnly) {
      op.kind = OpKind::Identity;
      continue;
    }
    if (const char *error = neuron::theorem2Params(
            int(op.bits), 1, neuron::isSignedGrid(op.neuron),
            op.neuron.budget > 0, op.neuron))
      return core::Status::error(student.path + ": site " + op.site + ": " +
                                 error);
  }
  return plan;
}

/// A model fed by its own output chain, advanced one block at a time.
struct Chain {
  const Plan *plan;
  std::unique_ptr<Executor> exec;
  std::vector<ResidualCut> cuts;
  bool timed = false;             ///< activations carry a leading T dim
  std::vector<at::Tensor> values; ///< per mini-batch, at the current cut

  Chain(const Plan &p, std::vector<ResidualCut> c,
        const std::vector<int64_t> &prefix)
      : plan(&p), exec(std::make_unique<Executor>(p)), cuts(std::move(c)) {
    exec->setPrefix(prefix);
    for (const PlanOp &op : p.ops)
      timed |= op.kind == OpKind::Encode;
  }

  /// Runs ops (cuts[from], lastOp] on `input` and returns every value slot;
  /// records the feature width of each IS-neuron site in `widths` if given.
  std::vector<at::Tensor> run(size_t from, size_t lastOp,
                              const at::Tensor &input,
                              std::map<std::string, int64_t> *widths) {
    std::vector<at::Tensor> v(plan->numValues);
    v[cuts[from].value] = input;
    for (size_t i = cuts[from].afterOp + 1; i <= lastOp; ++i) {
      const PlanOp &op = plan->ops[i];
      v[op.output] = exec->run(op, v);
      if (widths && op.kind == OpKind::ISNeuron)
        (*widths)[op.site] = v[op.output].size(-1);
    }
    return v;
  }

  /// Runs ops (cuts[from], cuts[to]] on `input`; records the feature width
  /// of each IS-neuron site in `widths` if given.
  at::Tensor span(size_t from, size_t to, const at::Tensor &input,
                  std::map<std::string, int64_t> *widths = nullptr) {
    return run(from, cuts[to].afterOp, input, widths)[cuts[to].value];
  }

  /// Runs the ops up to the first cut (embedding, encoding) per batch.
  void start(const std::vector<at::Tensor> &batches) {
    for (const at::Tensor &tokens : batches) {
      std::vector<at::Tensor> v(plan->numValues);
      v[plan->tokens] = exec->withPrefix(tokens).to(plan->device);
      for (size_t i = 0; i <= cuts[0].afterOp; ++i)
        v[plan->ops[i].output] = exec->run(plan->ops[i], v);
      values.push_back(v[cuts[0].value]);
    }
  }

  /// Runs every op after cuts[from] on `input` and returns the plan's
  /// first output (the logits, [B, S, V], prefix positions included).
  at::Tensor logits(size_t from, const at::Tensor &input) {
    return run(from, plan->ops.size() - 1, input, nullptr)[plan->outputs[0]];
  }

  void advance(size_t from, size_t to) {
    for (at::Tensor &v : values)
      v = span(from, to, v);
  }

  /// The block-output value as the teacher sees it: summed over T.
  at::Tensor decoded(const at::Tensor &v) const { return timed ? v.sum(0) : v; }
};

/// Mean squared error over the positions after the prefix.
at::Tensor mse(const at::Tensor &a, const at::Tensor &b, int64_t prefix) {
  int64_t s = a.size(-2);
  return at::mse_loss(a.narrow(-2, prefix, s - prefix),
                      b.narrow(-2, prefix, s - prefix));
}

double meanMse(const Chain &a, const Chain &b, int64_t prefix) {
  double sum = 0;
  for (size_t i = 0; i < a.values.size(); ++i)
    sum += mse(a.decoded(a.values[i]), b.decoded(b.values[i]), prefix)
               .item<double>();
  return sum / double(a.values.size());
}

/// The learnable parameters of a site, initialized to the plan's values
/// regrouped to `groups` thresholds over `width` channels.
TrainableNeuron initialNeuron(const PlanOp &op, int64_t width, int64_t groups,
                              bool v0PerGroup, at::Device device) {
  std::vector<float> theta(groups), u0(v0PerGroup ? groups : 1);
  for (int64_t g = 0; g < groups; ++g) {
    int64_t channel = g * (width / groups);
    theta[g] = groupValue(op.threshold, channel, width);
    if (g < int64_t(u0.size()))
      u0[g] = groupValue(op.v0, channel, width) /
              groupValue(op.threshold, channel, width);
  }
  TrainableNeuron n;
  n.theta0 = at::tensor(theta).to(device);
  n.ratio = at::ones({groups}, at::device(device)).requires_grad_(true);
  n.u0 = at::tensor(u0).to(device).requires_grad_(true);
  if (op.neuron.coding == neuron::SpikeCoding::Signed) {
    // v0 in [0, theta): a zero input fires nothing. The margin below 1
    // keeps v0 / theta below 1 after v0 = u0 * theta is rounded.
    n.u0Min = 0;
    n.u0Max = 1 - std::ldexp(1.0, -20);
  }
  return n;
}

std::vector<float> toVector(const at::Tensor &t) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(),
                            c.data_ptr<float>() + c.numel());
}

/// The learnable parameters of one block: its IS neurons by site, its
/// quantized linears by weight name, and the plan ops they calibrate.
struct BlockSites {
  TrainableSites trainable;
  std::vector<at::Tensor> parameters; ///< thresholds and membranes
  std::map<std::string, PlanOp *> ops;
  TrainableWeights weights;
  std::vector<at::Tensor> weightParameters;
  std::map<std::string, PlanOp *> linears;
};

/// Adds the quantized linears of `block` (the ops after its first cut, up
/// to its last) to `sites`, each starting from its unquantized weight in
/// `fp`.
core::Status blockWeights(Plan &student, const Chain &snn,
                          const PlanBlock &block, const core::PlanTensors &fp,
                          BlockSites &sites) {
  for (size_t i = snn.cuts[block.begin].afterOp + 1;
       i <= snn.cuts[block.end].afterOp; ++i) {
    PlanOp &op = student.ops[i];
    if (op.kind != OpKind::Linear || op.bits == 0 ||
        !op.params.count("weight_row_scale"))
      continue;
    const std::string &name = op.paramNames.at("weight");
    const core::SafetensorsFile *file = fp.fileOf(name); // loadPlan checked
    if (core::isCodeDType(file->find(name)->dtype))
      return core::Status::error(
          file->path() + ": tensor '" + name +
          "' holds integer codes (spike-store-weight-codes); learning "
          "weights starts from the float weights: calibrate a plan emitted "
          "before the codes were stored");
    auto values = file->readF32(name);
    if (!values)
      return values.status();
    at::IntArrayRef shape = linearWeightShape(op);
    if (int64_t(values->size()) != shape[0] * shape[1])
      return core::Status::error(file->path() + ": tensor '" + name + "' has " +
                                 std::to_string(values->size()) +
                                 " values, the plan's weight " +
                                 std::to_string(shape[0] * shape[1]));
    at::Tensor initial = at::from_blob(values->data(), shape, at::kFloat)
                             .clone()
                             .to(student.device);
    TrainableWeight t(initial, op.params.at("weight_row_scale"), int(op.bits));
    sites.weightParameters.push_back(t.u);
    sites.weights.emplace(name, std::move(t));
    sites.linears[name] = &op;
  }
  return core::Status::ok();
}

/// The block's sites, initialized from the student plan; a group size that
/// does not divide a site's width leaves it one threshold (with a note).
BlockSites blockSites(Plan &student, Chain &snn, const PlanBlock &block,
                      const CalibrateOptions &options) {
  std::map<std::string, int64_t> widths;
  snn.span(block.begin, block.end, snn.values[0], &widths);
  BlockSites sites;
  for (PlanOp &op : student.ops)
    if (op.kind == OpKind::ISNeuron && widths.count(op.site))
      sites.ops[op.site] = &op;
  for (auto &[site, op] : sites.ops) {
    int64_t width = widths[site], groups = 1;
    bool v0PerGroup = options.v0PerGroup;
    // Unsigned sites are softmax outputs: dim -1 is the key.
    bool keyAxis = !neuron::isSignedGrid(op->neuron);
    if (options.epochs == 0) {
      // No block-wise pass: the end-to-end pass starts from the plan's
      // values, grouped as they are.
      groups = int64_t(op->threshold.size());
      v0PerGroup = op->v0.size() > 1;
    } else if (options.groupSize > 0 && !keyAxis) {
      if (width % options.groupSize == 0)
        groups = width / options.groupSize;
      else if (options.note)
        options.note(site + ": group size " +
                     std::to_string(options.groupSize) +
                     " does not divide its " + std::to_string(width) +
                     " channels; it keeps one threshold");
    }
    TrainableNeuron n =
        initialNeuron(*op, width, groups, v0PerGroup, student.device);
    // Frozen neurons still run the differentiable form: the weights'
    // gradients pass through them.
    if (options.learnThresholds) {
      sites.parameters.push_back(n.ratio);
      sites.parameters.push_back(n.u0);
    } else {
      n.ratio.requires_grad_(false);
      n.u0.requires_grad_(false);
    }
    sites.trainable.emplace(site, std::move(n));
  }
  return sites;
}

/// An AdamW over `groups` (parameters, peak learning rate), without weight
/// decay; the empty groups are left out. Fills `peak` per group kept.
torch::optim::AdamW makeOptimizer(
    std::initializer_list<std::pair<std::vector<at::Tensor> *, double>> groups,
    std::vector<double> &peak) {
  std::vector<torch::optim::OptimizerParamGroup> kept;
  for (auto [params, lr] : groups)
    if (!params->empty()) {
      kept.emplace_back(*params,
                        std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(lr).weight_decay(0)));
      peak.push_back(lr);
    }
  return torch::optim::AdamW(kept);
}

/// Step `step` of `steps` on a cosine from each group's peak down to a tenth
/// of it.
void setCosineLr(torch::optim::AdamW &optimizer,
                 const std::vector<double> &peak, int64_t step, int64_t steps) {
  double cosine = 0.5 * (1 + std::cos(M_PI * double(step) / double(steps)));
  for (size_t g = 0; g < peak.size(); ++g)
    static_cast<torch::optim::AdamWOptions &>(
        optimizer.param_groups()[g].options())
        .lr(peak[g] / 10 + (peak[g] - peak[g] / 10) * cosine);
}

/// Keeps the learnt ratios and membranes in range after an update.
void clampSites(TrainableSites &sites) {
  at::NoGradGuard inner;
  for (auto &[site, n] : sites) {
    n.ratio.clamp_(1e-3, 1e3);
    n.u0.clamp_(n.u0Min, n.u0Max);
  }
}

/// The schedule both passes share: `epochs` passes over `batches`
/// mini-batches in a seeded shuffled order, one AdamW step each on the
/// cosine schedule, the sites clamped after each update. `lossAndGrad(i,
/// step)` computes mini-batch i's loss and its gradients and returns the
/// loss; `progress(step, steps, loss)` follows each step. Returns the steps.
template <typename LossAndGrad, typename Progress>
int64_t optimize(torch::optim::AdamW &optimizer,
                 const std::vector<double> &peak, int64_t epochs,
                 size_t batches, std::mt19937_64 &rng, TrainableSites &sites,
                 LossAndGrad lossAndGrad, Progress progress) {
  int64_t steps = epochs * int64_t(batches);
  std::vector<size_t> order(batches);
  std::iota(order.begin(), order.end(), size_t(0));
  at::AutoGradMode grad(true);
  int64_t step = 0;
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      setCosineLr(optimizer, peak, step, steps);
      optimizer.zero_grad();
      double value = lossAndGrad(i, step);
      optimizer.step();
      clampSites(sites);
      ++step;
      progress(step, steps, value);
    }
  }
  return step;
}

/// Which block of how many, for progress reports.
struct BlockOf {
  int64_t index, count;
};

/// Section 3.4's layer-wise calibration of one block: the block MSE
/// against the teacher over the positions after the prefix, AdamW without
/// weight decay, cosine from lr to lr / 10 over `epochs` shuffled passes.
/// Fills the report's losses and step count.
void trainBlock(Chain &snn, const Chain &teacher, const PlanBlock &block,
                BlockSites &sites, const CalibrateOptions &options,
                std::mt19937_64 &rng, int64_t prefix, BlockOf of,
                BlockReport &report) {
  // One parameter group per kind, each with its own peak learning rate.
  std::vector<double> peak;
  torch::optim::AdamW optimizer =
      makeOptimizer({{&sites.parameters, options.lr},
                     {&sites.weightParameters, options.weightLr}},
                    peak);
  snn.exec->setTrainable(&sites.trainable);
  snn.exec->setTrainableWeights(&sites.weights);
  double mse0 = 1;
  auto lossAndGrad = [&](size_t i, int64_t step) {
    SpikeTape tape;
    snn.exec->setSpikeTape(options.spikePenalty > 0 ? &tape : nullptr);
    at::Tensor out = snn.span(block.begin, block.end, snn.values[i]);
    snn.exec->setSpikeTape(nullptr);
    at::Tensor loss =
        mse(snn.decoded(out), teacher.decoded(teacher.values[i]), prefix);
    if (options.spikePenalty > 0) {
      // MSE / MSE_0 + lambda * rate (CalibrateOptions::spikePenalty).
      if (step == 0)
        mse0 = std::max(loss.item<double>(), 1e-30);
      at::Tensor rate = tape.rate();
      double value = rate.item<double>();
      if (step == 0)
        report.firstRate = value;
      report.lastRate = value;
      loss = loss / mse0 + options.spikePenalty * rate;
    }
    loss.backward();
    double value = loss.item<double>();
    if (step == 0)
      report.firstLoss = value;
    report.lastLoss = value;
    return value;
  };
  int64_t step = optimize(
      optimizer, peak, options.epochs, snn.values.size(), rng, sites.trainable,
      lossAndGrad, [&](int64_t step, int64_t steps, double loss) {
        if (options.progress)
          options.progress(of.index, of.count, step, steps, loss);
      });
  report.steps = step;
  snn.exec->setTrainable(nullptr);
  snn.exec->setTrainableWeights(nullptr);
}

/// The log-probabilities of the next token after the prefix, [B, S, V].
at::Tensor nextTokenLogProbs(const at::Tensor &logits, int64_t prefix) {
  int64_t s = logits.size(-2);
  return at::log_softmax(logits.narrow(-2, prefix, s - prefix), -1);
}

/// KL(teacher || student) per token, averaged over the tokens.
at::Tensor klDivergence(const at::Tensor &teacher, const at::Tensor &student) {
  return (teacher.exp() * (teacher - student)).sum(-1).mean();
}

/// The end-to-end pass's data: the student fed from `inputs` (its values
/// at the first cut), and the teacher's values at `teacherCut`, from which
/// its next-token distributions are computed when needed (holding them all
/// would take samples x tokens x vocabulary floats).
struct EndToEndData {
  std::vector<at::Tensor> inputs;
  Chain *teacher;
  size_t teacherCut;
  int64_t prefix;

  at::Tensor teacherLogProbs(size_t i) const {
    at::NoGradGuard noGrad;
    return nextTokenLogProbs(teacher->logits(teacherCut, teacher->values[i]),
                             prefix);
  }
};

/// The mean KL divergence of `snn` over all samples.
double meanKl(Chain &snn, const EndToEndData &data) {
  at::NoGradGuard noGrad;
  double sum = 0;
  for (size_t i = 0; i < data.inputs.size(); ++i)
    sum += klDivergence(
               data.teacherLogProbs(i),
               nextTokenLogProbs(snn.logits(0, data.inputs[i]), data.prefix))
               .item<double>();
  return sum / double(data.inputs.size());
}

/// One end-to-end step's loss and gradients with the memory of one span:
/// the forward pass keeps only the value at each residual cut, and the
/// backward pass recomputes each span from its cut, last span first, and
/// passes the gradient of its input on (gradient checkpointing). Both
/// forward passes run in grad mode, so that they pick the same kernels and
/// the gradients are those of one whole-model backward. Returns the KL
/// divergence.
double checkpointedKlStep(Chain &snn, const EndToEndData &data, size_t i) {
  size_t last = snn.cuts.size() - 1;
  std::vector<at::Tensor> atCut = {data.inputs[i]};
  for (size_t k = 0; k < last; ++k)
    atCut.push_back(snn.span(k, k + 1, atCut.back()).detach());
  at::Tensor x = atCut[last].requires_grad_(true);
  at::Tensor loss =
      klDivergence(data.teacherLogProbs(i),
                   nextTokenLogProbs(snn.logits(last, x), data.prefix));
  loss.backward();
  at::Tensor grad = x.grad();
  for (size_t k = last; k-- > 0;) {
    at::Tensor in = atCut[k].detach().requires_grad_(k > 0);
    at::Tensor out = snn.span(k, k + 1, in);
    if (!out.requires_grad())
      continue; // a first span without learnt sites
    out.backward(grad);
    if (k > 0)
      grad = in.grad();
  }
  return loss.item<double>();
}

/// The final-output objective (CalibrateOptions::endToEndEpochs): every
/// site's theta and v0 at once, from the block-wise values, minimizing
/// KL(teacher || student) per token; same optimizer and schedule as a
/// block. An error if it diverges.
core::Status trainEndToEnd(Chain &snn, const EndToEndData &data,
                           TrainableSites &sites,
                           const CalibrateOptions &options,
                           std::mt19937_64 &rng, CalibrationResult &result) {
  std::vector<at::Tensor> params;
  for (auto &[site, n] : sites) {
    params.push_back(n.ratio);
    params.push_back(n.u0);
  }
  std::vector<double> peak;
  torch::optim::AdamW optimizer =
      makeOptimizer({{&params, options.endToEndLr}}, peak);
  snn.exec->setTrainable(&sites);
  result.endToEndKlBefore = meanKl(snn, data);
  int64_t step = optimize(
      optimizer, peak, options.endToEndEpochs, data.inputs.size(), rng, sites,
      [&](size_t i, int64_t) { return checkpointedKlStep(snn, data, i); },
      [&](int64_t step, int64_t steps, double loss) {
        if (options.progress)
          options.progress(-1, 1, step, steps, loss);
      });
  result.endToEndSteps = step;
  result.endToEndKlAfter = meanKl(snn, data);
  snn.exec->setTrainable(nullptr);
  bool finite = std::isfinite(result.endToEndKlAfter);
  for (const auto &[site, n] : sites)
    finite = finite && at::isfinite(n.ratio).all().item<bool>() &&
             at::isfinite(n.u0).all().item<bool>();
  if (!finite)
    return core::Status::error("the end-to-end pass diverged (KL " +
                               std::to_string(result.endToEndKlAfter) +
                               " after it); lower --end-to-end-lr");
  return core::Status::ok();
}

/// Writes a site's learnt theta and v0 into its plan op and the result.
void storeSite(const std::string &site, const TrainableNeuron &n, PlanOp &op,
               CalibrationResult &result) {
  SiteCalibration c{toVector(n.theta()), toVector(n.v0())};
  op.threshold = c.threshold;
  op.v0 = c.v0;
  result.sites[site] = std::move(c);
}

} // namespace

core::Status checkCalibratable(const Plan &plan) {
  if (plan.level != "is")
    return core::Status::error(plan.path +
                               ": calibration needs an IS-level "
                               "plan, this one is '" +
                               plan.level + "'");
  return core::Status::ok();
}

core::Result<CalibrationResult> calibrate(Plan &student,
                                          const Plan *teacherPlan,
                                          const at::Tensor &samples,
                                          const CalibrateOptions &options) {
  if (auto st = checkCalibratable(student); !st)
    return st;
  if (!options.learnThresholds && !options.learnWeights)
    return core::Status::error("calibration must learn thresholds, weights "
                               "or both");
  if (options.epochs < 0 ||
      (options.epochs == 0 && options.endToEndEpochs == 0))
    return core::Status::error("calibration needs block-wise epochs, or an "
                               "end-to-end pass");
  if (options.epochs == 0 && (options.learnWeights || options.spikePenalty > 0))
    return core::Status::error("weights and the spike penalty are learnt "
                               "block-wise: they need block-wise epochs");
  if (options.endToEndEpochs > 0 && options.maxBlocks > 0)
    return core::Status::error("the end-to-end pass trains every block at "
                               "once: it cannot calibrate the first blocks "
                               "only");
  if (options.endToEndEpochs > 0 && !options.learnThresholds)
    return core::Status::error("the end-to-end pass learns thresholds: it "
                               "needs them learnt");
  if (options.teacher == Teacher::FP && !teacherPlan)
    return core::Status::error("the fp teacher needs the FP plan "
                               "(--teacher-plan)");
  auto cuts = residualCuts(student);
  if (!cuts)
    return cuts.status();
  auto blocks = findBlocks(student, *cuts);
  if (!blocks)
    return blocks.status();

  // The models: teacher, QANN and uncalibrated SNN for the report, and the
  // student being calibrated.
  const Plan uncalibrated = student;
  auto qannPlan = singleStepModel(student, Teacher::QANN);
  if (!qannPlan)
    return qannPlan.status();
  Plan derivedTeacher;
  if (options.teacher != Teacher::FP) {
    auto t = singleStepModel(student, options.teacher);
    if (!t)
      return t.status();
    derivedTeacher = t.take();
    teacherPlan = &derivedTeacher;
  }
  auto teacherCuts = residualCuts(*teacherPlan);
  if (!teacherCuts)
    return teacherCuts.status();
  if (teacherCuts->size() != cuts->size())
    return core::Status::error(
        teacherPlan->path + ": the teacher has " +
        std::to_string(teacherCuts->size()) + " residual cuts, the student " +
        std::to_string(cuts->size()) + ": not the same model");

  // The unquantized weights, where learnt codes start from.
  const core::PlanTensors *fpWeights =
      options.learnWeights ? &student.tensors : nullptr;

  const std::vector<int64_t> &prefix = student.prefixTokens;
  int64_t p = int64_t(prefix.size());
  std::vector<at::Tensor> batches;
  for (int64_t i = 0; i < samples.size(0); i += options.batch)
    batches.push_back(
        samples.narrow(0, i, std::min(options.batch, samples.size(0) - i)));

  at::NoGradGuard noGrad;
  Chain teacher(*teacherPlan, *teacherCuts, prefix);
  Chain qann(*qannPlan, *cuts, prefix);
  Chain before(uncalibrated, *cuts, prefix);
  Chain snn(student, *cuts, prefix);
  for (Chain *c : {&teacher, &qann, &before, &snn})
    c->start(batches);
  TrainableSites allSites;
  std::map<std::string, PlanOp *> allOps;

  CalibrationResult result;
  result.groupSize = options.groupSize;
  std::mt19937_64 rng(options.seed);
  size_t calibrated = blocks->size();
  if (options.maxBlocks > 0)
    calibrated = std::min(calibrated, size_t(options.maxBlocks));
  for (size_t b = 0; b < calibrated; ++b) {
    const PlanBlock &block = (*blocks)[b];
    auto started = std::chrono::steady_clock::now();
    BlockReport report;
    report.block = block.index;
    teacher.advance(block.begin, block.end);
    qann.advance(block.begin, block.end);
    before.advance(block.begin, block.end);
    report.annVsQann = meanMse(qann, teacher, p);
    report.annVsSnnBefore = meanMse(before, teacher, p);

    BlockSites sites = blockSites(student, snn, block, options);
    if (fpWeights)
      if (auto st = blockWeights(student, snn, block, *fpWeights, sites); !st)
        return st;
    trainBlock(snn, teacher, block, sites, options, rng, p,
               {int64_t(b), int64_t(calibrated)}, report);

    // The learnt values go into the plan; the exact kernels run from here.
    for (auto &[site, n] : sites.trainable) {
      if (!options.learnThresholds)
        break;
      storeSite(site, n, *sites.ops[site], result);
      if (options.endToEndEpochs > 0) {
        allSites.emplace(site, n);
        allOps[site] = sites.ops[site];
      }
    }
    for (auto &[name, w] : sites.weights) {
      at::NoGradGuard inner;
      PlanOp &op = *sites.linears[name];
      at::Tensor learnt = w.weight().detach();
      report.weightCodes += learnt.numel();
      report.codesChanged += learnt.ne(linearWeight(op)).sum().item<int64_t>();
      // The plan holds the learnt codes; linearWeight(op) is `learnt` again.
      op.params["weight_codes"] = codeTensor(w.codes().detach(), int(op.bits));
      result.weights[name] = {learnt.to(at::kCPU).contiguous(),
                              w.scale.to(at::kCPU).contiguous()};
    }
    snn.advance(block.begin, block.end);
    report.annVsSnnAfter = meanMse(snn, teacher, p);
    report.seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - started)
                         .count();
    result.blocks.push_back(report);
  }
  if (options.endToEndEpochs > 0) {
    // The student starts again from the first cut; the teacher stays at
    // the last block's output.
    qann.values.clear();
    before.values.clear();
    snn.values.clear();
    snn.start(batches);
    EndToEndData data{std::move(snn.values), &teacher, blocks->back().end, p};
    if (auto st = trainEndToEnd(snn, data, allSites, options, rng, result); !st)
      return st;
    for (auto &[site, n] : allSites)
      storeSite(site, n, *allOps[site], result);
  }
  return result;
}

} // namespace spike::runtime
