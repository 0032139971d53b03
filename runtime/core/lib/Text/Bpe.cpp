//===- Bpe.cpp - The BPE merge model and the added-token split ------------===//

#include "Bpe.h"
#include "spike/core/Text/PreTokenizer.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <queue>

namespace spike::core::detail {

/// The UTF-8 characters of `s`, each as its own string (an invalid byte is
/// one on its own).
std::vector<std::string> utf8Chars(const std::string &s) {
  std::vector<uint32_t> cp;
  std::vector<size_t> off;
  decodeUtf8(s, cp, off);
  std::vector<std::string> out;
  for (size_t k = 0; k < cp.size(); ++k)
    out.push_back(s.substr(off[k], off[k + 1] - off[k]));
  return out;
}

/// `s` with every occurrence of `from` replaced (left to right, without
/// overlaps), as HF's Replace of a string does.
std::string replaceAll(std::string s, const std::string &from,
                       const std::string &to) {
  if (from.empty())
    return s;
  std::string out;
  size_t at = 0;
  for (size_t k; (k = s.find(from, at)) != std::string::npos;
       at = k + from.size())
    out += s.substr(at, k - at) + to;
  return out + s.substr(at);
}

/// SentencePiece's name of a byte token: <0x0A>.
std::string byteTokenName(unsigned char b) {
  char name[8];
  std::snprintf(name, sizeof name, "<0x%02X>", b);
  return name;
}

std::vector<Segment> splitOnAddedTokens(const std::string &text, size_t begin,
                                        size_t end,
                                        const std::vector<AddedToken> &tokens,
                                        bool normalizedPass) {
  std::vector<Segment> out;
  // \w just before `at` (within the segment) or just after it.
  auto wordAt = [&](size_t at, bool before) {
    size_t a = at, b = at;
    if (before) {
      if (at == begin)
        return false;
      a = at - 1;
      while (a > begin && (static_cast<unsigned char>(text[a]) & 0xc0) == 0x80)
        --a;
    } else {
      if (at >= end)
        return false;
      b = std::min(end, at + 4);
    }
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text.substr(a, b - a), cp, off);
    return !cp.empty() && isWordCodePoint(before ? cp.back() : cp.front());
  };
  auto spaceBefore = [&](size_t at, size_t floor) {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text.substr(floor, at - floor), cp, off);
    size_t k = cp.size();
    while (k > 0 && isSpaceCodePoint(cp[k - 1]))
      --k;
    return floor + off[k];
  };
  auto spaceAfter = [&](size_t at) {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text.substr(at, end - at), cp, off);
    size_t k = 0;
    while (k < cp.size() && isSpaceCodePoint(cp[k]))
      ++k;
    return at + off[k];
  };
  size_t done = begin, at = begin;
  while (at < end) {
    // The longest token starting at `at`, if any.
    const AddedToken *best = nullptr;
    for (const AddedToken &t : tokens)
      if (t.normalized == normalizedPass && !t.content.empty() &&
          t.content.size() <= end - at &&
          text.compare(at, t.content.size(), t.content) == 0 &&
          (!best || t.content.size() > best->content.size()))
        best = &t;
    if (!best) {
      ++at;
      continue;
    }
    size_t start = at, stop = at + best->content.size();
    at = stop;
    if (best->singleWord && (wordAt(start, true) || wordAt(stop, false)))
      continue;
    if (best->lstrip)
      start = std::max(spaceBefore(start, begin), done);
    if (best->rstrip) // HF resumes at the match's end, which differs only
      stop = spaceAfter(stop); // for a token that starts with white space
    if (done < start)
      out.push_back({-1, done, start});
    out.push_back({best->id, start, stop});
    done = at = stop;
  }
  if (done < end)
    out.push_back({-1, done, end});
  return out;
}

Result<BpeModel> BpeModel::build(const std::vector<std::string> &vocab,
                                 const std::vector<std::string> &merges,
                                 Options options) {
  BpeModel m;
  m.options_ = std::move(options);
  for (size_t i = 0; i < vocab.size(); ++i)
    if (!vocab[i].empty())
      m.ids_.emplace(vocab[i], int32_t(i));
  const std::string &pre = m.options_.continuingSubwordPrefix;
  for (size_t r = 0; r < merges.size(); ++r) {
    size_t space = merges[r].find(' ');
    if (space == std::string::npos)
      return Status::error("BPE merge " + std::to_string(r) + " ('" +
                           merges[r] + "') is not a pair 'a b'");
    std::string a = merges[r].substr(0, space), b = merges[r].substr(space + 1);
    std::string joined = a + (!pre.empty() && b.compare(0, pre.size(), pre) == 0
                                  ? b.substr(pre.size())
                                  : b);
    auto ia = m.ids_.find(a), ib = m.ids_.find(b), ij = m.ids_.find(joined);
    if (ia == m.ids_.end() || ib == m.ids_.end() || ij == m.ids_.end())
      return Status::error("BPE merge " + std::to_string(r) + " ('" +
                           merges[r] + "'): '" +
                           (ia == m.ids_.end()   ? a
                            : ib == m.ids_.end() ? b
                                                 : joined) +
                           "' is not in the vocabulary");
    auto value = std::make_pair(int32_t(r), ij->second);
    if (m.options_.lastDuplicateWins)
      m.merges_[pairKey(ia->second, ib->second)] = value;
    else
      m.merges_.emplace(pairKey(ia->second, ib->second), value);
  }
  if (!m.options_.unkToken.empty()) {
    auto it = m.ids_.find(m.options_.unkToken);
    if (it == m.ids_.end())
      return Status::error("unk_token '" + m.options_.unkToken +
                           "' is not in the vocabulary");
    m.unk_ = it->second;
  }
  return m;
}

