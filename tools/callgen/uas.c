/* SPDX-License-Identifier: MIT */
/*
 * The called side of sluice-callgen: answers INVITEs for the users it owns
 * (the callee, and the registered user if any) with 180 and a 2xx with an
 * SDP answer at once, waits for the ACK, and answers the BYE with 200.
 * Every response is built from its request as a real UAS does (Via lines,
 * From, To, Call-ID and CSeq copied; a To tag added) and goes back to the
 * request's source address; nothing is assumed about the Call-ID the far
 * end chose.
 *
 * A call lives in a slot of a fixed array; the slot number, its generation
 * and the run's id are the To tag ("cs" + 24 hex digits), so an ACK, BYE
 * or re-INVITE finds its call by index. An initial INVITE has no To tag:
 * the UAS keeps an rte_hash from the Call-ID (two CRC32C, 64 bits) to the
 * slot of each live call so that a retransmitted INVITE gets the same 2xx
 * again instead of a second call. A slot is reused only after its call
 * has ended, so a BYE naming an older generation of a slot is a
 * retransmission for an ended call: it gets its 200 again.
 *
 * The 2xx is retransmitted from its mbuf (one reference held until the
 * ACK) at T1 doubling up to T2; after 64*T1 without an ACK the call is
 * given up (RFC 3261 §13.3.1.4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "disp.h"

#include "cg.h"
#include "sipmsg.h"

enum uas_state {
	UAS_FREE = 0,
	UAS_WAIT_ACK,   /* 2xx sent */
	UAS_CONFIRMED,  /* ACK received */
	UAS_CLOSED,     /* ended; answers a retransmitted BYE until reused */
};

struct uas_call {
	struct rte_mbuf *ok;     /* the 2xx, held until the ACK */
	uint64_t key;            /* Call-ID key while in the hash */
	uint32_t gen;
	uint32_t deadline;       /* ms: give up waiting for the ACK */
	uint32_t rto;            /* ms */
	uint8_t state;
	uint8_t in_hash;
};

struct uas {
	struct uas_call *calls;
	uint32_t n;
	struct cg_slots free_slots; /* oldest first */
	uint32_t active;
	struct rte_hash *by_cid;
	struct cg_wheel wheel;
	char ip[16];
};

#define UAS_TAG_PREFIX "cs"
#define UAS_TAG_LEN (2 + 24)

static void uas_fire(struct cg *cg, uint32_t slot);

