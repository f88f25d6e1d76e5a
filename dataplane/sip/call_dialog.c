/* SPDX-License-Identifier: MIT */
/*
 * An answered call (see call.h): the caller's ACK, then whatever either
 * side sends in its dialog, relayed to the other side in that side's own
 * dialog (Call-ID, tags, CSeq of its own), and the end of the call.
 *
 *   ACK of the 2xx        → ACK to the leg that answered; the call is UP
 *   re-INVITE, UPDATE,    → the same request to the other side; its
 *   INFO, OPTIONS, …        responses come back to the sender, the ACK
 *                           of a relayed re-INVITE's 2xx follows it
 *   BYE                   → BYE to the other side; the CDR to the control
 *                           plane; the BYE is answered 200 once the CDR is
 *                           on disk (or after CALL_CDR_WAIT_MS), so a CDR
 *                           of a call whose BYE was answered survives a
 *                           crash right after
 *
 * One request per direction is relayed at a time (rel[side]); another one
 * from the same side meanwhile gets 491 (INVITE) or 500 with Retry-After
 * (RFC 3261 §14.2). A request that repeats the one in flight (same CSeq)
 * is a retransmission: absorbed, or answered again with the final response
 * already sent.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "dp.h"
#include "pkt.h"
#include "sbuf.h"
#include "sip/call.h"
#include "sip_reply.h"
#include "tenant.h"
#include "worker.h"

static enum call_side dlg_other(enum call_side s)
{
	return s == CALL_A ? CALL_B : CALL_A;
}

static uint32_t dlg_next_cseq(struct call *c, enum call_side to)
{
	return to == CALL_A ? c->a_next_cseq++ : c->b_next_cseq++;
}

/* An ENDING call ends when its BYE is answered and the other side's is done. */
static void dlg_maybe_end(struct wrk_ctx *w, struct call *c)
{
	if (c->phase == CALL_ENDING && c->bye_ok == NULL && !c->rel[c->bye_from].busy)
		call_free(w, c);
}

static void dlg_answer_bye(struct wrk_ctx *w, struct call *c)
{
	if (c->bye_ok == NULL)
		return;
	wrk_send(w, c->bye_ok);
	c->bye_ok = NULL;
}

static void dlg_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void call_cdr_send(struct wrk_ctx *w, struct call *c)
{
	const struct tenant_snap *s = __atomic_load_n(&w->dp->snap, __ATOMIC_ACQUIRE);
	int ti = s && c->tstate ? tenant_of_state(s, c->tstate - 1u) : -1;
	struct cpmsg *m;
	struct cdr *r;

	if (c->cdr_state)
		return;
	c->cdr_state = 1;
	m = call_msg_get(w, c, CPMSG_CDR, sizeof(m->u.cdr));
	if (m == NULL) {
		call_count(w->calls, CALL_C_CDR_LOST);
		return;
	}
	r = &m->u.cdr;
	r->call_ref = c->ref;
	r->start_us = c->start_us;
	r->ring_us = c->ring_us;
	r->answer_us = c->answer_us;
	r->end_us = c->end_us ? c->end_us : call_unix_us();
	if (c->ring_us)
		r->ring_ms = (uint32_t)(((c->answer_us ? c->answer_us : r->end_us) - c->ring_us) /
					1000);
	r->sip_code = c->final_code;
	r->disposition = c->disposition;
	r->worker = (uint8_t)w->idx;
	if (ti >= 0)
		dlg_copy(r->tenant, sizeof(r->tenant), s->t[ti].cfg->id, strlen(s->t[ti].cfg->id));
	else
		dlg_copy(r->tenant, sizeof(r->tenant), w->dp->tenant_states[c->tstate - 1].id,
			 strlen(w->dp->tenant_states[c->tstate - 1].id));
	dlg_copy(r->caller, sizeof(r->caller), call_s(c, c->caller), c->caller.len);
	dlg_copy(r->callee, sizeof(r->callee), call_s(c, c->callee), c->callee.len);
	dlg_copy(r->call_id, sizeof(r->call_id), call_s(c, c->a_call_id), c->a_call_id.len);
	dlg_copy(r->targets, sizeof(r->targets), c->tried, strnlen(c->tried, sizeof(c->tried)));
	if (rte_ring_sp_enqueue(w->dp->cp_up[w->idx], m) < 0) {
		rte_mempool_put(w->dp->cp_pool, m);
		call_count(w->calls, CALL_C_CDR_LOST);
		return;
	}
	call_count(w->calls, CALL_C_CDR_SENT);
}

