/* select/cons_tres_topo: a topology-aware select plugin that forwards to cons_tres.
 *
 * Every select_p_* entry point except job_test (job_test.c) is a plain forward to the
 * cons_tres plugin resolved in forward.c. The plugin type contains "cons_tres" on purpose:
 * Slurm tests the select type by substring in several places (dynamic nodes, GRES).
 *
 * Built against the configured source tree of the installed Slurm (struct layouts must match),
 * 22.05 to 24.11; what differs between those lines is in select_compat.h. */
#include "config.h"

/* Slurm's internal names mapped to the slurm_-prefixed aliases that both libslurmfull (daemons)
 * and the public libslurm export: programs linked with the latter load this plugin too. */
#include "src/common/slurm_xlator.h"

#include <inttypes.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/log.h"
#include "src/slurmctld/slurmctld.h"

#include "core.h"
#include "forward.h"

#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(25, 5, 0)
#error "Slurm >= 25.05 loads only SelectType and treats plugin_id 109 as the only cons_tres: use stock cons_tres with the topology/block topology.conf kubeslurm-sync writes (docs/select-plugin.md)"
#endif

const char plugin_name[] = "kubeslurm topology-aware cons_tres (NVLink domains, leaf switches)";
const char plugin_type[] = "select/cons_tres_topo";
/* Unique among select plugins (Slurm's own use 101-110) and >= 100 as select_g_init() demands. */
const uint32_t plugin_id = 171;
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

#define CONS_OR(fail)                              \
	const ks_select_ops_t *c = ks_cons_tres(); \
	if (!c)                                    \
		return fail

/* Defined in slurmctld only: tells it from slurmd and the client commands, which load every
 * select plugin too and never place jobs. */
#pragma weak last_job_update

extern int init(void)
{
	/* cons_tres may not be loaded yet (plugin load order): resolved on first use. */
	debug("select/cons_tres_topo: loaded");
	if (&last_job_update && ks_sel_start() != 0) {
		error("select/cons_tres_topo: kubeslurm.conf unusable: not starting (fix it and restart)");
		return SLURM_ERROR;
	}
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	ks_sel_shutdown();
	ks_cons_tres_release();
	return SLURM_SUCCESS;
}

void ks_sel_log(int level, const char *line)
{
	switch (level) {
	case KS_SEL_LOG_ERROR:
		error("%s", line);
		break;
	case KS_SEL_LOG_WARNING: /* 22.05's log.h has no warning() */
	case KS_SEL_LOG_INFO:
		info("%s", line);
		break;
	case KS_SEL_LOG_VERBOSE:
		verbose("%s", line);
		break;
	default:
		debug("%s", line);
		break;
	}
}

extern int select_p_state_save(char *dir_name)
{
	CONS_OR(SLURM_ERROR);
	return c->state_save(dir_name);
}

extern int select_p_state_restore(char *dir_name)
{
	CONS_OR(SLURM_ERROR);
	return c->state_restore(dir_name);
}

extern int select_p_job_init(ks_list_t job_list)
{
	CONS_OR(SLURM_ERROR);
	return c->job_init(job_list);
}

extern int select_p_node_init(void)
{
	CONS_OR(SLURM_ERROR);
	ks_sel_invalidate(0);
	return c->node_init();
}

/* select_p_job_test: job_test.c */

extern int select_p_job_begin(job_record_t *job_ptr)
{
	CONS_OR(SLURM_ERROR);
	return c->job_begin(job_ptr);
}

extern int select_p_job_ready(job_record_t *job_ptr)
{
	CONS_OR(SLURM_ERROR);
	return c->job_ready(job_ptr);
}

extern int select_p_job_expand(job_record_t *from_job_ptr, job_record_t *to_job_ptr)
{
	CONS_OR(SLURM_ERROR);
	return c->job_expand(from_job_ptr, to_job_ptr);
}

extern int select_p_job_resized(job_record_t *job_ptr, node_record_t *node_ptr)
{
	CONS_OR(SLURM_ERROR);
	return c->job_resized(job_ptr, node_ptr);
}

extern int select_p_job_fini(job_record_t *job_ptr)
{
	CONS_OR(SLURM_ERROR);
	return c->job_fini(job_ptr);
}

extern int select_p_job_suspend(job_record_t *job_ptr, bool indf_susp)
{
	CONS_OR(SLURM_ERROR);
	return c->job_suspend(job_ptr, indf_susp);
}

extern int select_p_job_resume(job_record_t *job_ptr, bool indf_susp)
{
	CONS_OR(SLURM_ERROR);
	return c->job_resume(job_ptr, indf_susp);
}

extern bitstr_t *select_p_step_pick_nodes(job_record_t *job_ptr, select_jobinfo_t *jobinfo,
					  uint32_t node_count, bitstr_t **avail_nodes)
{
	CONS_OR(NULL);
	return c->step_pick_nodes(job_ptr, jobinfo, node_count, avail_nodes);
}

