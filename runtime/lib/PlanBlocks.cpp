//===- PlanBlocks.cpp - Decoder blocks of a plan --------------------------===//

#include "spike/runtime/PlanBlocks.h"

#include <set>

namespace spike::runtime {

core::Result<std::vector<ResidualCut>> residualCuts(const Plan &plan) {
  size_t n = plan.ops.size();
  std::vector<size_t> lastUse(plan.numValues, 0);
  for (size_t i = 0; i < n; ++i)
    for (int in : plan.ops[i].inputs)
      lastUse[in] = i;
  for (int out : plan.outputs)
    lastUse[out] = n;
  std::set<int> live;
  std::vector<ResidualCut> single; // every single-live-value point
  std::vector<ResidualCut> cuts;
  for (size_t i = 0; i < n; ++i) {
    for (int in : plan.ops[i].inputs)
      if (lastUse[in] == i)
        live.erase(in);
    if (lastUse[plan.ops[i].output] > i)
      live.insert(plan.ops[i].output);
    if (live.size() != 1)
      continue;
    ResidualCut cut{i, *live.begin()};
    if (plan.ops[i].kind == OpKind::Add) {
      // The cut that opens the first residual span.
      if (cuts.empty() && !single.empty())
        cuts.push_back(single.back());
      cuts.push_back(cut);
    }
    single.push_back(cut);
  }
  if (cuts.size() < 2)
    return core::Status::error(plan.path +
                               ": no residual stream found (no add op "
                               "produces the only live value)");
  return cuts;
}

namespace {
/// k of a site named blk<k>.*, or -1.
int64_t blockOfSite(const std::string &site) {
  if (site.compare(0, 3, "blk") != 0)
    return -1;
  size_t dot = site.find('.');
  if (dot == 3 || dot == std::string::npos)
    return -1;
  int64_t k = 0;
  for (size_t i = 3; i < dot; ++i) {
    if (site[i] < '0' || site[i] > '9')
      return -1;
    k = k * 10 + (site[i] - '0');
  }
  return k;
}
} // namespace

core::Result<std::vector<PlanBlock>>
findBlocks(const Plan &plan, const std::vector<ResidualCut> &cuts) {
  std::vector<PlanBlock> blocks;
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    int64_t block = -1;
    std::vector<std::string> sites;
    for (size_t i = cuts[c].afterOp + 1; i <= cuts[c + 1].afterOp; ++i) {
      const PlanOp &op = plan.ops[i];
      if (op.site.empty() || op.kind == OpKind::Observe)
        continue;
      int64_t k = blockOfSite(op.site);
      if (k < 0 || (block >= 0 && k != block))
        return core::Status::error(
            plan.path + ": /ops/" + std::to_string(i) + ": site '" + op.site +
            "' does not belong to block " + std::to_string(block) +
            " (sites must be named blk<k>.*, one block per residual span)");
      block = k;
      if (op.kind == OpKind::ISNeuron || op.kind == OpKind::Quantize)
        sites.push_back(op.site);
    }
    if (block < 0)
      continue;
    if (!blocks.empty() && blocks.back().index == block &&
        blocks.back().end == c) {
      blocks.back().end = c + 1;
      blocks.back().sites.insert(blocks.back().sites.end(), sites.begin(),
                                 sites.end());
    } else {
      blocks.push_back({block, c, c + 1, sites});
    }
  }
  if (blocks.empty())
    return core::Status::error(plan.path +
                               ": no neuron sites named blk<k>.* found");
  return blocks;
}

core::Result<std::optional<size_t>> cutAfterBlocks(const Plan &plan,
                                                   int64_t blocks) {
  auto cuts = residualCuts(plan);
  if (!cuts)
    return cuts.status();
  auto found = findBlocks(plan, *cuts);
  if (!found)
    return found.status();
  if (blocks <= 0 || size_t(blocks) >= found->size())
    return std::optional<size_t>();
  return std::optional<size_t>((*found)[size_t(blocks) - 1].end);
}

} // namespace spike::runtime
