/* C ABI between the select shim (C, compiled against Slurm's internal headers) and the C++
 * placement core (no Slurm types). Every function here catches all exceptions. */
#ifndef KS_SELECT_CORE_H
#define KS_SELECT_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KS_SEL_MAX_TRIES 16

/* Log levels the core hands to the shim's Slurm logger. */
enum { KS_SEL_LOG_ERROR = 0, KS_SEL_LOG_WARNING, KS_SEL_LOG_INFO, KS_SEL_LOG_VERBOSE,
       KS_SEL_LOG_DEBUG };

/* Implemented by the shim: routes a core log line to Slurm's log. */
void ks_sel_log(int level, const char *line);

/* What job_test should do with the plan. */
enum {
	KS_SEL_FORWARD = 0, /* no restriction: hand the whole bitmap to cons_tres */
	KS_SEL_TRY = 1,     /* try the sets in order; on no success apply `fallback` */
	KS_SEL_COMPARE = 2  /* will-run: take set 0 when it starts at most `slack_s` later than
			     * the whole bitmap, else the whole bitmap's answer */
};
enum {
	KS_SEL_FALLBACK_ANY = 0, /* try the whole bitmap */
	KS_SEL_FALLBACK_PEND = 1 /* fail: the job pends with `reason` */
};

typedef struct {
	uint32_t job_id;
	const char *policy;    /* from the job's SPANK env; NULL when absent */
	const char *partition; /* NULL when unknown */
	uint32_t min_nodes;
	uint32_t max_nodes;    /* 0 or NO_VAL: no upper bound beyond min */
	int will_run;          /* backfill's will-run/test mode: fewer tries */
} ks_sel_job_t;

typedef struct {
	int action;
	int fallback;
	size_t tries;
	const uint32_t *sets[KS_SEL_MAX_TRIES]; /* Slurm node indexes; owned by the core */
	size_t set_len[KS_SEL_MAX_TRIES];
	long slack_s;        /* KS_SEL_COMPARE: accepted delay for the better placement */
	char policy[16];     /* effective policy name, for logs */
	char reason[200];    /* pending reason when fallback is PEND */
} ks_sel_plan_t;

/* Node names by Slurm node index; NULL for holes in the table. */
typedef const char *(*ks_sel_node_name_fn)(size_t index);

/* Builds the plan for one job_test call. `avail` has node_count entries (non-zero = the job
 * may use the node: free now, or in will-run mode free at some time of backfill's plan); `idle`
 * (may be NULL = all of `avail`) marks the nodes free now; `usable` (may be NULL) marks the
 * nodes the job could ever use (partition, up). The sets stay valid until the next call on the
 * same thread. Returns 0, or -1 on an internal error (the plan is then FORWARD). */
int ks_sel_plan(const ks_sel_job_t *job, const uint8_t *avail, const uint8_t *idle,
		const uint8_t *usable, size_t node_count, ks_sel_node_name_fn node_name,
		ks_sel_plan_t *plan);

/* 1 when the job's plan is KS_SEL_FORWARD whatever the nodes (policy any, no topology to prefer,
 * a single-node job in will-run mode): the shim then skips converting Slurm's bitmaps, which
 * backfill would otherwise pay in O(nodes) for every such pending job on every pass. */
int ks_sel_forwards(const ks_sel_job_t *job);

/* The Slurm node table or the configuration changed: rebuild name mappings, re-read config. */
void ks_sel_invalidate(int reload_config);

/* Releases everything (plugin fini). */
void ks_sel_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
