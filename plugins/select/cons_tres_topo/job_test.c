/* select_p_job_test: restricts the candidate bitmap to the placement core's node sets, one
 * after another, and lets cons_tres do the resource accounting on each; the first success
 * wins. Everything topology-related happens in the C++ core (core.cpp); this file only
 * translates between Slurm's job/bitmap types and the core's plain C ABI. */
#include "config.h"

/* Slurm's internal names mapped to the slurm_-prefixed aliases that both libslurmfull (daemons)
 * and the public libslurm export: programs linked with the latter load this plugin too. */
#include "src/common/slurm_xlator.h"

#include <string.h>
#include <time.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "core.h"
#include "forward.h"

/* slurmctld-only globals, and node-table globals that only libslurmfull has: weak so that the
 * plugin also loads in slurmd, client commands, and programs linked with the public libslurm. */
#pragma weak last_job_update
#pragma weak avail_node_bitmap
#pragma weak idle_node_bitmap
#pragma weak node_record_count
#pragma weak node_record_table_ptr
#pragma weak slurm_conf

static const char reason_prefix[] = "kubeslurm:";

/* The job's time limit in seconds, its partition's when it set none; 0 when unlimited. */
static uint32_t time_limit_s(const job_record_t *job_ptr)
{
	uint32_t minutes = job_ptr->time_limit;
	if ((minutes == NO_VAL || minutes == INFINITE) && job_ptr->part_ptr)
		minutes = job_ptr->part_ptr->max_time;
	if (minutes == NO_VAL || minutes == INFINITE || minutes > UINT32_MAX / 60)
		return 0;
	return minutes * 60;
}

static const char *node_name_at(size_t index)
{
	if (!&node_record_count || !&node_record_table_ptr || (int) index >= node_record_count ||
	    !node_record_table_ptr[index])
		return NULL;
	return node_record_table_ptr[index]->name;
}

/* out := one byte per node of `a` AND `b` (b may be NULL): the core's plain C view of Slurm
 * bitmaps. 0 when a bitmap is missing or of another size. */
static int to_bytes(const bitstr_t *a, const bitstr_t *b, uint8_t *out, size_t count)
{
	if (!a || bit_size((bitstr_t *) a) != (bitoff_t) count ||
	    (b && bit_size((bitstr_t *) b) != (bitoff_t) count))
		return 0;
	for (size_t i = 0; i < count; i++)
		out[i] = bit_test((bitstr_t *) a, i) && (!b || bit_test((bitstr_t *) b, i));
	return 1;
}

typedef struct {
	const job_record_t *job_ptr;
	const bitstr_t *node_bitmap;
	bool will_run;
} node_views_t;

/* The core's node views (core.h), asked for only when it plans the job. */
static int fill_view(const void *ctx, int which, uint8_t *out, size_t count)
{
	const node_views_t *v = ctx;

	switch (which) {
	case KS_SEL_NODES_AVAIL:
		return to_bytes(v->node_bitmap, NULL, out, count);
	case KS_SEL_NODES_IDLE:
		/* In will-run mode the bitmap holds busy nodes too (cons_tres plans on their end
		 * times): tell the core which ones are free now. */
		return v->will_run && &idle_node_bitmap ? to_bytes(idle_node_bitmap, NULL, out, count)
							: 0;
	case KS_SEL_NODES_USABLE:
		/* Nodes the job could ever use: its partition's nodes that are up and not drained. */
		return v->job_ptr->part_ptr && &avail_node_bitmap && avail_node_bitmap ?
			       to_bytes(v->job_ptr->part_ptr->node_bitmap, avail_node_bitmap, out, count) :
			       0;
	case KS_SEL_NODES_IDLE_ANYWHERE:
		return &idle_node_bitmap && idle_node_bitmap ?
			       to_bytes(idle_node_bitmap, NULL, out, count) :
			       0;
	}
	return 0;
}

