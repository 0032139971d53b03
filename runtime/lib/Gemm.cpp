//===- Gemm.cpp - The linear layers' matrix product -----------------------===//

#include "spike/runtime/Gemm.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <dlfcn.h>

#ifdef SPIKE_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#endif

namespace spike::runtime {

namespace {
std::atomic<bool> forceATen{false};
} // namespace

void setLinearUsesATen(bool aten) { forceATen = aten; }

at::Tensor linearLayer(const at::Tensor &x, const at::Tensor &w) {
#ifdef SPIKE_HAVE_ONEDNN
  bool direct = !forceATen && x.is_cpu() && w.is_cpu() &&
                x.scalar_type() == at::kFloat &&
                w.scalar_type() == at::kFloat && w.dim() == 2 &&
                !(at::GradMode::is_enabled() &&
                  (x.requires_grad() || w.requires_grad()));
  if (direct) {
    int64_t k = w.size(1), n = w.size(0);
    TORCH_CHECK(x.size(-1) == k, "linear: input has ", x.size(-1),
                " features, the weight ", k);
    at::Tensor a = x.contiguous(), b = w.contiguous();
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = n;
    at::Tensor y = at::empty(shape, x.options());
    int64_t m = k ? a.numel() / k : 0;
    if (m == 0 || n == 0)
      return y;
    if (k == 0)
      return y.zero_();
    // Row-major C[m, n] = A[m, k] · B[n, k]ᵀ on oneDNN's OpenMP threads,
    // which ATen's thread count sets.
    dnnl_status_t st = dnnl_sgemm('N', 'T', m, n, k, 1.0f, a.data_ptr<float>(),
                                  k, b.data_ptr<float>(), k, 0.0f,
                                  y.data_ptr<float>(), n);
    TORCH_CHECK(st == dnnl_success, "linear: oneDNN sgemm failed (status ",
                int(st), ") on [", m, ", ", k, "] x [", k, ", ", n, "]");
    return y;
  }
#endif
  return at::matmul(x, w.t());
}

std::string linearKernelName() {
  std::string threads = std::to_string(at::get_num_threads()) + " thread" +
                        (at::get_num_threads() == 1 ? "" : "s");
#ifdef SPIKE_HAVE_ONEDNN
  if (!forceATen) {
    const dnnl_version_t *v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." +
           std::to_string(v->minor) + "." + std::to_string(v->patch) +
           " sgemm, ISA " + dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()) +
           ", " + threads;
  }
#endif
  return "ATen matmul (" + blasKernelName() + "), " + threads;
}

std::string blasKernelName() {
  // OpenBLAS names its kernel; other BLAS libraries do not.
  using NameFn = char *(*)();
  auto corename = reinterpret_cast<NameFn>(
      dlsym(RTLD_DEFAULT, "openblas_get_corename"));
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

} // namespace spike::runtime
