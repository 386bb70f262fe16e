/* Locates the cons_tres plugin already loaded by slurmctld (or loads it) and resolves its
 * select_p_* entry points into a slurm_select_ops_t, in the order of node_select_syms[]. */
#ifndef KS_SELECT_FORWARD_H
#define KS_SELECT_FORWARD_H

#include "config.h"
#include "slurm/slurm.h"
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
#include "src/interfaces/select.h" /* plugin interfaces moved out of src/common in 23.02 */
#else
#include "src/common/select.h"
#endif

/* The resolved cons_tres operations, or NULL when cons_tres cannot be found (logged once).
 * Resolution happens on first use: by then select_g_init() has loaded every select plugin. */
const slurm_select_ops_t *ks_cons_tres(void);

/* Drops the reference taken on cons_tres (and calls its fini() when we initialised it). */
void ks_cons_tres_release(void);

#endif
