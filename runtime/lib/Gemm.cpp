//===- Gemm.cpp - The linear layers' matrix product -----------------------===//

#include "spike/runtime/Gemm.h"
#include "spike/runtime/OrderedProduct.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <atomic>
#include <cstdlib>
#include <dlfcn.h>
#include <sched.h>

#ifdef SPIKE_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#endif

namespace spike::runtime {

namespace {
std::atomic<bool> forceATen{false};

#ifdef SPIKE_HAVE_ONEDNN
/// "avx512_core_bf16" for dnnl_cpu_isa_avx512_core_bf16.
std::string isaName(dnnl_cpu_isa_t isa) {
  std::string s = dnnl_cpu_isa2str(isa);
  return s.rfind("cpu_isa_", 0) == 0 ? s.substr(8) : s;
}
#endif
} // namespace

void setLinearUsesATen(bool aten) { forceATen = aten; }

#ifdef SPIKE_HAVE_ONEDNN
namespace {

/// The product of all but the last dimension (rows of a [..., K] operand).
int64_t leadingRows(const at::Tensor &t) {
  int64_t rows = 1;
  for (int64_t i = 0; i + 1 < t.dim(); ++i)
    rows *= t.size(i);
  return rows;
}

/// Row-major c[m, n] = a[m, k] · op(b) with op(b) = bᵀ for b [n, k]
/// (transposeB) or b for b [k, n], on oneDNN's OpenMP threads (ATen's
/// thread count sets them).
void sgemm(const at::Tensor &a, const at::Tensor &b, bool transposeB,
           at::Tensor &c) {
  int64_t m = c.size(0), n = c.size(1), k = a.size(1);
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    c.zero_();
    return;
  }
  dnnl_status_t st = dnnl_sgemm(
      'N', transposeB ? 'T' : 'N', m, n, k, 1.0f, a.data_ptr<float>(), k,
      b.data_ptr<float>(), transposeB ? k : n, 0.0f, c.data_ptr<float>(), n);
  TORCH_CHECK(st == dnnl_success, "linear: oneDNN sgemm failed (status ",
              int(st), ") on [", m, ", ", k, "] x [", k, ", ", n, "]");
}

/// x [..., K] · w [N, K]ᵀ through sgemm; w is a constant.
at::Tensor product(const at::Tensor &x, const at::Tensor &w) {
  int64_t k = w.size(1), n = w.size(0);
  TORCH_CHECK(x.size(-1) == k, "linear: input has ", x.size(-1),
              " features, the weight ", k);
  at::Tensor a = x.contiguous().reshape({leadingRows(x), k});
  at::Tensor y = at::empty({a.size(0), n}, x.options());
  sgemm(a, w.contiguous(), /*transposeB=*/true, y);
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = n;
  return y.reshape(shape);
}

/// The product under autograd (calibration: the input carries gradients,
/// the weight is frozen): dL/dx = dL/dy · w, also through sgemm.
struct ProductFunction : torch::autograd::Function<ProductFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext *ctx,
                            const at::Tensor &x, const at::Tensor &w) {
    ctx->save_for_backward({w});
    return product(x, w);
  }
  static torch::autograd::variable_list
  backward(torch::autograd::AutogradContext *ctx,
           torch::autograd::variable_list grads) {
    at::Tensor w = ctx->get_saved_variables()[0].contiguous();
    const at::Tensor &dy = grads[0];
    at::Tensor g = dy.contiguous().reshape({leadingRows(dy), w.size(0)});
    at::Tensor dx = at::empty({g.size(0), w.size(1)}, dy.options());
    sgemm(g, w, /*transposeB=*/false, dx);
    std::vector<int64_t> shape(dy.sizes().begin(), dy.sizes().end());
    shape.back() = w.size(1);
    return {dx.reshape(shape), at::Tensor()};
  }
};

} // namespace
#endif

at::Tensor linearLayer(const at::Tensor &x, const at::Tensor &w) {
#ifdef SPIKE_HAVE_ONEDNN
  bool direct = !forceATen && x.is_cpu() && w.is_cpu() &&
                x.scalar_type() == at::kFloat &&
                w.scalar_type() == at::kFloat && w.dim() == 2;
  if (direct) {
    bool grad = at::GradMode::is_enabled();
    if (grad && w.requires_grad())
      return at::matmul(x, w.t()); // a learnt weight: ATen's autograd
    if (grad && x.requires_grad())
      return ProductFunction::apply(x, w);
    return product(x, w);
  }
#endif
  return at::matmul(x, w.t());
}

