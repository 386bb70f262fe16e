// bf16 GEMM through cuBLASLt: TFLOP/s per GPU, and bit-identical results across repeats (the
// reduction scheme is pinned to "none" so that a correct GPU is deterministic). A GPU whose
// results change between repeats computes wrong numbers: silent data corruption.
#include <cublasLt.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "health/gpu/bandwidth.h"
#include "health/gpu/kernels.h"
#include "health/gpu/per_gpu.h"

namespace ks::gpu {

namespace {

void lt_check(cublasStatus_t s, const char* what) {
    if (s != CUBLAS_STATUS_SUCCESS)
        throw CudaFailure(std::string(what) + ": " + cublasLtGetStatusString(s));
}

// D = A^T * B with A: k x m, B: k x n, D: m x n (column-major), all bf16, fp32 accumulate.
class LtGemm {
public:
    LtGemm(int64_t n, cudaStream_t stream) : m_n(n), m_stream(stream) {
        lt_check(cublasLtCreate(&m_lt), "cublasLtCreate");
        lt_check(cublasLtMatmulDescCreate(&m_op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
        cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
        lt_check(cublasLtMatmulDescSetAttribute(m_op, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t), "TRANSA");
        lt_check(cublasLtMatmulDescSetAttribute(m_op, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof nt), "TRANSB");
        lt_check(cublasLtMatrixLayoutCreate(&m_layout, CUDA_R_16BF, n, n, n), "cublasLtMatrixLayoutCreate");
        lt_check(cublasLtMatmulPreferenceCreate(&m_pref), "cublasLtMatmulPreferenceCreate");
        uint64_t ws = m_workspace_bytes;
        lt_check(cublasLtMatmulPreferenceSetAttribute(m_pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
                 "workspace preference");
        uint32_t scheme = CUBLASLT_REDUCTION_SCHEME_NONE;
        lt_check(cublasLtMatmulPreferenceSetAttribute(m_pref, CUBLASLT_MATMUL_PREF_REDUCTION_SCHEME_MASK, &scheme,
                                                      sizeof scheme),
                 "reduction scheme preference");
        int found = 0;
        lt_check(cublasLtMatmulAlgoGetHeuristic(m_lt, m_op, m_layout, m_layout, m_layout, m_layout, m_pref, 1,
                                                &m_heuristic, &found),
                 "cublasLtMatmulAlgoGetHeuristic");
        if (found == 0) throw CudaFailure("cuBLASLt found no bf16 GEMM algorithm for this GPU");
    }
    ~LtGemm() {
        if (m_pref) cublasLtMatmulPreferenceDestroy(m_pref);
        if (m_layout) cublasLtMatrixLayoutDestroy(m_layout);
        if (m_op) cublasLtMatmulDescDestroy(m_op);
        if (m_lt) cublasLtDestroy(m_lt);
    }
    LtGemm(const LtGemm&) = delete;
    LtGemm& operator=(const LtGemm&) = delete;

    void run(const void* a, const void* b, void* d, void* workspace) {
        const float alpha = 1.0f, beta = 0.0f;
        lt_check(cublasLtMatmul(m_lt, m_op, &alpha, a, m_layout, b, m_layout, &beta, d, m_layout, d, m_layout,
                                &m_heuristic.algo, workspace, m_workspace_bytes, m_stream),
                 "cublasLtMatmul");
    }
    size_t workspace_bytes() const { return m_workspace_bytes; }

private:
    int64_t m_n;
    cudaStream_t m_stream;
    size_t m_workspace_bytes = size_t{32} << 20;
    cublasLtHandle_t m_lt = nullptr;
    cublasLtMatmulDesc_t m_op = nullptr;
    cublasLtMatrixLayout_t m_layout = nullptr;
    cublasLtMatmulPreference_t m_pref = nullptr;
    cublasLtMatmulHeuristicResult_t m_heuristic{};
};

unsigned long long checksum(const DeviceBuffer& d, size_t count, DeviceBuffer& sum, cudaStream_t s,
                            const Deadline& deadline) {
    kernels::checksum16(d.get(), count, static_cast<unsigned long long*>(sum.get()), s);
    unsigned long long host = 0;
    cuda_check(cudaMemcpyAsync(&host, sum.get(), sizeof host, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync");
    wait_stream(s, deadline, "GEMM checksum");
    return host;
}

}  // namespace

Results check_gemm_bf16(const Context& ctx) {
    const std::string name = "gpu.gemm_bf16";
    if (auto s = cuda_unavailable(name)) return {*s};
    const double seconds = measuring_seconds(ctx.request);
    // Burn-in measures in equal windows of at most 10 s and keeps the slowest: sustained, not
    // best-case. Equal windows fill the check's part of the duration without overshooting it.
    const int planned_windows = std::max(1, static_cast<int>(std::ceil(seconds / 10.0)));
    const double window = seconds / planned_windows;
    auto outcome = for_each_gpu(ctx, name, [&](const Gpu& g, Results& extra) {
        int64_t n = 8192;  // the shape of the anchor figures (torch.matmul bf16 8192^3)
        while (n > 1024 && 3 * n * n * 2 + (size_t{64} << 20) > free_device_memory()) n /= 2;
        const size_t count = static_cast<size_t>(n * n);
        DeviceBuffer a(count * 2), b(count * 2), d(count * 2), sum(sizeof(unsigned long long));
        Stream stream;
        LtGemm gemm(n, stream.get());
        DeviceBuffer ws(gemm.workspace_bytes());
        kernels::fill_bf16(a.get(), count, 0x5eed1u, stream.get());
        kernels::fill_bf16(b.get(), count, 0x5eed2u, stream.get());
        gemm.run(a.get(), b.get(), d.get(), ws.get());
        const unsigned long long reference = checksum(d, count, sum, stream.get(), ctx.deadline);

        double worst = 0;
        int windows = 0, mismatches = 0;
        do {
            double per_iter = time_iterations(stream.get(), ctx.deadline, window, 1, 5,
                                              [&] { gemm.run(a.get(), b.get(), d.get(), ws.get()); });
            double tflops = gemm_tflops(double(n), double(n), double(n), per_iter);
            worst = windows == 0 ? tflops : std::min(worst, tflops);
            ++windows;
            if (checksum(d, count, sum, stream.get(), ctx.deadline) != reference) ++mismatches;
            ctx.progress(static_cast<double>(windows) / planned_windows);
        } while (windows < planned_windows && ctx.deadline.remaining_s() > window + 1);

        CheckResult consistency = health::measured("gpu.gemm_consistency", mismatches, "<=", 0, "", {}, g.physical);
        char buf[128];
        std::snprintf(buf, sizeof buf, "%d of %d repeats differ from the first result (%lldx%lldx%lld bf16)",
                      mismatches, windows, static_cast<long long>(n), static_cast<long long>(n),
                      static_cast<long long>(n));
        consistency.detail = buf;
        extra.push_back(consistency);
        return worst;
    });
    return finish_per_gpu(ctx, name, "TFLOP/s", key::GemmMin, std::move(outcome));
}

}  // namespace ks::gpu
