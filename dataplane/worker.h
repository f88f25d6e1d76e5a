/* SPDX-License-Identifier: MIT */
/*
 * The worker lcore: runs every message of the calls it owns to completion.
 * It polls its rx ring from each io lcore, handles each message, and queues
 * replies on its tx ring back to the io lcore the request came through.
 *
 * It answers OPTIONS outside a dialog (the keepalive of every trunk and
 * phone) with 200 OK, hands REGISTER to the registrar, INVITEs and
 * everything in a call's dialog to the B2BUA (sip/call.h), and polls its
 * ring from the control plane for route decisions and CDR acks; timers run
 * on rte_timer. Other requests outside a dialog get 501. RTP/RTCP reaching
 * a worker has no session yet and is counted and freed.
 */
#ifndef SLUICE_WORKER_H
#define SLUICE_WORKER_H

#include <stdint.h>

#include "dp.h"
#include "idle.h"
#include "sip/txn.h"
#include "sip_parse.h"

struct call_table;

#define WRK_BURST 32

struct wrk_ctx {
	struct dp *dp;
	uint16_t idx;
	uint16_t lcore;
	uint16_t burst;
	uint16_t ip_id;
	uint64_t tsc_per_ms;
	struct stats_lcore *st;
	struct idle idle;

	/* replies batched per io lcore, flushed once per loop */
	uint16_t n_out[CFG_MAX_IO];
	struct rte_mbuf *out[CFG_MAX_IO][WRK_BURST];

	struct call_table *calls;  /* the calls this worker owns */
	struct sip_txn_cfg txn;    /* RFC 3261 timers from the config */

	struct sip_msg msg;  /* parse scratch: the message being handled */
	struct sip_msg amsg; /* parse scratch: a message a call kept */
	/* amsg holds the parse of this call's A INVITE (call_a_msg), which
	 * every response relayed to the caller needs; NULL: something else */
	const struct rte_mbuf *amsg_of;
	uint64_t amsg_ref;

	/* lapsed bindings (reg_sweep): the next sweep, where it goes on */
	uint64_t sweep_tsc;
	uint32_t sweep_gen, sweep_next;
} __rte_cache_aligned;

struct wrk_ctx *wrk_create(struct dp *dp, uint16_t idx, uint16_t lcore);
void wrk_free(struct wrk_ctx *w);
int wrk_lcore_main(void *arg);

/* Queues m for the io lcore in its pkt_meta io; takes m. */
void wrk_send(struct wrk_ctx *w, struct rte_mbuf *m);

/*
 * Answers the request req (parsed into w->msg) statelessly with code and
 * reason; extra: CRLF-ended header lines to add, or NULL.
 */
void wrk_reply(struct wrk_ctx *w, struct rte_mbuf *req, uint16_t code, const char *reason,
	       const char *extra);

#endif
