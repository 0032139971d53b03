//===- Rotation.cpp - Orthogonal rotations folded into LLaMA weights ------===//

#include "Rotation.h"

#include <cmath>
#include <random>
#include <thread>

namespace spike::rotation {

namespace {
/// Runs f(begin, end) over [0, n) on the machine's cores.
template <typename F> void parallelRows(int64_t n, F f) {
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  int64_t chunk = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    int64_t begin = t * chunk, end = std::min(n, begin + chunk);
    if (begin < end)
      pool.emplace_back(f, begin, end);
  }
  for (auto &th : pool)
    th.join();
}
} // namespace

std::vector<float> randomOrthogonal(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> q(n * n);
  for (double &x : q)
    x = normal(rng);
  // Modified Gram-Schmidt over the rows, twice for accuracy.
  for (int pass = 0; pass < 2; ++pass)
    for (int64_t i = 0; i < n; ++i) {
      double *row = &q[i * n];
      for (int64_t j = 0; j < i; ++j) {
        const double *prev = &q[j * n];
        double dot = 0;
        for (int64_t k = 0; k < n; ++k)
          dot += row[k] * prev[k];
        for (int64_t k = 0; k < n; ++k)
          row[k] -= dot * prev[k];
      }
      double norm = 0;
      for (int64_t k = 0; k < n; ++k)
        norm += row[k] * row[k];
      norm = std::sqrt(norm);
      for (int64_t k = 0; k < n; ++k)
        row[k] /= norm;
    }
  return {q.begin(), q.end()};
}

std::vector<float> timesRight(const std::vector<float> &w, int64_t rows,
                              int64_t k, const std::vector<float> &m) {
  std::vector<float> out(rows * k, 0.f);
  parallelRows(rows, [&](int64_t begin, int64_t end) {
    std::vector<double> acc(k);
    for (int64_t r = begin; r < end; ++r) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t i = 0; i < k; ++i) {
        double a = w[r * k + i];
        const float *mr = &m[i * k];
        for (int64_t j = 0; j < k; ++j)
          acc[j] += a * mr[j];
      }
      for (int64_t j = 0; j < k; ++j)
        out[r * k + j] = float(acc[j]);
    }
  });
  return out;
}

std::vector<float> transposeTimes(const std::vector<float> &m, int64_t k,
                                  const std::vector<float> &w, int64_t cols) {
  // (M^T W)[i, :] = sum_j M[j, i] W[j, :]
  std::vector<float> out(k * cols, 0.f);
  parallelRows(k, [&](int64_t begin, int64_t end) {
    std::vector<double> acc(cols);
    for (int64_t i = begin; i < end; ++i) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t j = 0; j < k; ++j) {
        double a = m[j * k + i];
        const float *wr = &w[j * cols];
        for (int64_t c = 0; c < cols; ++c)
          acc[c] += a * wr[c];
      }
      for (int64_t c = 0; c < cols; ++c)
        out[i * cols + c] = float(acc[c]);
    }
  });
  return out;
}

void scaleColumns(std::vector<float> &w, int64_t rows,
                  const std::vector<float> &g) {
  int64_t k = int64_t(g.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < k; ++i)
      w[r * k + i] *= g[i];
}

} // namespace spike::rotation