/* trial := node_bitmap restricted to the given node indexes. */
static void restrict_to(bitstr_t *trial, bitstr_t *node_bitmap, const uint32_t *set, size_t len)
{
	const bitoff_t size = bit_size(node_bitmap);

	bit_clear_all(trial);
	for (size_t k = 0; k < len; k++) {
		if ((bitoff_t) set[k] < size && bit_test(node_bitmap, set[k]))
			bit_set(trial, set[k]);
	}
}

/* Whether a job text is one this plugin wrote. */
static bool is_ours(const char *text)
{
	return text && !strncmp(text, reason_prefix, strlen(reason_prefix));
}

/* *field := text (NULL: none) when it holds nothing or a text of ours: the field may carry
 * someone else's text (system_comment: burst buffer errors, slurmctld), which stays. Returns
 * whether it changed. */
static bool put_ours(char **field, const char *text)
{
	if (*field && !is_ours(*field))
		return false;
	if (text ? !xstrcmp(*field, text) : !*field)
		return false;
	xfree(*field);
	*field = xstrdup(text);
	return true;
}

/* Records why the job pends by its topology policy (reason), or that it no longer does (NULL),
 * after a job_test that tried to start it now: a reason must not outlive its condition.
 *
 * The reason goes to the job's system_comment (SystemComment= in `scontrol show job`,
 * `squeue -O system_comment`) on every release: since 23.02 select_nodes() replaces any pending
 * reason a select plugin sets with Resources and drops its state_desc, while system_comment is
 * shown to users and never rewritten by the scheduler. Where select_nodes() still keeps a select
 * plugin's reason (KS_SELECT_KEPT_REASON, before 23.02), the text is the pending reason too, in
 * squeue's reason column. */
static void note_reason(job_record_t *job_ptr, const char *reason)
{
	bool changed = put_ours(&job_ptr->system_comment, reason);

	if (KS_SELECT_KEPT_REASON != WAIT_NO_REASON) {
		if (reason && (job_ptr->state_reason != KS_SELECT_KEPT_REASON ||
			       xstrcmp(job_ptr->state_desc, reason))) {
			/* Replaces what the last scheduling pass wrote there. */
			xfree(job_ptr->state_desc);
			job_ptr->state_desc = xstrdup(reason);
			job_ptr->state_reason = KS_SELECT_KEPT_REASON;
			changed = true;
		} else if (!reason && job_ptr->state_reason == KS_SELECT_KEPT_REASON &&
			   is_ours(job_ptr->state_desc)) {
			xfree(job_ptr->state_desc);
			job_ptr->state_reason = WAIT_RESOURCES;
			changed = true;
		}
	}
	if (changed && &last_job_update)
		last_job_update = time(NULL);
}

#define FORWARD(bitmap)                                                                       \
	c->job_test(job_ptr, (bitmap), min_nodes, max_nodes, req_nodes, mode, preemptee_candidates, \
		    preemptee_job_list, resv_exc KS_JOB_TEST_EXTRA_ARGS)

