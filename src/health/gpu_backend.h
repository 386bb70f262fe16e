/* C ABI between kubeslurm-gpucheck and the GPU backend, libkubeslurm-gpu.so (CUDA, NCCL,
 * cuBLASLt; NVML through dlopen). The checker loads the backend with dlopen at run time, so the
 * checker, the prolog and the CLI run on hosts without CUDA or a driver: there every GPU check
 * reports skip with the reason.
 *
 * JSON in, JSON out: no C++ type, allocation policy or exception crosses this boundary.
 */
#ifndef KUBESLURM_HEALTH_GPU_BACKEND_H
#define KUBESLURM_HEALTH_GPU_BACKEND_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KS_GPU_BACKEND_ABI 1
#define KS_GPU_BACKEND_SYMBOL "kubeslurm_gpu_backend_v1"
#define KS_GPU_BACKEND_LIBRARY "libkubeslurm-gpu.so"

/* Services the checker offers to the backend. */
typedef struct ks_gpu_host_v1 {
    void *ctx;
    int rank;   /* this node's index in SLURM_JOB_NODELIST order */
    int nranks; /* number of nodes taking part in multi-node checks (1 = single node) */
    /* Exchanges `len` bytes with every node of the job through the munge-authenticated
     * rendezvous: `out` receives nranks * len bytes in rank order. Returns 0 on success. */
    int (*allgather)(void *ctx, const void *in, size_t len, void *out);
    /* Progress of the running check, fraction in [0, 1]. */
    void (*progress)(void *ctx, const char *check, double fraction);
    /* level: 0 error, 1 warning, 2 info, 3 verbose, 4 debug. */
    void (*log)(void *ctx, int level, const char *message);
} ks_gpu_host_v1;

typedef struct ks_gpu_backend_v1 {
    int abi;             /* KS_GPU_BACKEND_ABI */
    const char *version; /* kubeslurm version the backend was built from */
    /* JSON array describing the checks this backend provides:
     * [{"name": "gpu.hbm_bandwidth", "levels": ["quick", "full", "burnin"], "unit": "GB/s",
     *   "description": "...", "multi_node": false, "burnin_weight": 0.2}, ...]
     * burnin_weight: the check's weight when the checker splits a burn-in duration over the
     * checks of a run (0 or absent: the check measures no duration). */
    const char *(*list_checks)(void);
    /* Runs one check. request_json:
     *   {"check": "...", "devices": [0, 1, ...],        physical indices, CUDA_DEVICE_ORDER=PCI_BUS_ID
     *    "level": "quick", "duration_s": 0,             burn-in: how long this check measures
     *                                                    (0 = its default)
     *    "deadline_s": 12.5,                             the backend must return by then
     *    "thresholds": {"key": number, ...}}            from the thresholds file for this SKU/node
     * Returns a JSON array of results (one check may yield one result per GPU):
     *   [{"check": "...", "status": "pass|fail|skip|error|timeout", "value": 1.0,
     *     "threshold": 2.0, "unit": "GB/s", "comparison": ">=", "detail": "...", "device": 0}]
     * The string is freed with free_string. Never returns NULL. */
    char *(*run_check)(const char *request_json, const ks_gpu_host_v1 *host);
    void (*free_string)(char *s);
} ks_gpu_backend_v1;

typedef const ks_gpu_backend_v1 *(*ks_gpu_backend_entry_v1)(void);

#ifdef __cplusplus
}
#endif

#endif
