/* SPDX-License-Identifier: MIT */
/*
 * The worker loop (see worker.h): for each message from the io rings,
 * parse it fully and handle it; replies are batched per io lcore and
 * enqueued once per loop.
 */
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_timer.h>

#include "log.h"
#include "pkt.h"
#include "cpmsg.h"
#include "sip/call.h"
#include "sip/registrar.h"
#include "sip_reply.h"
#include "admit.h"
#include "worker.h"

static const char ALLOW_HDR[] = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, "
				"INFO, PRACK, NOTIFY, REFER, MESSAGE\r\n";

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
	idle_init(&w->idle, dp->cfg->poll.idle_spin, 1, dp->cfg->poll.idle_max_us);
	sip_txn_cfg_init(&w->txn, dp->cfg->sip.t1_ms, dp->cfg->sip.t2_ms, dp->cfg->sip.t4_ms);
	w->calls = call_table_create(idx, dp->cfg->workers.max_calls,
				     (int)rte_lcore_to_socket_id(lcore), w->st->call);
	if (w->calls == NULL) {
		rte_free(w);
		return NULL;
	}
	return w;
}

void wrk_free(struct wrk_ctx *w)
{
	uint16_t i;

	if (w == NULL)
		return;
	for (i = 0; i < CFG_MAX_IO; i++)
		rte_pktmbuf_free_bulk(w->out[i], w->n_out[i]);
	call_table_free(w->calls);
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

void wrk_send(struct wrk_ctx *w, struct rte_mbuf *m)
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
					    pkt_meta(req), code, reason, extra, NULL);

	if (m)
		wrk_send(w, m);
}

/* A response: to one of our INVITEs on a B leg, or in a call's dialog. */
static void wrk_response(struct wrk_ctx *w, struct rte_mbuf *m)
{
	const struct sip_msg *msg = &w->msg;
	const char *cid = pkt_payload(m) + msg->call_id.off;
	struct call *c = call_by_b(w, cid, msg->call_id.len);

	if (c != NULL) {
		if (msg->cseq == 1 && msg->cseq_method.len == 6 &&
		    memcmp(pkt_payload(m) + msg->cseq_method.off, "INVITE", 6) == 0)
			call_b_invite_response(w, c, m);
		else if (!(msg->cseq_method.len == 6 &&
			   memcmp(pkt_payload(m) + msg->cseq_method.off, "CANCEL", 6) == 0))
			call_dialog_response(w, c, CALL_B, m);
		return;
	}
	c = call_by_a(w, cid, msg->call_id.len);
	if (c != NULL) {
		call_dialog_response(w, c, CALL_A, m);
		return;
	}
	/* a final to one of our INVITEs after its call ended: our ACK was
	 * lost; the leg's transaction would still be in Completed (timer D) */
	if (msg->status >= 300 && msg->cseq_method.len == 6 &&
	    memcmp(pkt_payload(m) + msg->cseq_method.off, "INVITE", 6) == 0 &&
	    call_ack_again(w, pkt_payload(m) + msg->via_branch.off, msg->via_branch.len,
			   rte_rdtsc() / w->tsc_per_ms))
		return;
	call_count(w->calls, CALL_C_STRAY);
	w->st->w_responses++;
}

/* A request inside a dialog (To tag), or an ACK or CANCEL. */
static void wrk_in_dialog(struct wrk_ctx *w, struct rte_mbuf *m)
{
	const struct sip_msg *msg = &w->msg;
	const char *cid = pkt_payload(m) + msg->call_id.off;
	struct call *c = call_by_b(w, cid, msg->call_id.len);
	enum call_side side = CALL_B;

	if (c == NULL) {
		c = call_by_a(w, cid, msg->call_id.len);
		side = CALL_A;
	}
	if (c == NULL) {
		call_count(w->calls, CALL_C_STRAY);
		if (msg->method == SIP_METHOD_ACK)
			w->st->w_ack++;
		else if (msg->method == SIP_METHOD_BYE &&
			 call_linger_has(w, cid, msg->call_id.len, rte_rdtsc() / w->tsc_per_ms))
			wrk_reply(w, m, 200, "OK", NULL); /* again: our 200 was lost */
		else
			wrk_reply(w, m, 481, "Call/Transaction Does Not Exist", NULL);
		rte_pktmbuf_free(m);
		return;
	}
	if (side == CALL_A && msg->method == SIP_METHOD_CANCEL) {
		call_cancel(w, c, m);
		rte_pktmbuf_free(m);
		return;
	}
	if (side == CALL_A && msg->method == SIP_METHOD_ACK && c->phase == CALL_FAILED &&
	    msg->cseq == c->a_cseq) {
		call_a_invite_again(w, c, m);
		rte_pktmbuf_free(m);
		return;
	}
	call_in_dialog(w, c, side, m);
}