at::Tensor headProduct(const at::Tensor &lhs, const at::Tensor &rhs,
                       bool transposeRhs) {
  int64_t heads = lhs.size(-3), kvHeads = rhs.size(-3);
  TORCH_CHECK(kvHeads > 0 && heads % kvHeads == 0, "attention: ", heads,
              " query heads cannot share ", kvHeads, " key/value heads");
#ifdef SPIKE_HAVE_ONEDNN
  bool direct = !forceATen && lhs.is_cpu() && rhs.is_cpu() &&
                lhs.scalar_type() == at::kFloat &&
                rhs.scalar_type() == at::kFloat &&
                !(at::GradMode::is_enabled() &&
                  (lhs.requires_grad() || rhs.requires_grad()));
  if (direct) {
    HeadProductShape h = headProductShape(lhs, rhs, transposeRhs);
    int64_t m = h.m, n = h.n, k = h.k;
    at::Tensor a = lhs.contiguous(), b = rhs.contiguous();
    at::Tensor out = at::empty(h.out, lhs.options());
    if (out.numel() == 0)
      return out;
    if (k == 0)
      return out.zero_();
    const float *pa = a.data_ptr<float>(), *pb = b.data_ptr<float>();
    float *pc = out.data_ptr<float>();
    // One head per thread; oneDNN runs single-threaded inside the region.
    at::parallel_for(0, h.batches, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        int64_t kv = h.kvIndex(i);
        dnnl_status_t st = dnnl_sgemm(
            'N', transposeRhs ? 'T' : 'N', m, n, k, 1.0f, pa + i * m * k, k,
            pb + kv * n * k, transposeRhs ? k : n, 0.0f, pc + i * m * n, n);
        TORCH_CHECK(st == dnnl_success, "attention: oneDNN sgemm failed");
      }
    });
    return out;
  }
#endif
  at::Tensor r =
      heads == kvHeads ? rhs : rhs.repeat_interleave(heads / kvHeads, -3);
  return at::matmul(lhs, transposeRhs ? r.transpose(-1, -2) : r);
}

HeadProductShape headProductShape(const at::Tensor &lhs, const at::Tensor &rhs,
                                  bool transposeRhs) {
  HeadProductShape h;
  h.heads = lhs.size(-3), h.kvHeads = rhs.size(-3);
  TORCH_CHECK(h.kvHeads > 0 && h.heads % h.kvHeads == 0, "attention: ", h.heads,
              " query heads cannot share ", h.kvHeads, " key/value heads");
  h.m = lhs.size(-2), h.k = lhs.size(-1);
  h.n = transposeRhs ? rhs.size(-2) : rhs.size(-1);
  int64_t rk = transposeRhs ? rhs.size(-1) : rhs.size(-2);
  TORCH_CHECK(rk == h.k, "attention: operands of ", h.k, " and ", rk,
              " features");
  TORCH_CHECK(lhs.dim() == rhs.dim() && lhs.dim() >= 3 &&
                  lhs.sizes().slice(0, lhs.dim() - 3) ==
                      rhs.sizes().slice(0, rhs.dim() - 3),
              "attention: the operands' leading dimensions differ");
  h.out.assign(lhs.sizes().begin(), lhs.sizes().end());
  h.out.back() = h.n;
  h.batches = 1;
  for (int64_t i = 0; i + 2 < lhs.dim(); ++i)
    h.batches *= lhs.size(i);
  return h;
}

std::string linearKernelName() {
  std::string threads = std::to_string(at::get_num_threads()) + " thread" +
                        (at::get_num_threads() == 1 ? "" : "s");
#ifdef SPIKE_HAVE_ONEDNN
  if (!forceATen) {
    const dnnl_version_t *v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." +
           std::to_string(v->minor) + "." + std::to_string(v->patch) +
           " sgemm, ISA " + isaName(dnnl_get_effective_cpu_isa()) + ", " +
           threads;
  }
#endif
  return "ATen matmul (" + blasKernelName() + "), " + threads;
}

void useAllCores() {
  if (std::getenv("OMP_NUM_THREADS"))
    return;
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0)
    at::set_num_threads(CPU_COUNT(&cpus));
}

std::string kernelSummary() {
  return "linear layers and attention " + linearKernelName() +
         "; ATen's BLAS " + blasKernelName() + "; fixed-order products " +
         orderedProductVariant() + " FMA";
}

std::string blasKernelName() {
  // OpenBLAS names its kernel; other BLAS libraries do not.
  using NameFn = char *(*)();
  auto corename =
      reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  auto config =
      reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  if (!corename)
    return "BLAS of ATen (not OpenBLAS)";
  std::string s = "OpenBLAS core " + std::string(corename());
  if (config) {
    std::string c = config();
    // "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64"
    if (c.rfind("OpenBLAS ", 0) == 0)
      s = c.substr(0, c.find(' ', 9)) + ", core " + corename();
  }
  return s;
}

at::Tensor widenedProduct(const at::Tensor &x, const at::Tensor &w,
                          LinearProduct product, int64_t maxBytes) {
  int64_t rows = w.size(0);
  int64_t block = std::max<int64_t>(1, maxBytes / (4 * w.size(1)));
  if (rows <= block)
    return product(x, w.to(at::kFloat));
  std::vector<at::Tensor> parts;
  for (int64_t r = 0; r < rows; r += block)
    parts.push_back(
        product(x, w.narrow(0, r, std::min(block, rows - r)).to(at::kFloat)));
  return at::cat(parts, -1);
}

} // namespace spike::runtime
