/* SPDX-License-Identifier: MIT */
/*
 * The calling side of sluice-callgen: makes calls at the asked rate (or as
 * fast as the window of calls in progress allows), each one
 *
 *   INVITE (SDP offer) → [1xx] → 2xx → ACK → hold → BYE → 2xx
 *
 * to the target (sluice). A call lives in a slot of a fixed array; the slot
 * number, its generation and the run's id are the Call-ID and the From
 * tag ("cg-RRRRRRRR-SSSSSSSS-GGGGGGGG@ip"), so a response finds its call
 * by reading fixed positions of its Call-ID: no lookup, and a response for
 * an ended call (older generation) is told apart from the current one.
 *
 * The INVITE and the BYE are retransmitted from the mbuf they were sent in
 * (one extra reference held until the transaction's final response): the
 * INVITE at T1, 2T1, 4T1... until a provisional response, the BYE at T1
 * doubling up to T2. The INVITE phase ends at call_timeout and the BYE's
 * at 64*T1; past those the call counts as failed by timeout. A 2xx that
 * comes again is ACKed again; a non-2xx final is ACKed (RFC 3261 §17.1.1.3)
 * even when it comes for a call that has ended.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "cg.h"
#include "sipmsg.h"

enum uac_state {
	UAC_FREE = 0,
	UAC_CALLING,     /* INVITE sent, nothing heard */
	UAC_PROCEEDING,  /* a 1xx came: no more INVITE retransmissions */
	UAC_HOLD,        /* 2xx ACKed, waiting hold_ms before the BYE */
	UAC_BYE,         /* BYE sent */
};

struct uac_call {
	struct rte_mbuf *req;    /* INVITE or BYE, held for retransmission */
	uint32_t gen;
	uint32_t t_invite;       /* ms */
	uint32_t deadline;       /* ms: end of the current phase */
	uint32_t rto;            /* ms: next retransmission interval */
	uint8_t state;
	uint8_t tag_len;         /* far end's To tag */
	uint8_t uri_len;         /* far end's Contact URI (0: the target's) */
	char tag[CG_TAG_MAX];
	char uri[CG_URI_MAX];
};

struct uac {
	struct uac_call *calls;
	uint32_t n;
	struct cg_slots free_slots; /* oldest first */
	uint32_t active;
	uint64_t started;
	uint64_t start_tsc;      /* first call: the rate's time origin */
	struct cg_wheel wheel;
	char ip[16], tgt[16];
};

#define UAC_ID_FMT "%08x%08x%08x"
#define UAC_CID_PREFIX "cg-"
/* "cg-" run "-" slot "-" gen */
#define UAC_CID_LEN (3 + 8 + 1 + 8 + 1 + 8)

static void uac_fire(struct cg *cg, uint32_t slot);

struct uac *uac_create(struct cg *cg)
{
	struct uac *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return NULL;
	u->n = cg->o->window;
	u->calls = calloc(u->n, sizeof(*u->calls));
	if (u->calls == NULL || cg_slots_init(&u->free_slots, u->n) < 0 ||
	    wheel_init(&u->wheel, u->n, uac_fire) < 0) {
		uac_free(u);
		return NULL;
	}
	sipmsg_ip(cg->o->uac_ip, u->ip);
	sipmsg_ip(cg->o->target_ip, u->tgt);
	return u;
}

void uac_free(struct uac *u)
{
	uint32_t i;

	if (u == NULL)
		return;
	if (u->calls)
		for (i = 0; i < u->n; i++)
			rte_pktmbuf_free(u->calls[i].req);
	wheel_free(&u->wheel);
	free(u->calls);
	cg_slots_free(&u->free_slots);
	free(u);
}

/* ---- messages ---- */

/* Common headers of the UAC's requests in a call: From, Call-ID. */
static void uac_hdr_from_cid(struct sb *b, const struct cg *cg,
			     const struct uac *u, uint32_t slot, uint32_t gen)
{
	sb_add(b, "From: <sip:%s@%s>;tag=" UAC_ID_FMT "\r\n"
		  "Call-ID: " UAC_CID_PREFIX "%08x-%08x-%08x@%s\r\n",
	       cg->o->caller, u->ip, cg->run_id, slot, gen,
	       cg->run_id, slot, gen, u->ip);
}