extern int select_p_step_start(step_record_t *step_ptr)
{
	CONS_OR(SLURM_ERROR);
	return c->step_start(step_ptr);
}

extern int select_p_step_finish(step_record_t *step_ptr, bool killing_step)
{
	CONS_OR(SLURM_ERROR);
	return c->step_finish(step_ptr, killing_step);
}

extern int select_p_select_nodeinfo_pack(select_nodeinfo_t *nodeinfo, buf_t *buffer,
					 uint16_t protocol_version)
{
	CONS_OR(SLURM_ERROR);
	return c->nodeinfo_pack(nodeinfo, buffer, protocol_version);
}

extern int select_p_select_nodeinfo_unpack(select_nodeinfo_t **nodeinfo, buf_t *buffer,
					   uint16_t protocol_version)
{
	CONS_OR(SLURM_ERROR);
	return c->nodeinfo_unpack(nodeinfo, buffer, protocol_version);
}

extern select_nodeinfo_t *select_p_select_nodeinfo_alloc(void)
{
	CONS_OR(NULL);
	return c->nodeinfo_alloc();
}

extern int select_p_select_nodeinfo_free(select_nodeinfo_t *nodeinfo)
{
	CONS_OR(SLURM_ERROR);
	return c->nodeinfo_free(nodeinfo);
}

extern int select_p_select_nodeinfo_set_all(void)
{
	CONS_OR(SLURM_ERROR);
	return c->nodeinfo_set_all();
}

extern int select_p_select_nodeinfo_set(job_record_t *job_ptr)
{
	CONS_OR(SLURM_ERROR);
	return c->nodeinfo_set(job_ptr);
}

extern int select_p_select_nodeinfo_get(select_nodeinfo_t *nodeinfo,
					enum select_nodedata_type dinfo,
					enum node_states state, void *data)
{
	CONS_OR(SLURM_ERROR);
	return c->nodeinfo_get(nodeinfo, dinfo, state, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_alloc(void)
{
	CONS_OR(NULL);
	return c->jobinfo_alloc();
}

extern int select_p_select_jobinfo_free(select_jobinfo_t *jobinfo)
{
	CONS_OR(SLURM_ERROR);
	return c->jobinfo_free(jobinfo);
}

extern int select_p_select_jobinfo_set(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type, void *data)
{
	CONS_OR(SLURM_ERROR);
	return c->jobinfo_set(jobinfo, data_type, data);
}

extern int select_p_select_jobinfo_get(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type, void *data)
{
	CONS_OR(SLURM_ERROR);
	return c->jobinfo_get(jobinfo, data_type, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_copy(select_jobinfo_t *jobinfo)
{
	CONS_OR(NULL);
	return c->jobinfo_copy(jobinfo);
}

extern int select_p_select_jobinfo_pack(select_jobinfo_t *jobinfo, buf_t *buffer,
					uint16_t protocol_version)
{
	CONS_OR(SLURM_ERROR);
	return c->jobinfo_pack(jobinfo, buffer, protocol_version);
}

extern int select_p_select_jobinfo_unpack(select_jobinfo_t **jobinfo, buf_t *buffer,
					  uint16_t protocol_version)
{
	CONS_OR(SLURM_ERROR);
	return c->jobinfo_unpack(jobinfo, buffer, protocol_version);
}

extern int select_p_get_info_from_plugin(enum select_plugindata_info dinfo,
					 job_record_t *job_ptr, void *data)
{
	CONS_OR(SLURM_ERROR);
	return c->get_info_from_plugin(dinfo, job_ptr, data);
}

extern int select_p_reconfigure(void)
{
	CONS_OR(SLURM_ERROR);
	ks_sel_invalidate(1);
	return c->reconfigure();
}

/* Entry points that later release lines no longer look up (select_compat.h). */
#if KS_SELECT_HAS_PRE_23_02_CALLS
extern int select_p_job_signal(job_record_t *job_ptr, int signal)
{
	CONS_OR(SLURM_ERROR);
	return c->job_signal(job_ptr, signal);
}

extern char *select_p_select_jobinfo_sprint(select_jobinfo_t *jobinfo, char *buf, size_t size,
					    int mode)
{
	CONS_OR(buf);
	return c->jobinfo_sprint(jobinfo, buf, size, mode);
}

extern char *select_p_select_jobinfo_xstrdup(select_jobinfo_t *jobinfo, int mode)
{
	CONS_OR(NULL);
	return c->jobinfo_xstrdup(jobinfo, mode);
}

extern int select_p_update_node_config(int index)
{
	CONS_OR(SLURM_ERROR);
	ks_sel_invalidate(0);
	return c->update_node_config(index);
}
#endif

#if KS_SELECT_HAS_RESV_TEST
extern bitstr_t *select_p_resv_test(resv_desc_msg_t *resv_desc_ptr, uint32_t node_cnt,
				    bitstr_t *avail_bitmap, bitstr_t **core_bitmap)
{
	CONS_OR(NULL);
	return c->resv_test(resv_desc_ptr, node_cnt, avail_bitmap, core_bitmap);
}
#endif
