/* SPDX-License-Identifier: MIT */
/*
 * The registrar on the workers (see registrar.c).
 */
#ifndef SLUICE_REGISTRAR_H
#define SLUICE_REGISTRAR_H

#include <rte_mbuf.h>

struct wrk_ctx;

/* The expiry settings of RFC 3261 §10.3 come from the config's registrar
 * group (min_expires, max_expires, default_expires). */

/* Handles the REGISTER in m, fully parsed into w->msg; answers it. */
void reg_request(struct wrk_ctx *w, struct rte_mbuf *m);

/*
 * Lapsed bindings leave their AOR and their tenant's count (the limit and
 * the gauge count live bindings only): each call looks at the next
 * REG_SWEEP_CHUNK of this worker's share of the devices (every n-th of
 * the snapshot's), so with the worker calling it every REG_SWEEP_MS, a
 * lapse is seen within devices / (workers x 25,600) seconds.
 */
#define REG_SWEEP_CHUNK 256
#define REG_SWEEP_MS 10
void reg_sweep(struct wrk_ctx *w, uint64_t now_ms);

#endif
