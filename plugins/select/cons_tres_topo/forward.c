/* Resolution of cons_tres for the forwarding select plugin.
 *
 * slurmctld's select_g_init(0) loads every select_*.so in PluginDir, so cons_tres is normally
 * loaded already: dlopen(RTLD_NOLOAD) returns its handle without running init() again. Only when
 * it is absent (e.g. a PluginDir without it first in the search) do we load it and run its
 * init() ourselves. */
#include "config.h"

/* Slurm's internal names mapped to the slurm_-prefixed aliases that both libslurmfull (daemons)
 * and the public libslurm export: programs linked with the latter load this plugin too. */
#include "src/common/slurm_xlator.h"

#include "forward.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "src/common/log.h"
#include "src/common/slurm_protocol_api.h"
#include "src/common/xstring.h"

static const char cons_tres_file[] = "select_cons_tres.so";

/* The select_p_* names in slurm_select_ops_t order: Slurm's node_select_syms[] (select.c) of the
 * versions this plugin supports. A copy, not a reference: node_select_syms lives in
 * libslurmfull, and programs linked with the public libslurm (kubeslurm-sync) load this plugin
 * too, where a data reference to it would make dlopen() fail. */
static const char *const select_syms[] = {
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
	"select_p_job_signal",
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
	"select_p_select_jobinfo_sprint",
	"select_p_select_jobinfo_xstrdup",
	"select_p_get_info_from_plugin",
	"select_p_update_node_config",
	"select_p_reconfigure",
#if SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(23, 11, 0)
	"select_p_resv_test",
#endif
};

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
static slurm_select_ops_t cons_ops;
static void *cons_handle;
static int cons_ok;
static int cons_initialised_by_us;

/* Calls fn(path) for each PluginDir entry's select_cons_tres.so until it returns non-NULL. */
static void *each_candidate(void *(*fn)(const char *path))
{
	char *dirs = xstrdup(slurm_conf.plugindir ? slurm_conf.plugindir : "");
	char *save = NULL;
	void *found = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *path = xstrdup_printf("%s/%s", d, cons_tres_file);
		found = fn(path);
		xfree(path);
	}
	xfree(dirs);
	return found;
}

static void *open_loaded(const char *path)
{
	return dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
}

static void *open_fresh(const char *path)
{
	if (access(path, R_OK) != 0)
		return NULL;
	void *h = dlopen(path, RTLD_LAZY);
	if (!h)
		error("select/cons_tres_topo: dlopen(%s): %s", path, dlerror());
	return h;
}

static void resolve(void)
{
	const size_t count = sizeof(slurm_select_ops_t) / sizeof(void *);
	void **slots = (void **) &cons_ops;
	_Static_assert(sizeof(select_syms) / sizeof(select_syms[0]) ==
		       sizeof(slurm_select_ops_t) / sizeof(void *),
		       "select_syms[] must match slurm_select_ops_t of this Slurm version");

	cons_handle = each_candidate(open_loaded);
	if (!cons_handle) {
		cons_handle = each_candidate(open_fresh);
		if (!cons_handle) {
			error("select/cons_tres_topo: %s not found in PluginDir=%s; "
			      "install Slurm's select plugins", cons_tres_file,
			      slurm_conf.plugindir);
			return;
		}
		int (*init_fn)(void) = (int (*)(void)) dlsym(cons_handle, "init");
		if (init_fn && init_fn() != 0) {
			error("select/cons_tres_topo: init() of %s failed",
			      cons_tres_file);
			dlclose(cons_handle);
			cons_handle = NULL;
			return;
		}
		cons_initialised_by_us = 1;
	}

	for (size_t i = 0; i < count; i++) {
		slots[i] = dlsym(cons_handle, select_syms[i]);
		if (!slots[i]) {
			error("select/cons_tres_topo: %s has no symbol %s (Slurm version mismatch?)",
			      cons_tres_file, select_syms[i]);
			return;
		}
	}
	cons_ok = 1;
	verbose("select/cons_tres_topo: forwarding %zu entry points to %s%s", count - 1,
		cons_tres_file, cons_initialised_by_us ? " (loaded by us)" : "");
}

const slurm_select_ops_t *ks_cons_tres(void)
{
	pthread_once(&resolve_once, resolve);
	return cons_ok ? &cons_ops : NULL;
}

void ks_cons_tres_release(void)
{
	if (!cons_handle)
		return;
	if (cons_initialised_by_us) {
		int (*fini_fn)(void) = (int (*)(void)) dlsym(cons_handle, "fini");
		if (fini_fn)
			fini_fn();
	}
	dlclose(cons_handle);
	cons_handle = NULL;
	cons_ok = 0;
}
