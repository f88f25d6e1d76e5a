/* SPDX-License-Identifier: MIT */
/*
 * The worker lcore: runs every message of the calls it owns to completion.
 * It polls its rx ring from each io lcore, handles each message, and queues
 * replies on its tx ring back to the io lcore the request came through.
 *
 * This stage of the appliance answers OPTIONS (the keepalive of every trunk
 * and phone) with 200 OK, other requests with 501 Not Implemented (ACK is
 * never answered), and absorbs responses, all statelessly; transactions,
 * dialogs and the B2BUA replace the 501 next. RTP/RTCP reaching a worker has
 * no session yet and is counted and freed.
 */
#ifndef SLUICE_WORKER_H
#define SLUICE_WORKER_H

#include <stdint.h>

#include "dp.h"
#include "idle.h"
#include "sip_parse.h"

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

	struct sip_msg msg; /* parse scratch */
} __rte_cache_aligned;

struct wrk_ctx *wrk_create(struct dp *dp, uint16_t idx, uint16_t lcore);
void wrk_free(struct wrk_ctx *w);
int wrk_lcore_main(void *arg);

/*
 * Answers the request req (parsed into w->msg) statelessly with code and
 * reason; extra: CRLF-ended header lines to add, or NULL.
 */
void wrk_reply(struct wrk_ctx *w, struct rte_mbuf *req, uint16_t code, const char *reason,
	       const char *extra);

#endif
