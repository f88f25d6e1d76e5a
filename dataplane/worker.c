/* SPDX-License-Identifier: MIT */
/*
 * The worker loop (see worker.h): for each message from the io rings,
 * parse it fully and handle it; replies are batched per io lcore and
 * enqueued once per loop.
 */
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "log.h"
#include "pkt.h"
#include "sip/registrar.h"
#include "sip_reply.h"
#include "admit.h"
#include "worker.h"

static const char ALLOW_HDR[] = "Allow: OPTIONS\r\n";

struct wrk_ctx *wrk_create(struct dp *dp, uint16_t idx, uint16_t lcore)
{
	struct wrk_ctx *w;

	w = rte_zmalloc_socket("wrk_ctx", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       (int)rte_lcore_to_socket_id(lcore));
	if (w == NULL)
		return NULL;
	w->dp = dp;
	w->idx = idx;
	w->lcore = lcore;
	w->burst = dp->cfg->workers.burst > WRK_BURST ? WRK_BURST :
						      dp->cfg->workers.burst;
	w->st = &dp->stats[lcore];
	w->ip_id = (uint16_t)(idx << 12);
	w->tsc_per_ms = rte_get_tsc_hz() / 1000 ? rte_get_tsc_hz() / 1000 : 1;
	idle_init(&w->idle, dp->cfg->poll.idle_spin, dp->cfg->poll.idle_max_us);
	return w;
}

void wrk_free(struct wrk_ctx *w)
{
	uint16_t i;

	if (w == NULL)
		return;
	for (i = 0; i < CFG_MAX_IO; i++)
		rte_pktmbuf_free_bulk(w->out[i], w->n_out[i]);
	rte_free(w);
}

static void wrk_flush(struct wrk_ctx *w, uint16_t io)
{
	uint16_t n = w->n_out[io];
	unsigned sent;

	if (n == 0)
		return;
	sent = rte_ring_sp_enqueue_burst(w->dp->tx_ring[w->idx][io],
					 (void **)w->out[io], n, NULL);
	w->st->w_tx += sent;
	if (sent < n) {
		w->st->drop[DROP_TX_RING] += n - sent;
		rte_pktmbuf_free_bulk(&w->out[io][sent], n - sent);
	}
	w->n_out[io] = 0;
}

static void wrk_send(struct wrk_ctx *w, struct rte_mbuf *m)
{
	uint16_t io = pkt_meta(m)->io;

	w->out[io][w->n_out[io]++] = m;
	if (w->n_out[io] == WRK_BURST)
		wrk_flush(w, io);
}

void wrk_reply(struct wrk_ctx *w, struct rte_mbuf *req, uint16_t code, const char *reason,
	       const char *extra)
{
	struct rte_mbuf *m = sip_reply_make(w->dp, &w->ip_id, w->st, pkt_payload(req), &w->msg,
					    pkt_meta(req), code, reason, extra);

	if (m)
		wrk_send(w, m);
}

static void wrk_sip(struct wrk_ctx *w, struct rte_mbuf *m)
{
	struct sip_msg *msg = &w->msg;

	/* The io lcore's parse told us the method; what needs no reply is
	 * counted without parsing again. */
	switch (pkt_meta(m)->sip_method) {
	case SIP_METHOD_NONE:
		w->st->w_responses++;
		return;
	case SIP_METHOD_ACK:
		w->st->w_ack++;
		return;
	}
	/* A reply copies headers: parse fully into the worker's scratch
	 * (the mbuf carries only the method, not the io lcore's result). */
	if (sip_parse(pkt_payload(m), pkt_meta(m)->payload_len, msg) < 0) {
		w->st->drop[DROP_SIP_PARSE]++;
		return;
	}
	if (msg->method == SIP_METHOD_OPTIONS) {
		w->st->w_options++;
		wrk_reply(w, m, 200, "OK", ALLOW_HDR);
	} else if (msg->method == SIP_METHOD_REGISTER) {
		reg_request(w, m);
	} else {
		w->st->w_not_impl++;
		wrk_reply(w, m, 501, "Not Implemented", ALLOW_HDR);
	}

}

static void wrk_burst(struct wrk_ctx *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < n)
			rte_prefetch0(pkt_payload(pkts[i + 1]));
		w->st->w_rx++;
		if (!pkt_udp_ok(m))
			w->st->drop[DROP_UDP_BAD]++;
		else if (pkt_meta(m)->kind == PKT_SIP)
			wrk_sip(w, m);
		else
			w->st->w_rtp++;
		/* No call keeps what admission held for it: every request
		 * is answered statelessly here, or dropped. */
		admit_release(w->dp, m);
		rte_pktmbuf_free(m);
	}
}

int wrk_lcore_main(void *arg)
{
	struct wrk_ctx *w = arg;
	struct dp *dp = w->dp;
	struct rte_mbuf *pkts[WRK_BURST];
	uint16_t io, n;

	SL_LOG(INFO, WRK, "worker %u on lcore %u\n", w->idx, w->lcore);
	rte_rcu_qsbr_thread_register(dp->rcu, w->lcore);
	rte_rcu_qsbr_thread_online(dp->rcu, w->lcore);
	while (!dp->stop) {
		unsigned work = 0;

		for (io = 0; io < dp->n_io; io++) {
			n = rte_ring_sc_dequeue_burst(dp->rx_ring[io][w->idx],
						      (void **)pkts, w->burst,
						      NULL);
			if (n) {
				wrk_burst(w, pkts, n);
				work += n;
			}
		}
		for (io = 0; io < dp->n_io; io++)
			wrk_flush(w, io);
		/* holds no tenant snapshot from here to the next burst */
		rte_rcu_qsbr_quiescent(dp->rcu, w->lcore);
		idle_step(&w->idle, w->st, work);
	}
	rte_rcu_qsbr_thread_offline(dp->rcu, w->lcore);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->lcore);
	return 0;
}
