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

bool isPaleyI(int64_t m) {
  return m % 4 == 0 && isPrime(m - 1) && (m - 1) % 4 == 3;
}
bool isPaleyII(int64_t m) {
  return m % 4 == 0 && (m / 2 - 1) % 4 == 1 && isPrime(m / 2 - 1);
}

/// A Hadamard matrix of order m for the small orders Paley constructs.
IntMatrix baseHadamard(int64_t m) {
  if (m == 1)
    return {{1}};
  if (isPaleyI(m))
    return paleyI(m - 1);
  if (isPaleyII(m))
    return paleyII(m / 2 - 1);
  return {};
}

/// The largest block that is still applied densely: folding costs n (a + m)
/// per row.
constexpr int64_t kMaxBlock = 1024;

/// The order of the Paley block of the randomized Hadamard matrix of
/// order n: the largest m = n / 2^k with one; 0 when none. A power of two
/// above kMaxBlock is Sylvester's matrix alone (4096: the fast transform,
/// not a Paley block of 128); smaller widths keep the largest block, which
/// earlier results used.
int64_t hadamardBlockOrder(int64_t n) {
  if (n > kMaxBlock && (n & (n - 1)) == 0)
    return 1;
  for (int64_t m = n; m >= 1; m /= 2) {
    if (m == 1 || isPaleyI(m) || isPaleyII(m))
      return m;
    if (m % 2)
      break;
  }
  return 0;
}
} // namespace

namespace {

/// n seeded random signs, ±1.
std::vector<double> seededSigns(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> signs(n);
  for (double &s : signs)
    s = (rng() & 1) ? 1.0 : -1.0;
  return signs;
}

} // namespace

Rotation Rotation::forWidth(int64_t n, uint64_t seed) {
  Rotation q;
  q.n_ = n;
  int64_t order = hadamardBlockOrder(n), odd = n;
  while (odd % 2 == 0)
    odd /= 2;
  if (order != 0 && order <= kMaxBlock) {
    // randomizedHadamard's matrix: entries ±float(1/sqrt(n)).
    q.kind_ = "randomized-hadamard";
    q.m_ = order;
    for (const auto &row : baseHadamard(order))
      q.block_.insert(q.block_.end(), row.begin(), row.end());
    q.signs_ = seededSigns(n, seed);
    double c = double(float(1.0 / std::sqrt(double(n))));
    for (double &s : q.signs_)
      s *= c;
  } else if (odd <= kMaxBlock) {
    q.kind_ = "hadamard-x-orthogonal";
    q.m_ = odd;
    std::vector<float> r = randomOrthogonal(odd, seed);
    q.block_.assign(r.begin(), r.end());
    q.signs_ = seededSigns(n, seed);
    double c = 1.0 / std::sqrt(double(n / odd));
    for (double &s : q.signs_)
      s *= c;
  } else {
    q.kind_ = "random-orthogonal";
    q.m_ = n;
    std::vector<float> r = randomOrthogonal(n, seed);
    q.block_.assign(r.begin(), r.end());
    q.signs_.assign(n, 1.0);
  }
  q.sylvester_ = n / q.m_;
  return q;
}

void Rotation::apply(std::vector<double> &x) const {
  const int64_t m = m_;
  if (m > 1) { // each group of m values times B
    std::vector<double> y(m);
    for (int64_t h = 0; h < sylvester_; ++h) {
      double *xs = &x[h * m];
      std::fill(y.begin(), y.end(), 0.0);
      for (int64_t i = 0; i < m; ++i) {
        const double *b = &block_[i * m];
        for (int64_t j = 0; j < m; ++j)
          y[j] += xs[i] * b[j];
      }
      std::copy(y.begin(), y.end(), xs);
    }
  }
  // Walsh-Hadamard butterflies over the groups: x (S ⊗ I_m).
  for (int64_t len = 1; len < sylvester_; len *= 2)
    for (int64_t base = 0; base < sylvester_; base += 2 * len)
      for (int64_t h = base; h < base + len; ++h) {
        double *a = &x[h * m], *b = &x[(h + len) * m];
        for (int64_t j = 0; j < m; ++j) {
          double u = a[j], v = b[j];
          a[j] = u + v;
          b[j] = u - v;
        }
      }
  for (int64_t j = 0; j < n_; ++j)
    x[j] *= signs_[j];
}

std::vector<float> Rotation::dense() const {
  std::vector<float> out(n_ * n_);
  parallelRows(n_, [&](int64_t begin, int64_t end) {
    std::vector<double> row(n_);
    for (int64_t i = begin; i < end; ++i) {
      std::fill(row.begin(), row.end(), 0.0);
      row[i] = 1.0;
      apply(row);
      for (int64_t j = 0; j < n_; ++j)
        out[i * n_ + j] = float(row[j]);
    }
  });
  return out;
}

void Rotation::applyEach(const std::vector<float> &w, std::vector<float> &out,
                         int64_t count, int64_t step, int64_t stride) const {
  parallelRows(count, [&](int64_t begin, int64_t end) {
    std::vector<double> x(n_);
    for (int64_t v = begin; v < end; ++v) {
      for (int64_t i = 0; i < n_; ++i)
        x[i] = w[v * step + i * stride];
      apply(x);
      for (int64_t i = 0; i < n_; ++i)
        out[v * step + i * stride] = float(x[i]);
    }
  });
}

std::vector<float> Rotation::timesRight(const std::vector<float> &w,
                                        int64_t rows) const {
  std::vector<float> out(w.size());
  applyEach(w, out, rows, n_, 1); // each row
  return out;
}

std::vector<float> Rotation::transposeTimes(const std::vector<float> &w,
                                            int64_t cols) const {
  // (Q^T W)[:, c] = (W[:, c]^T Q)^T: each column as a row vector.
  std::vector<float> out(w.size());
  applyEach(w, out, cols, 1, cols);
  return out;
}

std::vector<float> randomizedHadamard(int64_t n, uint64_t seed) {
  int64_t order = hadamardBlockOrder(n);
  if (order == 0)
    return {};
  IntMatrix paley = baseHadamard(order);
  // Sylvester doubling up to n: H_2k = [[H, H], [H, -H]].
  IntMatrix h = paley;
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
  std::vector<double> signs = seededSigns(n, seed);
  float scale = float(1.0 / std::sqrt(double(n)));
  std::vector<float> out(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      out[i * n + j] = float(h[i][j]) * float(signs[j]) * scale;
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