static void uac_ruri(struct sb *b, const struct cg *cg, const struct uac *u,
		     const struct uac_call *c)
{
	if (c && c->uri_len)
		sb_mem(b, c->uri, c->uri_len);
	else
		sb_add(b, "sip:%s@%s:%u", cg->o->callee, u->tgt, cg->o->target_port);
}

static void uac_send(struct cg *cg, struct rte_mbuf *m, uint32_t len)
{
	net_send(cg, m, (uint16_t)len, cg->o->uac_ip, cg->o->uac_port,
		 cg->o->target_ip, cg->o->target_port, &cg->peer_mac);
}

/* Builds and sends a request of call slot; keeps a reference if hold. */
static struct rte_mbuf *uac_request_send(struct cg *cg, struct uac *u,
					 uint32_t slot, enum sip_method method,
					 bool hold)
{
	struct uac_call *c = &u->calls[slot];
	struct rte_mbuf *m = net_alloc(cg);
	char sdp[512];
	uint32_t sdp_len = 0;
	unsigned cseq = method == SIP_METHOD_BYE ? 2 : 1;
	char kind = method == SIP_METHOD_INVITE ? 'i' :
		    method == SIP_METHOD_ACK ? 'a' : 'b';
	struct sb b;

	if (m == NULL)
		return NULL;
	sb_init(&b, net_payload(m), net_payload_room(m));
	sb_add(&b, "%s ", sip_method_str(method));
	uac_ruri(&b, cg, u, method == SIP_METHOD_INVITE ? NULL : c);
	sb_add(&b, " SIP/2.0\r\n"
		   "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK" UAC_ID_FMT "%c;rport\r\n"
		   "Max-Forwards: 70\r\n",
	       u->ip, cg->o->uac_port, cg->run_id, slot, c->gen, kind);
	uac_hdr_from_cid(&b, cg, u, slot, c->gen);
	sb_add(&b, "To: <sip:%s@%s>", cg->o->callee, u->tgt);
	if (method != SIP_METHOD_INVITE)
		sb_add(&b, ";tag=%.*s", c->tag_len, c->tag);
	sb_add(&b, "\r\nCSeq: %u %s\r\n", cseq, sip_method_str(method));
	if (method == SIP_METHOD_INVITE) {
		sdp_len = sipmsg_sdp(sdp, sizeof(sdp), cg->o->uac_ip,
				     (uint16_t)(10000 + 2 * (slot % 20000)),
				     c->gen, false);
		sb_add(&b, "Contact: <sip:%s@%s:%u>\r\n"
			   "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
			   "User-Agent: sluice-callgen\r\n"
			   "Content-Type: application/sdp\r\n",
		       cg->o->caller, u->ip, cg->o->uac_port);
	}
	sb_add(&b, "Content-Length: %u\r\n\r\n", sdp_len);
	sb_mem(&b, sdp, sdp_len);
	if (b.over) {
		cg->net_st.too_big++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (hold)
		rte_mbuf_refcnt_update(m, 1);
	uac_send(cg, m, b.len);
	return hold ? m : NULL;
}

/*
 * ACK for a non-2xx final response, built from the response (RFC 3261
 * §17.1.1.3): the INVITE's Request-URI and top Via (the response carries
 * it), its From and Call-ID, the response's To (with the tag).
 */
static void uac_ack_final(struct cg *cg, struct uac *u, const struct cg_rx *rx)
{
	const struct sip_hdr *via = sip_hdr_find(&rx->sip, SIP_HDR_VIA);
	struct rte_mbuf *m;
	struct sb b;

	if (via == NULL || (m = net_alloc(cg)) == NULL)
		return;
	sb_init(&b, net_payload(m), net_payload_room(m));
	sb_add(&b, "ACK ");
	uac_ruri(&b, cg, u, NULL);
	sb_add(&b, " SIP/2.0\r\n");
	sb_slice(&b, rx->buf, via->line);
	sb_add(&b, "Max-Forwards: 70\r\nFrom: ");
	sb_slice(&b, rx->buf, rx->sip.from);
	sb_add(&b, "\r\nTo: ");
	sb_slice(&b, rx->buf, rx->sip.to);
	sb_add(&b, "\r\nCall-ID: ");
	sb_slice(&b, rx->buf, rx->sip.call_id);
	sb_add(&b, "\r\nCSeq: %u ACK\r\nContent-Length: 0\r\n\r\n", rx->sip.cseq);
	if (b.over) {
		cg->net_st.too_big++;
		rte_pktmbuf_free(m);
		return;
	}
	uac_send(cg, m, b.len);
}

/* ---- calls ---- */

static void uac_release(struct cg *cg, struct uac *u, uint32_t slot)
{
	struct uac_call *c = &u->calls[slot];

	wheel_cancel(&u->wheel, slot);
	rte_pktmbuf_free(c->req);
	c->req = NULL;
	c->state = UAC_FREE;
	c->gen++;                /* responses for this call are stale now */
	cg_slots_put(&u->free_slots, slot);
	u->active--;
	if (u->active == 0 && u->started >= cg->o->total)
		cg->run_end_tsc = rte_rdtsc();
}

static void uac_fail(struct cg *cg, struct uac *u, uint32_t slot, uint64_t *reason)
{
	(*reason)++;
	cg->uac_st.failed++;
	uac_release(cg, u, slot);
}

static void uac_bye(struct cg *cg, struct uac *u, uint32_t slot)
{
	struct uac_call *c = &u->calls[slot];

	c->state = UAC_BYE;
	c->req = uac_request_send(cg, u, slot, SIP_METHOD_BYE, true);
	c->rto = cg->o->t1_ms;
	c->deadline = cg->now_ms + 64 * cg->o->t1_ms;
	wheel_arm(&u->wheel, slot, cg->now_ms + c->rto);
}

static void uac_call_start(struct cg *cg, struct uac *u)
{
	uint32_t slot = cg_slots_take(&u->free_slots);
	struct uac_call *c = &u->calls[slot];

	u->active++;
	u->started++;
	cg->uac_st.attempted++;
	c->state = UAC_CALLING;
	c->tag_len = c->uri_len = 0;
	c->t_invite = cg->now_ms;
	c->rto = cg->o->t1_ms;
	c->deadline = cg->now_ms + cg->o->call_timeout_ms;
	c->req = uac_request_send(cg, u, slot, SIP_METHOD_INVITE, true);
	wheel_arm(&u->wheel, slot, cg->now_ms + c->rto);
}

unsigned uac_start_calls(struct cg *cg)
{
	struct uac *u = cg->uac;
	uint64_t due, n, i;

	if (u == NULL || u->started >= cg->o->total)
		return 0;
	if (cg->n_tx > 0)
		return 0;   /* the port is behind: let it drain first */
	if (u->start_tsc == 0) {
		u->start_tsc = rte_rdtsc();
		cg->run_start_tsc = u->start_tsc;
	}
	if (cg->o->rate) {
		due = (uint64_t)((double)(rte_rdtsc() - u->start_tsc) *
				 cg->o->rate / (double)cg->hz) + 1;
		if (due > cg->o->total)
			due = cg->o->total;
		n = due > u->started ? due - u->started : 0;
	} else {
		n = cg->o->total - u->started;
	}
	if (n > CG_BURST * 4)
		n = CG_BURST * 4;  /* the rest next loop: rx keeps its turn */
	if (n > u->free_slots.len) {
		if (cg->o->rate)
			cg->uac_st.window_full++;
		n = u->free_slots.len;
	}
	for (i = 0; i < n; i++)
		uac_call_start(cg, u);
	if (n && u->started >= cg->o->total)
		cg->offer_end_tsc = rte_rdtsc();
	return (unsigned)n;
}

/* The slot a Call-ID of ours names, if its generation is current. */
static bool uac_match(struct cg *cg, const struct cg_rx *rx, uint32_t *slot)
{
	const char *p = rx->buf + rx->sip.call_id.off;
	uint32_t run, s, gen;

	if (rx->sip.call_id.len < UAC_CID_LEN ||
	    memcmp(p, UAC_CID_PREFIX, 3) != 0 ||
	    !sipmsg_hex(p + 3, 8, &run) || run != cg->run_id ||
	    !sipmsg_hex(p + 12, 8, &s) || s >= cg->uac->n ||
	    !sipmsg_hex(p + 21, 8, &gen))
		return false;
	if (gen != cg->uac->calls[s].gen || cg->uac->calls[s].state == UAC_FREE) {
		cg->uac_st.stale++;
		return false;
	}
	*slot = s;
	return true;
}

static void uac_answered(struct cg *cg, struct uac *u, uint32_t slot,
			 const struct cg_rx *rx)
{
	struct uac_call *c = &u->calls[slot];
	const struct sip_hdr *ct = sip_hdr_find(&rx->sip, SIP_HDR_CONTACT);
	struct sip_slice uri;
	uint32_t setup = cg->now_ms - c->t_invite;

	if (rx->sip.to_tag.len == 0 || rx->sip.to_tag.len > CG_TAG_MAX) {
		cg->net_st.sip_perr++;  /* a 2xx must carry a usable To tag */
		return;
	}
	rte_pktmbuf_free(c->req);
	c->req = NULL;
	c->tag_len = (uint8_t)rx->sip.to_tag.len;
	memcpy(c->tag, rx->buf + rx->sip.to_tag.off, c->tag_len);
	if (ct && sipmsg_addr_uri(rx->buf, ct->value, &uri) && uri.len <= CG_URI_MAX) {
		c->uri_len = (uint8_t)uri.len;
		memcpy(c->uri, rx->buf + uri.off, uri.len);
	}
	cg->uac_st.established++;
	cg->uac_st.setup_ms_sum += setup;
	if (setup > cg->uac_st.setup_ms_max)
		cg->uac_st.setup_ms_max = setup;
	uac_request_send(cg, u, slot, SIP_METHOD_ACK, false);
	if (cg->o->hold_ms == 0) {
		wheel_cancel(&u->wheel, slot);
		uac_bye(cg, u, slot);
	} else {
		c->state = UAC_HOLD;
		wheel_arm(&u->wheel, slot, cg->now_ms + cg->o->hold_ms);
	}
}

static void uac_invite_response(struct cg *cg, struct uac *u, uint32_t slot,
				const struct cg_rx *rx)
{
	struct uac_call *c = &u->calls[slot];
	unsigned code = rx->sip.status;

	if (code < 200) {
		if (code == 100)
			cg->uac_st.rx_100++;
		else if (code == 180 || code == 183)
			cg->uac_st.rx_18x++;
		else
			cg->uac_st.rx_1xx_other++;
		if (c->state == UAC_CALLING) {
			c->state = UAC_PROCEEDING;  /* stop retransmitting */
			rte_pktmbuf_free(c->req);
			c->req = NULL;
			wheel_arm(&u->wheel, slot, c->deadline);
		}
		return;
	}
	if (code < 300) {
		if (c->state == UAC_CALLING || c->state == UAC_PROCEEDING) {
			uac_answered(cg, u, slot, rx);
		} else if (c->state != UAC_FREE) {
			cg->uac_st.rx_2xx_retrans++;   /* our ACK was lost */
			uac_request_send(cg, u, slot, SIP_METHOD_ACK, false);
		}
		return;
	}
	if (c->state != UAC_CALLING && c->state != UAC_PROCEEDING)
		return;
	cg->inv_codes[code - 300]++;
	uac_ack_final(cg, u, rx);
	if (code == 503)
		uac_fail(cg, u, slot, &cg->uac_st.fail_503);
	else if (code >= 600)
		uac_fail(cg, u, slot, &cg->uac_st.fail_6xx);
	else if (code >= 500)
		uac_fail(cg, u, slot, &cg->uac_st.fail_5xx);
	else if (code >= 400)
		uac_fail(cg, u, slot, &cg->uac_st.fail_4xx);
	else
		uac_fail(cg, u, slot, &cg->uac_st.fail_3xx);
}

void uac_response(struct cg *cg, struct cg_rx *rx)
{
	struct uac *u = cg->uac;
	uint32_t slot;

	if (!uac_match(cg, rx, &slot)) {
		/* A final non-2xx we ACKed already came again: ACK again. */
		if (rx->sip.status >= 300 &&
		    sipmsg_eq(rx->buf, rx->sip.cseq_method, "INVITE"))
			uac_ack_final(cg, u, rx);
		return;
	}
	if (sipmsg_eq(rx->buf, rx->sip.cseq_method, "INVITE")) {
		uac_invite_response(cg, u, slot, rx);
	} else if (sipmsg_eq(rx->buf, rx->sip.cseq_method, "BYE")) {
		if (rx->sip.status < 200 || u->calls[slot].state != UAC_BYE)
			return;
		if (rx->sip.status < 300) {
			cg->uac_st.completed++;
			uac_release(cg, u, slot);
		} else {
			cg->bye_codes[rx->sip.status - 300]++;
			uac_fail(cg, u, slot, &cg->uac_st.fail_bye_status);
		}
	}
}

/* Requests to the caller: a BYE from the far end, OPTIONS, anything else. */
void uac_request(struct cg *cg, struct cg_rx *rx)
{
	struct uac *u = cg->uac;
	struct rte_mbuf *m;
	unsigned code = 200;
	const char *reason = "OK";
	uint32_t slot;
	struct sb b;

	switch (rx->sip.method) {
	case SIP_METHOD_ACK:
		return;
	case SIP_METHOD_BYE:
		if (uac_match(cg, rx, &slot) && u->calls[slot].state != UAC_BYE)
			uac_fail(cg, u, slot, &cg->uac_st.fail_peer_bye);
		break;
	case SIP_METHOD_OPTIONS:
		break;
	default:
		code = 501;
		reason = "Not Implemented";
	}
	m = net_alloc(cg);
	if (m == NULL)
		return;
	sb_init(&b, net_payload(m), net_payload_room(m));
	sipmsg_reply(&b, rx, code, reason, NULL,
		     code == 200 ? "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n" : NULL,
		     NULL, 0);
	if (b.over) {
		cg->net_st.too_big++;
		rte_pktmbuf_free(m);
		return;
	}
	net_send(cg, m, (uint16_t)b.len, cg->o->uac_ip, cg->o->uac_port,
		 rx->src_ip, rx->src_port, rx->src_mac);
}

static void uac_fire(struct cg *cg, uint32_t slot)
{
	struct uac *u = cg->uac;
	struct uac_call *c = &u->calls[slot];
	uint32_t next;

	switch (c->state) {
	case UAC_PROCEEDING:
		if ((int32_t)(cg->now_ms - c->deadline) >= 0)
			uac_fail(cg, u, slot, &cg->uac_st.fail_timeout);
		else
			wheel_arm(&u->wheel, slot, c->deadline);
		return;
	case UAC_CALLING:
		if ((int32_t)(cg->now_ms - c->deadline) >= 0) {
			uac_fail(cg, u, slot, &cg->uac_st.fail_timeout);
			return;
		}
		if (c->req)
			net_resend(cg, c->req);
		else     /* no mbuf for it last time */
			c->req = uac_request_send(cg, u, slot, SIP_METHOD_INVITE, true);
		cg->uac_st.invite_retrans++;
		c->rto *= 2;
		break;
	case UAC_HOLD:
		uac_bye(cg, u, slot);
		return;
	case UAC_BYE:
		if ((int32_t)(cg->now_ms - c->deadline) >= 0) {
			uac_fail(cg, u, slot, &cg->uac_st.fail_bye_timeout);
			return;
		}
		if (c->req)
			net_resend(cg, c->req);
		else
			c->req = uac_request_send(cg, u, slot, SIP_METHOD_BYE, true);
		cg->uac_st.bye_retrans++;
		c->rto = c->rto * 2 < cg->o->t2_ms ? c->rto * 2 : cg->o->t2_ms;
		break;
	default:
		return;
	}
	next = cg->now_ms + c->rto;
	if ((int32_t)(next - c->deadline) > 0)
		next = c->deadline;
	wheel_arm(&u->wheel, slot, next);
}

unsigned uac_timers(struct cg *cg)
{
	return cg->uac ? wheel_advance(cg, &cg->uac->wheel, cg->now_ms) : 0;
}

bool uac_done(const struct cg *cg)
{
	return cg->uac == NULL ||
	       (cg->uac->started >= cg->o->total && cg->uac->active == 0);
}

uint32_t uac_active(const struct cg *cg)
{
	return cg->uac ? cg->uac->active : 0;
}

void uac_abandon(struct cg *cg)
{
	struct uac *u = cg->uac;
	uint32_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++)
		if (u->calls[i].state != UAC_FREE)
			uac_fail(cg, u, i, &cg->uac_st.unfinished);
}
