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
	KS_SEL_COMPARE = 2  /* will-run: take set 0 when it starts no later than on the whole
			     * bitmap, else the whole bitmap's answer */
};
enum {
	KS_SEL_FALLBACK_ANY = 0, /* try the whole bitmap */
	KS_SEL_FALLBACK_PEND = 1 /* fail: the job pends with `reason` */
};

typedef struct {
	uint32_t job_id;
	const char *const *spank_env; /* the job's SPANK environment (its --topology) */
	size_t spank_env_size;
	const char *partition; /* NULL when unknown */
	uint32_t min_nodes;
	uint32_t max_nodes;    /* 0 or NO_VAL: no upper bound beyond min */
	int will_run;          /* backfill's will-run/test mode: fewer tries */
	uint32_t time_limit_s; /* the job's time limit in seconds; 0 = none */
	const char *scheduler_parameters; /* slurm.conf SchedulerParameters; NULL when unset */
} ks_sel_job_t;

typedef struct {
	int action;
	int fallback;
	size_t tries;
	const uint32_t *sets[KS_SEL_MAX_TRIES]; /* Slurm node indexes; owned by the core */
	size_t set_len[KS_SEL_MAX_TRIES];
	char policy[16];     /* effective policy name, for logs */
	char reason[200];    /* pending reason when fallback is PEND */
} ks_sel_plan_t;

/* Which per-node view the core asks the shim for. */
enum {
	KS_SEL_NODES_AVAIL = 0, /* the job may use the node: free now, or in will-run mode free at
				 * some time of backfill's plan */
	KS_SEL_NODES_IDLE = 1,  /* free now (unknown = every node of AVAIL) */
	KS_SEL_NODES_USABLE = 2, /* the job could ever use it: its partition, up (unknown = all) */
	KS_SEL_NODES_IDLE_ANYWHERE = 3 /* free now in Slurm's node table, whichever job asks: a node
					* leaving it is a start (unknown = no starts are seen) */
};

/* The job's view of Slurm's node table, by Slurm node index. The core asks for the views only
 * when it plans the job, so jobs it forwards (policy any, no topology, single-node jobs in
 * backfill) cost no O(nodes) conversion of Slurm's bitmaps. */
typedef struct {
	size_t count;
	/* Fills out[0..count) with one byte per node (non-zero = in the view); returns 0 when the
	 * view is unknown (out is then ignored). */
	int (*fill)(const void *ctx, int which, uint8_t *out, size_t count);
	const char *(*name)(size_t index); /* NULL for holes in the table */
	const void *ctx;
} ks_sel_nodes_t;

/* Builds the plan for one job_test call; a plan of KS_SEL_FORWARD needs no node views. The sets
 * stay valid until the next call on the same thread. Returns 0, or -1 on an internal error (the
 * plan is then FORWARD). */
int ks_sel_plan(const ks_sel_job_t *job, const ks_sel_nodes_t *nodes, ks_sel_plan_t *plan);

/* slurmctld starts: reads kubeslurm.conf. 0, or -1 when it cannot be used (logged with the file,
 * line and key): slurmctld must not start placing without it. */
int ks_sel_start(void);

/* The Slurm node table or the configuration changed: rebuild name mappings, re-read config. */
void ks_sel_invalidate(int reload_config);

/* Releases everything (plugin fini). */
void ks_sel_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