/* Handles one SIP message; takes m. */
static void wrk_sip(struct wrk_ctx *w, struct rte_mbuf *m)
{
	struct sip_msg *msg = &w->msg;

	if (sip_parse(pkt_payload(m), pkt_meta(m)->payload_len, msg) < 0) {
		w->st->drop[DROP_SIP_PARSE]++;
		goto done;
	}
	if (msg->method == SIP_METHOD_NONE) {
		wrk_response(w, m);
		goto done;
	}
	if (msg->to_tag.len || msg->method == SIP_METHOD_ACK || msg->method == SIP_METHOD_CANCEL) {
		wrk_in_dialog(w, m);
		return;
	}
	switch (msg->method) {
	case SIP_METHOD_INVITE:
		call_invite(w, m);
		return;
	case SIP_METHOD_OPTIONS:
		w->st->w_options++;
		wrk_reply(w, m, 200, "OK", ALLOW_HDR);
		break;
	case SIP_METHOD_REGISTER:
		reg_request(w, m);
		break;
	default:
		w->st->w_not_impl++;
		wrk_reply(w, m, 501, "Not Implemented", ALLOW_HDR);
		break;
	}
done:
	/* a request answered here is no call: what admission held goes back */
	admit_release(w->dp, m);
	rte_pktmbuf_free(m);
}

/*
 * Asks for every line of m's datagram (the first 1.5 KiB of it), written
 * on the io lcore's core: the UDP checksum check reads it all first, and
 * took 380-470 cycles a message waiting for it line by line (rdtsc in the
 * worker under bench/callgen), 175 with the lines asked for one message
 * ahead.
 */
static void wrk_prefetch_datagram(const struct rte_mbuf *m)
{
	const char *p = rte_pktmbuf_mtod(m, const char *);
	uint32_t len = RTE_MIN(m->data_len, 24u * RTE_CACHE_LINE_SIZE);

	for (uint32_t o = 0; o < len; o += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(p + o);
}

static void wrk_burst(struct wrk_ctx *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	/* The io lcore wrote these mbufs on another core: both lines of
	 * each (data_off, then pkt_meta in the dynfield) are misses that the
	 * payload's address depends on, so ask for all of them at once. */
	for (i = 0; i < n; i++) {
		rte_prefetch0(pkts[i]);
		rte_prefetch0(pkt_meta(pkts[i]));
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < n)
			wrk_prefetch_datagram(pkts[i + 1]);
		w->st->w_rx++;
		if (!pkt_udp_ok(m)) {
			w->st->drop[DROP_UDP_BAD]++;
		} else if (pkt_meta(m)->kind == PKT_SIP) {
			wrk_sip(w, m);
			continue;
		} else {
			w->st->w_rtp++;
		}
		admit_release(w->dp, m);
		rte_pktmbuf_free(m);
	}
}

/* Route decisions and CDR acks from the control plane. */
static unsigned wrk_cp(struct wrk_ctx *w)
{
	struct cpmsg *msgs[WRK_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(w->dp->cp_down[w->idx], (void **)msgs, WRK_BURST,
					       NULL);

	for (unsigned i = 0; i < n; i++)
		rte_prefetch0(msgs[i]); /* written by the control plane's core */
	for (unsigned i = 0; i < n; i++) {
		struct cpmsg *m = msgs[i];
		struct call *c;

		switch (m->type) {
		case CPMSG_ROUTE_DEC:
			call_decision(w, m);
			continue;
		case CPMSG_CDR_ACK:
			c = call_by_ref(w, m->call_ref);
			if (c != NULL)
				call_cdr_acked(w, c);
			break;
		default:
			break;
		}
		rte_mempool_put(w->dp->cp_pool, m);
	}
	return n;
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
	idle_open(&w->idle);
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
		work += wrk_cp(w);
		rte_timer_manage();
		if (w->idle.last_tsc >= w->sweep_tsc) {
			w->sweep_tsc = w->idle.last_tsc + w->tsc_per_ms * REG_SWEEP_MS;
			reg_sweep(w, w->idle.last_tsc / w->tsc_per_ms);
		}
		for (io = 0; io < dp->n_io; io++)
			wrk_flush(w, io);
		/* holds no tenant snapshot from here to the next burst */
		rte_rcu_qsbr_quiescent(dp->rcu, w->lcore);
		idle_step(&w->idle, w->st, work);
	}
	idle_close(&w->idle);
	rte_rcu_qsbr_thread_offline(dp->rcu, w->lcore);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->lcore);
	return 0;
}