/* job_test proper. *pends: the job pends by its policy, for plan->reason. */
static int place(const ks_select_ops_t *c, ks_sel_plan_t *plan, bool *pends, KS_JOB_TEST_PARAMS)
{
	*pends = false;
	/* Nothing to choose when the user named the nodes (--nodelist) or Slurm only asks whether
	 * the job could ever run (submission). */
	if (!node_bitmap || SELECT_IS_MODE_TEST_ONLY(mode) || !job_ptr->details ||
	    job_ptr->details->req_node_bitmap)
		return FORWARD(node_bitmap);

	ks_sel_job_t job = {
		.job_id = job_ptr->job_id,
		.spank_env = (const char *const *) job_ptr->spank_job_env,
		.spank_env_size = job_ptr->spank_job_env_size,
		.partition = job_ptr->part_ptr ? job_ptr->part_ptr->name : NULL,
		.min_nodes = min_nodes,
		.max_nodes = (max_nodes == NO_VAL) ? 0 : max_nodes,
		.will_run = SELECT_IS_MODE_WILL_RUN(mode) ? 1 : 0,
		.time_limit_s = time_limit_s(job_ptr),
		.scheduler_parameters = &slurm_conf ? slurm_conf.sched_params : NULL,
	};
	const bitoff_t size = bit_size(node_bitmap);
	node_views_t views = { job_ptr, node_bitmap, job.will_run };
	ks_sel_nodes_t nodes = {
		.count = (size_t) size, .fill = fill_view, .name = node_name_at, .ctx = &views,
	};
	int planned = ks_sel_plan(&job, &nodes, plan);
	if (planned != 0 || plan->action == KS_SEL_FORWARD)
		return FORWARD(node_bitmap);

	bitstr_t *trial = bit_alloc(size);
	if (plan->action == KS_SEL_COMPARE && plan->tries > 0) {
		restrict_to(trial, node_bitmap, plan->sets[0], plan->set_len[0]);
		bitstr_t *wide = bit_copy(node_bitmap);
		int rc_wide = FORWARD(wide);
		time_t start_wide = job_ptr->start_time;
		ks_list_t preempt_wide = NULL;
		if (preemptee_job_list) {
			preempt_wide = *preemptee_job_list;
			*preemptee_job_list = NULL;
		}
		int rc = FORWARD(trial);
		bool better = (rc == SLURM_SUCCESS) &&
			      (rc_wide != SLURM_SUCCESS ||
			       job_ptr->start_time <= start_wide);
		if (better) {
			bit_copybits(node_bitmap, trial);
			FREE_NULL_LIST(preempt_wide);
		} else {
			if (preemptee_job_list) {
				FREE_NULL_LIST(*preemptee_job_list);
				*preemptee_job_list = preempt_wide;
			}
			job_ptr->start_time = start_wide;
			if (rc_wide == SLURM_SUCCESS)
				bit_copybits(node_bitmap, wide);
			rc = rc_wide;
		}
		FREE_NULL_BITMAP(wide);
		FREE_NULL_BITMAP(trial);
		return rc;
	}
	for (size_t t = 0; t < plan->tries; t++) {
		restrict_to(trial, node_bitmap, plan->sets[t], plan->set_len[t]);
		if (preemptee_job_list)
			FREE_NULL_LIST(*preemptee_job_list);
		if (FORWARD(trial) == SLURM_SUCCESS) {
			bit_copybits(node_bitmap, trial);
			FREE_NULL_BITMAP(trial);
			log_flag(SELECT_TYPE, "select/cons_tres_topo: %pJ placed by policy %s, try %zu of %zu",
				 job_ptr, plan->policy, t + 1, plan->tries);
			return SLURM_SUCCESS;
		}
	}
	FREE_NULL_BITMAP(trial);
	if (preemptee_job_list)
		FREE_NULL_LIST(*preemptee_job_list);

	if (plan->fallback == KS_SEL_FALLBACK_ANY)
		return FORWARD(node_bitmap);
	*pends = plan->reason[0] != '\0';
	log_flag(SELECT_TYPE, "select/cons_tres_topo: %pJ pends: %s", job_ptr, plan->reason);
	return SLURM_ERROR;
}
#undef FORWARD

extern int select_p_job_test(KS_JOB_TEST_PARAMS)
{
	const ks_select_ops_t *c = ks_cons_tres();
	if (!c)
		return SLURM_ERROR;
	ks_sel_plan_t plan;
	bool pends = false;
	int rc = place(c, &plan, &pends, job_ptr, node_bitmap, min_nodes, max_nodes, req_nodes, mode,
		       preemptee_candidates, preemptee_job_list, resv_exc KS_JOB_TEST_EXTRA_ARGS);
	/* Only an attempt to start the job now judges it: backfill's will-run tests plan it later. */
	if (SELECT_IS_MODE_RUN_NOW(mode))
		note_reason(job_ptr, pends ? plan.reason : NULL);
	return rc;
}
