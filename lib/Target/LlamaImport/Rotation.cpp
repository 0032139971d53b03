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

namespace {
bool isPrime(int64_t q) {
  if (q < 2)
    return false;
  for (int64_t d = 2; d * d <= q; ++d)
    if (q % d == 0)
      return false;
  return true;
}

/// Legendre symbol of a mod q (q an odd prime): 0, 1 or -1.
int legendre(int64_t a, int64_t q) {
  a = ((a % q) + q) % q;
  if (a == 0)
    return 0;
  int64_t r = 1, base = a, e = (q - 1) / 2;
  while (e) {
    if (e & 1)
      r = r * base % q;
    base = base * base % q;
    e >>= 1;
  }
  return r == 1 ? 1 : -1;
}

using IntMatrix = std::vector<std::vector<int>>;

/// Paley construction I: order q + 1, q prime with q = 3 mod 4.
IntMatrix paleyI(int64_t q) {
  int64_t n = q + 1;
  IntMatrix h(n, std::vector<int>(n));
  // S = [[0, 1^T], [-1, Q]] with Q the Jacobsthal matrix; H = I + S.
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int s;
      if (i == 0 && j == 0)
        s = 0;
      else if (i == 0)
        s = 1;
      else if (j == 0)
        s = -1;
      else
        s = legendre(j - i, q);
      h[i][j] = s + (i == j ? 1 : 0);
    }
  return h;
}

/// Paley construction II: order 2(q + 1), q prime with q = 1 mod 4.
IntMatrix paleyII(int64_t q) {
  int64_t m = q + 1;
  IntMatrix c(m, std::vector<int>(m)); // symmetric conference matrix
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j)
      c[i][j] = i == j ? 0 : (i == 0 || j == 0) ? 1 : legendre(j - i, q);
  IntMatrix h(2 * m, std::vector<int>(2 * m));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j)
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          h[2 * i + a][2 * j + b] =
              c[i][j] * ((a == 1 && b == 1) ? -1 : 1); // c x [[1,1],[1,-1]]
  // The zero blocks become [[1, -1], [-1, -1]].
  for (int64_t i = 0; i < m; ++i) {
    h[2 * i][2 * i] = 1;
    h[2 * i][2 * i + 1] = -1;
    h[2 * i + 1][2 * i] = -1;
    h[2 * i + 1][2 * i + 1] = -1;
  }
  return h;
}

/// A Hadamard matrix of order m for the small orders Paley constructs.
IntMatrix baseHadamard(int64_t m) {
  if (m == 1)
    return {{1}};
  if (m % 4 == 0 && isPrime(m - 1) && (m - 1) % 4 == 3)
    return paleyI(m - 1);
  if (m % 4 == 0 && (m / 2 - 1) % 4 == 1 && isPrime(m / 2 - 1))
    return paleyII(m / 2 - 1);
  return {};
}
} // namespace

std::vector<float> randomizedHadamard(int64_t n, uint64_t seed) {
  for (int64_t m = n; m >= 1; m /= 2) {
    IntMatrix base = baseHadamard(m);
    if (base.empty()) {
      if (m % 2)
        break;
      continue;
    }
    // Sylvester doubling up to n: H_2k = [[H, H], [H, -H]].
    IntMatrix h = base;
    while (int64_t(h.size()) < n) {
      int64_t k = int64_t(h.size());
      IntMatrix d(2 * k, std::vector<int>(2 * k));
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < k; ++j) {
          d[i][j] = d[i][j + k] = d[i + k][j] = h[i][j];
          d[i + k][j + k] = -h[i][j];
        }
      h = std::move(d);
    }
    std::mt19937_64 rng(seed);
    std::vector<float> signs(n);
    for (float &s : signs)
      s = (rng() & 1) ? 1.f : -1.f;
    float scale = float(1.0 / std::sqrt(double(n)));
    std::vector<float> out(n * n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        out[i * n + j] = float(h[i][j]) * signs[j] * scale;
    return out;
  }
  return {};
}

std::vector<float> rotationFor(int64_t n, uint64_t seed, const char *&kind) {
  std::vector<float> h = randomizedHadamard(n, seed);
  if (!h.empty()) {
    kind = "randomized-hadamard";
    return h;
  }
  kind = "random-orthogonal";
  return randomOrthogonal(n, seed);
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
