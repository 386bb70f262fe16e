/* Locates the cons_tres plugin already loaded by slurmctld (or loads it) and resolves its
 * select_p_* entry points into a ks_select_ops_t, in the order of node_select_syms[]. */
#ifndef KS_SELECT_FORWARD_H
#define KS_SELECT_FORWARD_H

#include "select_compat.h"

/* The resolved cons_tres operations, or NULL when cons_tres cannot be found (logged once).
 * Resolution happens on first use: by then slurmctld's select_g_init() has loaded every select
 * plugin; slurmd loads only SelectType, and there we load cons_tres ourselves. */
const ks_select_ops_t *ks_cons_tres(void);

/* Drops the reference taken on cons_tres (and calls its fini() when we initialised it). */
void ks_cons_tres_release(void);

#endif
