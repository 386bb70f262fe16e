/* job_submit/kubeslurm: on Slurm 25.05 and later, where stock select/cons_tres with
 * topology/block (topology.yaml) places jobs, asks stock Slurm for what a job's
 * kubeslurm topology policy means: --topology=block a segment of the job's size, --topology=leaf
 * --switches=1 (core.cpp decides). Built on the public slurm.h only; this file translates between
 * the job description and the core's C ABI.
 *
 * slurm.conf: JobSubmitPlugins=kubeslurm */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "core.h"

const char plugin_name[] = "kubeslurm topology policies for stock Slurm placement";
const char plugin_type[] = "job_submit/kubeslurm";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/* slurmctld's log and allocator (Slurm frees err_msg with xfree), not in the public headers:
 * weak, so that a program without them loads the plugin and stays quiet. */
extern void slurm_info(const char *fmt, ...) __attribute__((weak));
extern void slurm_error(const char *fmt, ...) __attribute__((weak));
extern void slurm_debug(const char *fmt, ...) __attribute__((weak));
extern char *slurm_xstrdup(const char *str) __attribute__((weak));

void ks_js_log(int level, const char *line)
{
	if (level == KS_JS_LOG_ERROR && slurm_error)
		slurm_error("%s", line);
	else if (level == KS_JS_LOG_INFO && slurm_info)
		slurm_info("%s", line);
	else if (slurm_debug)
		slurm_debug("%s", line);
}

extern int init(void)
{
	ks_js_reload();
	return SLURM_SUCCESS;
}

extern void fini(void)
{
}

extern int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid, char **err_msg)
{
	ks_js_job_t job = {
		.spank_env = (const char *const *) job_desc->spank_job_env,
		.spank_env_size = job_desc->spank_job_env_size,
		.partition = job_desc->partition,
		.min_nodes = job_desc->min_nodes,
		.max_nodes = job_desc->max_nodes,
		.has_segment = job_desc->segment_size != 0 && job_desc->segment_size != NO_VAL16,
		.has_switches = job_desc->req_switch != 0 && job_desc->req_switch != NO_VAL,
	};
	ks_js_change_t change;
	if (ks_js_plan(&job, &change) != 0) {
		if (err_msg && slurm_xstrdup)
			*err_msg = slurm_xstrdup(change.error);
		return ESLURM_INVALID_NODE_COUNT;
	}
	if (change.set_segment)
		job_desc->segment_size = change.segment_size;
	if (change.set_switches)
		job_desc->req_switch = change.switches;
	return SLURM_SUCCESS;
}

/* A job's policy is fixed at submission; an update keeps what was set then. */
extern int job_modify(job_desc_msg_t *job_desc, void *job_ptr, uint32_t submit_uid, char **err_msg)
{
	return SLURM_SUCCESS;
}