bool BpeModel::covers(const std::string &c) const {
  if (unk_ >= 0 || ids_.count(c))
    return true;
  if (!options_.byteFallback)
    return false;
  return byteTokens(c, nullptr);
}

void BpeModel::tokenize(const std::string &word,
                        std::vector<int32_t> &out) const {
  if (options_.ignoreMerges)
    if (auto it = ids_.find(word); it != ids_.end()) {
      out.push_back(it->second);
      return;
    }
  if (auto it = cache_.find(word); it != cache_.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
    return;
  }
  std::vector<int32_t> ids = mergeWord(word);
  if (cache_.size() < 200000)
    cache_.emplace(word, ids);
  out.insert(out.end(), ids.begin(), ids.end());
}

bool BpeModel::byteTokens(const std::string &c,
                          std::vector<int32_t> *ids) const {
  for (unsigned char b : c) {
    auto it = ids_.find(byteTokenName(b));
    if (it == ids_.end())
      return false;
    if (ids)
      ids->push_back(it->second);
  }
  return true;
}

std::vector<int32_t> BpeModel::mergeWord(const std::string &word) const {
  std::vector<uint32_t> cp;
  std::vector<size_t> off;
  decodeUtf8(word, cp, off);
  std::vector<int32_t> sym;
  bool pendingUnk = false;
  auto flushUnk = [&] {
    if (pendingUnk)
      sym.push_back(unk_);
    pendingUnk = false;
  };
  for (size_t k = 0; k < cp.size(); ++k) {
    std::string c = word.substr(off[k], off[k + 1] - off[k]);
    if (k > 0)
      c = options_.continuingSubwordPrefix + c;
    if (k + 1 == cp.size())
      c += options_.endOfWordSuffix;
    if (auto it = ids_.find(c); it != ids_.end()) {
      flushUnk();
      sym.push_back(it->second);
      continue;
    }
    if (options_.byteFallback) {
      std::vector<int32_t> bytes;
      if (byteTokens(c, &bytes)) {
        flushUnk();
        sym.insert(sym.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    if (unk_ >= 0) {
      if (!options_.fuseUnk)
        flushUnk();
      pendingUnk = true;
    }
    // Without unk or byte fallback HF drops the character; encodable()
    // tells callers before it can happen.
  }
  flushUnk();
  return mergeAll(sym);
}

std::vector<int32_t> BpeModel::mergeAll(std::vector<int32_t> sym) const {
  size_t n = sym.size();
  std::vector<int64_t> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = int64_t(i) - 1;
    next[i] = i + 1 < n ? int64_t(i + 1) : -1;
  }
  struct Entry {
    int32_t rank;
    size_t pos;
    int32_t newId;
    bool operator>(const Entry &o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
  auto push = [&](size_t pos) {
    if (next[pos] < 0)
      return;
    auto it = merges_.find(pairKey(sym[pos], sym[size_t(next[pos])]));
    if (it != merges_.end())
      queue.push({it->second.first, pos, it->second.second});
  };
  for (size_t i = 0; i + 1 < n; ++i)
    push(i);
  while (!queue.empty()) {
    Entry top = queue.top();
    queue.pop();
    if (!alive[top.pos] || next[top.pos] < 0)
      continue;
    size_t right = size_t(next[top.pos]);
    auto it = merges_.find(pairKey(sym[top.pos], sym[right]));
    if (it == merges_.end() || it->second.second != top.newId)
      continue; // expired
    sym[top.pos] = top.newId;
    alive[right] = false;
    next[top.pos] = next[right];
    if (next[right] >= 0)
      prev[size_t(next[right])] = int64_t(top.pos);
    if (prev[top.pos] >= 0)
      push(size_t(prev[top.pos]));
    push(top.pos);
  }
  std::vector<int32_t> out;
  for (size_t i = 0; i < n; ++i)
    if (alive[i])
      out.push_back(sym[i]);
  return out;
}

} // namespace spike::core::detail
