/* Everything in the select API that differs between the Slurm release lines this plugin serves
 * (22.05, 23.02, 23.11, 24.05, 24.11; there is no 23.05), in one place, each from that line's own
 * src/interfaces/select.c (src/common/select.c in 22.05):
 *   23.02  drops job_signal, jobinfo_sprint, jobinfo_xstrdup and update_node_config, and
 *          select_nodes() no longer keeps a select plugin's pending reason (WAIT_BLOCK_D_ACTION
 *          is gone);
 *   23.11  drops resv_test; job_test takes a resv_exc_t * instead of a core bitmap;
 *   24.05  makes slurm_select_ops_t private to select.c: ks_select_ops_t is our copy;
 *   24.11  adds will_run_data_t * to job_test and removes the List typedef.
 * 25.05 keeps 13 entry points and treats only plugin_id 109 as cons_tres: plugin.c stops there. */
#ifndef KS_SELECT_COMPAT_H
#define KS_SELECT_COMPAT_H

#include "config.h"
#include "slurm/slurm.h"
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
#include "src/interfaces/select.h" /* plugin interfaces moved out of src/common in 23.02 */
#else
#include "src/common/select.h"
#endif
#include "src/slurmctld/slurmctld.h"

#define KS_SLURM_BEFORE(major, minor) (SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(major, minor, 0))

/* Entry point groups that later lines dropped (1 = this Slurm still looks them up). */
#define KS_SELECT_HAS_PRE_23_02_CALLS KS_SLURM_BEFORE(23, 2) /* job_signal, jobinfo_sprint,
							      * jobinfo_xstrdup, update_node_config */
#define KS_SELECT_HAS_RESV_TEST KS_SLURM_BEFORE(23, 11)

/* Slurm's list handle: `List` up to 24.05, `list_t *` from 23.02 on; struct xlist throughout. */
typedef struct xlist *ks_list_t;

/* What job_test is told to leave to reservations: cores (up to 23.02), or nodes and cores. */
#if KS_SLURM_BEFORE(23, 11)
typedef bitstr_t ks_resv_exc_t;
#else
typedef resv_exc_t ks_resv_exc_t;
#endif

/* select_p_job_test's parameters, and the arguments that forward them unchanged. */
#if KS_SLURM_BEFORE(24, 11)
#define KS_JOB_TEST_PARAMS                                                                 \
	job_record_t *job_ptr, bitstr_t *node_bitmap, uint32_t min_nodes, uint32_t max_nodes, \
		uint32_t req_nodes, uint16_t mode, ks_list_t preemptee_candidates,           \
		ks_list_t *preemptee_job_list, ks_resv_exc_t *resv_exc
#define KS_JOB_TEST_EXTRA_ARGS
#else
#define KS_JOB_TEST_PARAMS                                                                 \
	job_record_t *job_ptr, bitstr_t *node_bitmap, uint32_t min_nodes, uint32_t max_nodes, \
		uint32_t req_nodes, uint16_t mode, ks_list_t preemptee_candidates,           \
		ks_list_t *preemptee_job_list, ks_resv_exc_t *resv_exc,                      \
		will_run_data_t *will_run
#define KS_JOB_TEST_EXTRA_ARGS , will_run
#endif

/* The pending reason select_nodes() keeps when a select plugin sets it (with its state_desc);
 * WAIT_NO_REASON where it replaces every such reason with Resources (23.02 on). */
#if KS_SLURM_BEFORE(23, 2)
#define KS_SELECT_KEPT_REASON WAIT_BLOCK_D_ACTION
#else
#define KS_SELECT_KEPT_REASON WAIT_NO_REASON
#endif