void call_cdr_acked(struct wrk_ctx *w, struct call *c)
{
	c->cdr_state = 2;
	if (c->phase != CALL_ENDING)
		return;
	dlg_answer_bye(w, c);
	dlg_maybe_end(w, c);
}

/* Ends an answered call from side `from` (its BYE in bye, or NULL: we end it). */
static void dlg_end(struct wrk_ctx *w, struct call *c, enum call_side from, struct rte_mbuf *bye)
{
	enum call_side to = dlg_other(from);
	struct call_relay *r = &c->rel[from];
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;

	/* a request of that side still in flight is abandoned */
	rte_pktmbuf_free(r->req);
	rte_pktmbuf_free(r->out);
	rte_pktmbuf_free(r->resp);
	memset(r, 0, sizeof(*r));
	r->method = SIP_METHOD_BYE;
	r->out_cseq = dlg_next_cseq(c, to);
	r->out = call_out_request(w, c, to, SIP_METHOD_BYE, r->out_cseq, NULL, NULL);
	if (r->out) {
		sip_txn_start_client(&r->txn, SIP_TXN_NICT, &w->txn, false, now);
		r->busy = 1;
	}
	c->bye_from = (uint8_t)from;
	if (bye != NULL) {
		/* its 200, made now while the BYE is parsed in w->msg, waits for
		 * the CDR; without one (no mbuf) the BYE's retransmission gets
		 * it from the ended-call FIFO */
		c->bye_ok = sip_reply_make(w->dp, &w->ip_id, w->st, pkt_payload(bye), &w->msg,
					   pkt_meta(bye), 200, "OK", NULL, NULL);
		rte_pktmbuf_free(bye);
	}
	c->phase = CALL_ENDING;
	c->resend_at = SIP_TXN_NEVER;
	c->end_us = call_unix_us();
	c->give_up = now + CALL_CDR_WAIT_MS;
	call_count(w->calls, CALL_C_ENDED);
	call_cdr_send(w, c); /* which also ends the live call at the control plane */
	dlg_maybe_end(w, c);
}

void call_hangup(struct wrk_ctx *w, struct call *c)
{
	dlg_end(w, c, CALL_A, NULL);
}

/* ACK from A for the 2xx: the call is up. */
static void dlg_up(struct wrk_ctx *w, struct call *c)
{
	struct call_leg *l = &c->leg[c->winner];

	/* freed below, after the ACK is built: their headers were last
	 * touched when the call was answered, long out of the cache now */
	rte_prefetch0(c->a_inv);
	rte_prefetch0(c->a_resp);
	c->phase = CALL_UP;
	c->a_acked = 1;
	c->resend_at = SIP_TXN_NEVER;
	c->give_up = SIP_TXN_NEVER;
	memset(&c->ist, 0, sizeof(c->ist)); /* the 2xx needs it no more (Accepted ends) */
	call_out_ack(w, c, l, (uint8_t)c->winner, true);
	rte_pktmbuf_free(c->a_inv);
	rte_pktmbuf_free(c->a_resp);
	c->a_inv = c->a_resp = NULL;
}

static void dlg_ack(struct wrk_ctx *w, struct call *c, enum call_side from, struct rte_mbuf *m)
{
	const struct sip_msg *msg = &w->msg;
	struct call_relay *r = &c->rel[from];

	if (from == CALL_A && c->phase == CALL_ANSWERED && msg->cseq == c->a_cseq) {
		dlg_up(w, c);
		return;
	}
	if (r->ack_wait && msg->cseq == r->in_cseq) {
		struct rte_mbuf *ack;

		r->ack_wait = 0;
		ack = call_out_request(w, c, dlg_other(from), SIP_METHOD_ACK, r->out_cseq,
				       pkt_payload(m), msg);
		rte_pktmbuf_free(ack);
	}
}

