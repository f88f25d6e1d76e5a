/* SPDX-License-Identifier: MIT */
/*
 * admit: tenant attribution and admission on the io lcore (see admit.c).
 */
#ifndef SLUICE_ADMIT_H
#define SLUICE_ADMIT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "sip_parse.h"

struct dp;
struct io_ctx;

/*
 * Attributes and admits the lazily parsed request in m. true: go on to
 * dispatch (pkt_meta tenant and call_held set); false: m was answered or
 * dropped here and is gone.
 */
bool admit_sip(struct io_ctx *io, struct rte_mbuf *m, const struct sip_msg *msg);

/*
 * Overload: a new INVITE is answered 503 here (with what admission held
 * given back) when its worker has a standing backlog and the share of
 * INVITEs that shed.h spares it says so (admit_503_backlog), when its
 * worker's ring holds more than a quarter of its room (admit_503_load),
 * or when its worker's call table has no more free slots than messages
 * queued for it (admit_503_table). So the calls a congested worker
 * already has keep their messages flowing, the worker spends nothing on
 * calls it could not take, and goodput does not collapse. Counts the
 * tenant's admitted calls, or its rej_load. true: go on; false: m is gone.
 */
bool admit_load(struct io_ctx *io, struct rte_mbuf *m, const struct sip_msg *msg,
		uint16_t worker);

/*
 * Gives back the concurrent call an admitted INVITE held (pkt_meta
 * call_held), for a packet dropped or answered without becoming a call.
 * No-op for any other packet.
 */
void admit_release(const struct dp *dp, struct rte_mbuf *m);

/*
 * Token bucket of burst calls refilled at cps per second, in one word
 * (*bucket == 0: never used, full). true if a call may start at now_ms.
 */
bool admit_bucket_take(uint64_t *bucket, uint32_t cps, uint32_t burst, uint32_t now_ms);

#endif