/* Slurm's slurm_select_ops_t of this line: one slot per node_select_syms[] entry, same order. */
typedef struct {
	uint32_t *plugin_id;
	int (*state_save)(char *dir_name);
	int (*state_restore)(char *dir_name);
	int (*job_init)(ks_list_t job_list);
	int (*node_init)(void);
	int (*job_test)(KS_JOB_TEST_PARAMS);
	int (*job_begin)(job_record_t *job_ptr);
	int (*job_ready)(job_record_t *job_ptr);
	int (*job_expand)(job_record_t *from_job_ptr, job_record_t *to_job_ptr);
	int (*job_resized)(job_record_t *job_ptr, node_record_t *node_ptr);
#if KS_SELECT_HAS_PRE_23_02_CALLS
	int (*job_signal)(job_record_t *job_ptr, int signal);
#endif
	int (*job_fini)(job_record_t *job_ptr);
	int (*job_suspend)(job_record_t *job_ptr, bool indf_susp);
	int (*job_resume)(job_record_t *job_ptr, bool indf_susp);
	bitstr_t *(*step_pick_nodes)(job_record_t *job_ptr, select_jobinfo_t *step_jobinfo,
				     uint32_t node_count, bitstr_t **avail_nodes);
	int (*step_start)(step_record_t *step_ptr);
	int (*step_finish)(step_record_t *step_ptr, bool killing_step);
	int (*nodeinfo_pack)(select_nodeinfo_t *nodeinfo, buf_t *buffer, uint16_t protocol_version);
	int (*nodeinfo_unpack)(select_nodeinfo_t **nodeinfo, buf_t *buffer,
			       uint16_t protocol_version);
	select_nodeinfo_t *(*nodeinfo_alloc)(void);
	int (*nodeinfo_free)(select_nodeinfo_t *nodeinfo);
	int (*nodeinfo_set_all)(void);
	int (*nodeinfo_set)(job_record_t *job_ptr);
	int (*nodeinfo_get)(select_nodeinfo_t *nodeinfo, enum select_nodedata_type dinfo,
			    enum node_states state, void *data);
	select_jobinfo_t *(*jobinfo_alloc)(void);
	int (*jobinfo_free)(select_jobinfo_t *jobinfo);
	int (*jobinfo_set)(select_jobinfo_t *jobinfo, enum select_jobdata_type data_type,
			   void *data);
	int (*jobinfo_get)(select_jobinfo_t *jobinfo, enum select_jobdata_type data_type,
			   void *data);
	select_jobinfo_t *(*jobinfo_copy)(select_jobinfo_t *jobinfo);
	int (*jobinfo_pack)(select_jobinfo_t *jobinfo, buf_t *buffer, uint16_t protocol_version);
	int (*jobinfo_unpack)(select_jobinfo_t **jobinfo, buf_t *buffer,
			      uint16_t protocol_version);
#if KS_SELECT_HAS_PRE_23_02_CALLS
	char *(*jobinfo_sprint)(select_jobinfo_t *jobinfo, char *buf, size_t size, int mode);
	char *(*jobinfo_xstrdup)(select_jobinfo_t *jobinfo, int mode);
#endif
	int (*get_info_from_plugin)(enum select_plugindata_info dinfo, job_record_t *job_ptr,
				    void *data);
#if KS_SELECT_HAS_PRE_23_02_CALLS
	int (*update_node_config)(int index);
#endif
	int (*reconfigure)(void);
#if KS_SELECT_HAS_RESV_TEST
	bitstr_t *(*resv_test)(resv_desc_msg_t *resv_desc_ptr, uint32_t node_cnt,
			       bitstr_t *avail_bitmap, bitstr_t **core_bitmap);
#endif
} ks_select_ops_t;

/* node_select_syms[] of this line. A copy, not a reference: node_select_syms lives in
 * libslurmfull (static from 24.05), and programs linked with the public libslurm
 * (kubeslurm-sync) load this plugin too, where a data reference to it would make dlopen() fail. */
static const char *const ks_select_syms[] = {
	"plugin_id",
	"select_p_state_save",
	"select_p_state_restore",
	"select_p_job_init",
	"select_p_node_init",
	"select_p_job_test",
	"select_p_job_begin",
	"select_p_job_ready",
	"select_p_job_expand",
	"select_p_job_resized",
#if KS_SELECT_HAS_PRE_23_02_CALLS
	"select_p_job_signal",
#endif
	"select_p_job_fini",
	"select_p_job_suspend",
	"select_p_job_resume",
	"select_p_step_pick_nodes",
	"select_p_step_start",
	"select_p_step_finish",
	"select_p_select_nodeinfo_pack",
	"select_p_select_nodeinfo_unpack",
	"select_p_select_nodeinfo_alloc",
	"select_p_select_nodeinfo_free",
	"select_p_select_nodeinfo_set_all",
	"select_p_select_nodeinfo_set",
	"select_p_select_nodeinfo_get",
	"select_p_select_jobinfo_alloc",
	"select_p_select_jobinfo_free",
	"select_p_select_jobinfo_set",
	"select_p_select_jobinfo_get",
	"select_p_select_jobinfo_copy",
	"select_p_select_jobinfo_pack",
	"select_p_select_jobinfo_unpack",
#if KS_SELECT_HAS_PRE_23_02_CALLS
	"select_p_select_jobinfo_sprint",
	"select_p_select_jobinfo_xstrdup",
#endif
	"select_p_get_info_from_plugin",
#if KS_SELECT_HAS_PRE_23_02_CALLS
	"select_p_update_node_config",
#endif
	"select_p_reconfigure",
#if KS_SELECT_HAS_RESV_TEST
	"select_p_resv_test",
#endif
};

_Static_assert(sizeof(ks_select_syms) / sizeof(ks_select_syms[0]) ==
		       sizeof(ks_select_ops_t) / sizeof(void *),
	       "ks_select_syms[] must name every slot of ks_select_ops_t");
#if KS_SLURM_BEFORE(24, 5)
/* Slurm's own struct is still public here: ours must have its size. */
_Static_assert(sizeof(ks_select_ops_t) == sizeof(slurm_select_ops_t),
	       "ks_select_ops_t must match slurm_select_ops_t of this Slurm version");
#endif

#endif