static void dlg_relay(struct wrk_ctx *w, struct call *c, enum call_side from, struct rte_mbuf *m)
{
	const struct sip_msg *msg = &w->msg;
	struct call_relay *r = &c->rel[from];
	enum call_side to = dlg_other(from);
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;

	if (r->req && msg->cseq == r->in_cseq && msg->method == r->method) {
		call_count(w->calls, CALL_C_RETRANS_IN);
		call_out_again(w, r->resp); /* none yet: absorbed */
		rte_pktmbuf_free(m);
		return;
	}
	if (r->busy) {
		if (msg->method == SIP_METHOD_INVITE)
			wrk_reply(w, m, 491, "Request Pending", NULL);
		else
			wrk_reply(w, m, 500, "Server Internal Error", "Retry-After: 1\r\n");
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_free(r->req);
	rte_pktmbuf_free(r->out);
	rte_pktmbuf_free(r->resp);
	memset(r, 0, sizeof(*r));
	r->method = msg->method;
	r->in_cseq = msg->cseq;
	r->out_cseq = dlg_next_cseq(c, to);
	r->out = call_out_request(w, c, to, msg->method, r->out_cseq, pkt_payload(m), msg);
	if (r->out == NULL) {
		wrk_reply(w, m, 500, "Server Internal Error", NULL);
		rte_pktmbuf_free(m);
		return;
	}
	r->req = m;
	r->busy = 1;
	sip_txn_start_client(&r->txn, msg->method == SIP_METHOD_INVITE ? SIP_TXN_ICT : SIP_TXN_NICT,
			     &w->txn, false, now);
	call_count(w->calls, CALL_C_RELAYED);
	call_arm(w, c);
}

void call_in_dialog(struct wrk_ctx *w, struct call *c, enum call_side from, struct rte_mbuf *m)
{
	const struct sip_msg *msg = &w->msg;

	switch (msg->method) {
	case SIP_METHOD_ACK:
		dlg_ack(w, c, from, m);
		break;
	case SIP_METHOD_BYE:
		if (c->phase == CALL_ANSWERED || c->phase == CALL_UP) {
			dlg_end(w, c, from, m);
			if (c->phase != CALL_FREE)
				call_arm(w, c);
			return; /* m answered (or its answer kept) and freed */
		}
		if (c->phase == CALL_ENDING) {
			/* a retransmission, or both sides hung up at once */
			if (!(from == c->bye_from && c->bye_ok != NULL))
				wrk_reply(w, m, 200, "OK", NULL);
			break;
		}
		wrk_reply(w, m, 481, "Call/Transaction Does Not Exist", NULL);
		break;
	case SIP_METHOD_CANCEL:
		wrk_reply(w, m, 200, "OK", NULL);
		break;
	default:
		if (c->phase == CALL_UP || (c->phase == CALL_ANSWERED && from == CALL_B) ||
		    (c->phase == CALL_ANSWERED && msg->method != SIP_METHOD_INVITE) ||
		    (c->phase == CALL_TRYING && c->early >= 0 &&
		     (msg->method == SIP_METHOD_PRACK || msg->method == SIP_METHOD_UPDATE ||
		      msg->method == SIP_METHOD_INFO))) {
			/* in an early dialog only what RFC 3262/3311/6086 allow there */
			dlg_relay(w, c, from, m);
			return;
		}
		wrk_reply(w, m, 481, "Call/Transaction Does Not Exist", NULL);
		break;
	}
	rte_pktmbuf_free(m);
}

void call_dialog_response(struct wrk_ctx *w, struct call *c, enum call_side from,
			  struct rte_mbuf *m)
{
	const struct sip_msg *msg = &w->msg;
	const char *buf = pkt_payload(m);
	struct call_relay *r = &c->rel[dlg_other(from)];
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;
	unsigned acts;

	if (!r->busy && !r->ack_wait) {
		/* a 2xx of a relayed re-INVITE again: its ACK went already */
		return;
	}
	if (msg->cseq != r->out_cseq)
		return;
	if (msg->status >= 200)
		rte_prefetch0(r->out); /* freed below, after the relay is built */
	acts = sip_txn_on_response(&r->txn, msg->status, now);
	if (acts & SIP_TXN_ACT_SEND_ACK) {
		struct rte_mbuf *ack = call_out_request(w, c, from, SIP_METHOD_ACK, r->out_cseq,
							NULL, NULL);

		rte_pktmbuf_free(ack);
	}
	if (!(acts & SIP_TXN_ACT_PASS_UP) || msg->status == 100)
		goto out;
	if (r->req) {
		char reason[64];
		const char *rs = call_reason(buf, msg, reason, sizeof(reason), "OK");

		const struct sip_msg *rq = call_kept_msg(w, r->req);

		if (rq) {
			struct rte_mbuf *resp = call_out_reply(w, r->req, rq, msg->status,
							       rs, buf, msg,
							       msg->status >= 200);

			if (msg->status >= 200) {
				rte_pktmbuf_free(r->resp);
				r->resp = resp;
			}
		}
	}
	if (msg->status >= 200) {
		r->busy = 0;
		rte_pktmbuf_free(r->out);
		r->out = NULL;
		if (r->method == SIP_METHOD_INVITE && msg->status < 300)
			r->ack_wait = 1;
		if (r->method == SIP_METHOD_BYE)
			dlg_maybe_end(w, c);
	}
out:
	if (c->phase != CALL_FREE)
		call_arm(w, c);
}

void call_dialog_timers(struct wrk_ctx *w, struct call *c, uint64_t now)
{
	if (c->phase == CALL_ANSWERED && c->resend_at <= now) {
		call_count(w->calls, CALL_C_RETRANS_OUT);
		call_out_again(w, c->a_resp);
		c->resend_ivl = c->resend_ivl * 2 < w->txn.t2 ? c->resend_ivl * 2 : w->txn.t2;
		c->resend_at = now + c->resend_ivl;
	}
	if (c->give_up <= now) {
		c->give_up = SIP_TXN_NEVER;
		if (c->phase == CALL_ANSWERED) {
			/* no ACK for the 2xx within 64*T1: end the call (§13.3.1.4) */
			c->resend_at = SIP_TXN_NEVER;
			dlg_end(w, c, CALL_A, NULL);
			if (c->phase == CALL_FREE)
				return;
		} else if (c->phase == CALL_ENDING && c->bye_ok) {
			call_count(w->calls, CALL_C_CDR_ACK_LATE);
			dlg_answer_bye(w, c);
			dlg_maybe_end(w, c);
			if (c->phase == CALL_FREE)
				return;
		}
	}
	for (unsigned i = 0; i < 2; i++) {
		struct call_relay *r = &c->rel[i];
		unsigned acts;

		if (r->txn.state == SIP_TXN_STATE_TERMINATED || sip_txn_deadline(&r->txn) > now)
			continue;
		acts = sip_txn_on_timer(&r->txn, now);
		if (acts & SIP_TXN_ACT_SEND_REQUEST) {
			call_count(w->calls, CALL_C_RETRANS_OUT);
			call_out_again(w, r->out);
		}
		if ((acts & SIP_TXN_ACT_TIMEOUT) && r->busy) {
			const struct sip_msg *rq = r->req ? call_kept_msg(w, r->req) : NULL;

			r->busy = 0;
			if (rq)
				r->resp = call_out_reply(w, r->req, rq, 408, "Request Timeout",
							 NULL, NULL, true);
			if (r->method == SIP_METHOD_BYE) {
				dlg_maybe_end(w, c);
				if (c->phase == CALL_FREE)
					return;
			}
		}
	}
}
