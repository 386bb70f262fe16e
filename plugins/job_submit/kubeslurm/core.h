/* C ABI between the job_submit/kubeslurm shim (C, public slurm.h only) and its C++ core. Every
 * function catches all exceptions. */
#ifndef KS_JOB_SUBMIT_CORE_H
#define KS_JOB_SUBMIT_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { KS_JS_LOG_ERROR = 0, KS_JS_LOG_INFO, KS_JS_LOG_DEBUG };

/* Implemented by the shim: routes a core log line to slurmctld's log. */
void ks_js_log(int level, const char *line);

typedef struct {
	const char *const *spank_env; /* the job's SPANK environment (its --topology) */
	size_t spank_env_size;
	const char *partition;        /* NULL: the default partition */
	uint32_t min_nodes;           /* 0 or NO_VAL: not given */
	uint32_t max_nodes;           /* 0 or NO_VAL: not given */
	int has_segment;              /* the user gave --segment */
	int has_switches;             /* the user gave --switches */
} ks_js_job_t;

typedef struct {
	int set_segment;
	uint16_t segment_size;
	int set_switches;
	uint32_t switches;
	char error[300]; /* why the job is refused, for the user */
} ks_js_change_t;

/* What to set on a job at submission: 0 (apply `change`), or -1 (refuse the job with
 * change->error). An internal error changes nothing and returns 0. */
int ks_js_plan(const ks_js_job_t *job, ks_js_change_t *change);

/* Re-read kubeslurm.conf at the next job (plugin init, scontrol reconfigure). */
void ks_js_reload(void);

#ifdef __cplusplus
}
#endif

#endif
