/* Resolution of cons_tres for the forwarding select plugin.
 *
 * slurmctld's select_g_init(0) loads every select_*.so in PluginDir (22.05 to 24.11), so there
 * cons_tres is loaded already: dlopen(RTLD_NOLOAD) returns its handle without running init()
 * again. Where only SelectType is loaded (slurmd's select_g_init(1), and slurmstepd's in some
 * lines) we load it and run its init() ourselves. */
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

static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;
static ks_select_ops_t cons_ops;
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
	const size_t count = sizeof(ks_select_syms) / sizeof(ks_select_syms[0]);
	void **slots = (void **) &cons_ops;

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
		slots[i] = dlsym(cons_handle, ks_select_syms[i]);
		if (!slots[i]) {
			error("select/cons_tres_topo: %s has no symbol %s (Slurm version mismatch?)",
			      cons_tres_file, ks_select_syms[i]);
			return;
		}
	}
	cons_ok = 1;
	verbose("select/cons_tres_topo: forwarding %zu entry points to %s%s", count - 1,
		cons_tres_file, cons_initialised_by_us ? " (loaded by us)" : "");
}

const ks_select_ops_t *ks_cons_tres(void)
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