struct uas *uas_create(struct cg *cg)
{
	struct uas *s = calloc(1, sizeof(*s));
	struct rte_hash_parameters hp = {
		.name = "callgen_uas",
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	if (s == NULL)
		return NULL;
	/* Closed slots linger until reused: twice the UAC's window. */
	s->n = cg->o->window * 2 < 1024 ? 1024 : cg->o->window * 2;
	hp.entries = s->n;
	s->calls = calloc(s->n, sizeof(*s->calls));
	s->by_cid = rte_hash_create(&hp);
	if (s->calls == NULL || cg_slots_init(&s->free_slots, s->n) < 0 || s->by_cid == NULL ||
	    wheel_init(&s->wheel, s->n, uas_fire) < 0) {
		uas_free(s);
		return NULL;
	}
	sipmsg_ip(cg->o->uas_ip, s->ip);
	return s;
}

void uas_free(struct uas *s)
{
	uint32_t i;

	if (s == NULL)
		return;
	if (s->calls)
		for (i = 0; i < s->n; i++)
			rte_pktmbuf_free(s->calls[i].ok);
	rte_hash_free(s->by_cid);
	wheel_free(&s->wheel);
	free(s->calls);
	cg_slots_free(&s->free_slots);
	free(s);
}

static uint64_t uas_key(const struct cg_rx *rx)
{
	const char *p = rx->buf + rx->sip.call_id.off;
	uint32_t n = rx->sip.call_id.len;

	/* disp_crc: rte_hash_crc's 8-byte loads are misaligned on packet bytes */
	return (uint64_t)disp_crc(p, n, 0x5a17ce11u) << 32 | disp_crc(p, n, 0x0ca11ed5u);
}

/* Sends a response to rx from the UAS address; keeps a ref if hold. */
static struct rte_mbuf *uas_reply(struct cg *cg, const struct cg_rx *rx,
				  unsigned code, const char *reason,
				  const char *tag, const char *extra,
				  const char *body, uint32_t body_len, bool hold)
{
	struct rte_mbuf *m = net_alloc(cg);
	struct sb b;

	if (m == NULL)
		return NULL;
	sb_init(&b, net_payload(m), net_payload_room(m));
	sipmsg_reply(&b, rx, code, reason, tag, extra, body, body_len);
	if (b.over) {
		cg->net_st.too_big++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (hold)
		rte_mbuf_refcnt_update(m, 1);
	net_send(cg, m, (uint16_t)b.len, cg->o->uas_ip, cg->o->uas_port,
		 rx->src_ip, rx->src_port, rx->src_mac);
	return hold ? m : NULL;
}

static void uas_release(struct uas *s, uint32_t slot, enum uas_state state)
{
	struct uas_call *c = &s->calls[slot];

	wheel_cancel(&s->wheel, slot);
	rte_pktmbuf_free(c->ok);
	c->ok = NULL;
	if (c->in_hash) {
		rte_hash_del_key(s->by_cid, &c->key);
		c->in_hash = 0;
	}
	c->state = (uint8_t)state;
	cg_slots_put(&s->free_slots, slot);
	s->active--;
}

/*
 * The slot and generation a To tag of ours names; false if the tag is not
 * one this run made. The caller compares gen with the slot's.
 */
static bool uas_tag(const struct cg *cg, const struct cg_rx *rx, uint32_t *slot,
		    uint32_t *gen)
{
	const char *p = rx->buf + rx->sip.to_tag.off;
	uint32_t run, i;

	if (rx->sip.to_tag.len != UAS_TAG_LEN || memcmp(p, UAS_TAG_PREFIX, 2) != 0 ||
	    !sipmsg_hex(p + 2, 8, &run) || run != cg->run_id ||
	    !sipmsg_hex(p + 10, 8, &i) || i >= cg->uas->n ||
	    !sipmsg_hex(p + 18, 8, gen))
		return false;
	*slot = i;
	return true;
}

/* The slot of the current call a To tag names. */
static bool uas_match(const struct cg *cg, const struct cg_rx *rx, uint32_t *slot)
{
	uint32_t gen;

	return uas_tag(cg, rx, slot, &gen) && gen == cg->uas->calls[*slot].gen;
}

/* True if the Request-URI's or the To URI's user is one of ours. */
static bool uas_owns(const struct cg *cg, const struct cg_rx *rx)
{
	struct sip_slice user, uri;

	if (sipmsg_uri_user(rx->buf, rx->sip.ruri, &user) &&
	    (sipmsg_eq(rx->buf, user, cg->o->callee) ||
	     (cg->o->reg_user[0] && sipmsg_eq(rx->buf, user, cg->o->reg_user))))
		return true;
	return sipmsg_addr_uri(rx->buf, rx->sip.to, &uri) &&
	       sipmsg_uri_user(rx->buf, uri, &user) &&
	       (sipmsg_eq(rx->buf, user, cg->o->callee) ||
		(cg->o->reg_user[0] && sipmsg_eq(rx->buf, user, cg->o->reg_user)));
}

/* 2xx with the SDP answer (also for a re-INVITE, which needs no tag). */
static struct rte_mbuf *uas_ok(struct cg *cg, struct uas *s,
			       const struct cg_rx *rx, uint32_t slot,
			       const char *tag, bool hold)
{
	char sdp[512], contact[160];
	uint32_t sdp_len;

	sdp_len = sipmsg_sdp(sdp, sizeof(sdp), cg->o->uas_ip,
			     (uint16_t)(30000 + 2 * (slot % 15000)),
			     s->calls[slot].gen, true);
	snprintf(contact, sizeof(contact),
		 "Contact: <sip:%s@%s:%u>\r\n"
		 "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n",
		 cg->o->callee, s->ip, cg->o->uas_port);
	return uas_reply(cg, rx, 200, "OK", tag, contact, sdp, sdp_len, hold);
}

static void uas_invite(struct cg *cg, struct uas *s, const struct cg_rx *rx)
{
	uint64_t key;
	uint32_t slot;
	struct uas_call *c;
	char tag[UAS_TAG_LEN + 1];
	void *data;

	if (rx->sip.to_tag.len) {          /* re-INVITE in a dialog of ours */
		if (uas_match(cg, rx, &slot) &&
		    (s->calls[slot].state == UAS_WAIT_ACK ||
		     s->calls[slot].state == UAS_CONFIRMED)) {
			cg->uas_st.reinvites++;
			uas_ok(cg, s, rx, slot, NULL, false);
		} else {
			cg->uas_st.no_dialog++;
			uas_reply(cg, rx, 481, "Call/Transaction Does Not Exist",
				  NULL, NULL, NULL, 0, false);
		}
		return;
	}
	key = uas_key(rx);
	if (rte_hash_lookup_data(s->by_cid, &key, &data) >= 0) {
		c = &s->calls[(uint32_t)(uintptr_t)data];
		cg->uas_st.invite_retrans++;
		if (c->ok)
			net_resend(cg, c->ok);
		return;
	}
	if (!uas_owns(cg, rx)) {
		cg->uas_st.not_ours++;
		uas_reply(cg, rx, 404, "Not Found", NULL, NULL, NULL, 0, false);
		return;
	}
	if (s->free_slots.len == 0) {
		cg->uas_st.full++;
		uas_reply(cg, rx, 503, "Service Unavailable", NULL,
			  "Retry-After: 1\r\n", NULL, 0, false);
		return;
	}
	slot = cg_slots_take(&s->free_slots);
	s->active++;
	c = &s->calls[slot];
	c->gen++;
	c->key = key;
	c->in_hash = rte_hash_add_key_data(s->by_cid, &key,
					   (void *)(uintptr_t)slot) == 0;
	snprintf(tag, sizeof(tag), UAS_TAG_PREFIX "%08x%08x%08x", cg->run_id,
		 slot, c->gen);
	uas_reply(cg, rx, 180, "Ringing", tag,
		  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n", NULL, 0, false);
	c->ok = uas_ok(cg, s, rx, slot, tag, true);
	c->state = UAS_WAIT_ACK;
	c->rto = cg->o->t1_ms;
	c->deadline = cg->now_ms + 64 * cg->o->t1_ms;
	wheel_arm(&s->wheel, slot, cg->now_ms + c->rto);
	cg->uas_st.invites++;
	if (cg->run_start_tsc == 0)
		cg->run_start_tsc = rte_rdtsc();
}

/*
 * A BYE ends its call with a 200. A BYE whose tag this run made for a call
 * that has ended (the slot is closed, or reused since: slots are reused
 * only once their call is over) is a retransmission whose 200 was lost,
 * possibly long after: it gets its 200 again, as the BYE's server
 * transaction would have given it for 64*T1.
 */
static void uas_bye(struct cg *cg, struct uas *s, const struct cg_rx *rx)
{
	uint32_t slot, gen;
	struct uas_call *c;

	if (!uas_tag(cg, rx, &slot, &gen) || (int32_t)(gen - s->calls[slot].gen) > 0 ||
	    gen == 0) {
		cg->uas_st.no_dialog++;
		uas_reply(cg, rx, 481, "Call/Transaction Does Not Exist", NULL,
			  NULL, NULL, 0, false);
		return;
	}
	c = &s->calls[slot];
	if (gen != c->gen || c->state == UAS_CLOSED) {
		cg->uas_st.bye_retrans++;
	} else {
		cg->uas_st.byes++;
		uas_release(s, slot, UAS_CLOSED);
		if (cg->uac == NULL)     /* a UAS alone times its run by BYEs */
			cg->run_end_tsc = rte_rdtsc();
	}
	uas_reply(cg, rx, 200, "OK", NULL, NULL, NULL, 0, false);
}

void uas_request(struct cg *cg, struct cg_rx *rx)
{
	struct uas *s = cg->uas;
	uint32_t slot;

	switch (rx->sip.method) {
	case SIP_METHOD_INVITE:
		uas_invite(cg, s, rx);
		return;
	case SIP_METHOD_ACK:
		if (uas_match(cg, rx, &slot) && s->calls[slot].state == UAS_WAIT_ACK) {
			struct uas_call *c = &s->calls[slot];

			cg->uas_st.acks++;
			c->state = UAS_CONFIRMED;
			wheel_cancel(&s->wheel, slot);
			rte_pktmbuf_free(c->ok);
			c->ok = NULL;
		} else {
			cg->uas_st.acks_stray++;
		}
		return;
	case SIP_METHOD_BYE:
		uas_bye(cg, s, rx);
		return;
	case SIP_METHOD_OPTIONS:
		cg->uas_st.options++;
		uas_reply(cg, rx, 200, "OK", NULL,
			  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
			  "Accept: application/sdp\r\n", NULL, 0, false);
		return;
	case SIP_METHOD_CANCEL:
		/* Every INVITE got its final response at once: nothing to
		 * cancel, but the CANCEL's own transaction gets its 200. */
		cg->uas_st.cancels++;
		uas_reply(cg, rx, 200, "OK", NULL, NULL, NULL, 0, false);
		return;
	default:
		cg->uas_st.not_impl++;
		uas_reply(cg, rx, 501, "Not Implemented", NULL,
			  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n", NULL, 0, false);
	}
}

void uas_response(struct cg *cg, struct cg_rx *rx)
{
	if (!reg_response(cg, rx))
		cg->uas_st.responses++;
}

static void uas_fire(struct cg *cg, uint32_t slot)
{
	struct uas *s = cg->uas;
	struct uas_call *c = &s->calls[slot];

	if (c->state != UAS_WAIT_ACK)
		return;
	if ((int32_t)(cg->now_ms - c->deadline) >= 0 || c->ok == NULL) {
		cg->uas_st.no_ack++;
		uas_release(s, slot, UAS_CLOSED);
		return;
	}
	net_resend(cg, c->ok);
	cg->uas_st.ok_retrans++;
	c->rto = c->rto * 2 < cg->o->t2_ms ? c->rto * 2 : cg->o->t2_ms;
	wheel_arm(&s->wheel, slot, cg->now_ms + c->rto);
}

unsigned uas_timers(struct cg *cg)
{
	return cg->uas ? wheel_advance(cg, &cg->uas->wheel, cg->now_ms) : 0;
}

uint32_t uas_active(const struct cg *cg)
{
	return cg->uas ? cg->uas->active : 0;
}
