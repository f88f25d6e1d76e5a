/* SPDX-License-Identifier: MIT */
/*
 * admit: the io lcore's tenant stage, between the lazy parse and dispatch.
 *
 * Every request that opens something (no To tag: a new call, a REGISTER,
 * a MESSAGE…) is attributed to a tenant — by the trunk whose source
 * network it comes from, the appliance address:port it hits, its
 * request-URI host, or its request-URI user as a DID, in that order — and
 * answered here when it cannot go on: 404 (403 for REGISTER) when no
 * tenant claims it; for a new INVITE, 503 with Retry-After when the
 * tenant's calls-per-second bucket is empty or its concurrent calls are at
 * the limit. Nothing rejected costs a worker anything.
 *
 * In-dialog requests, responses, ACK, CANCEL (which belongs to an INVITE
 * already admitted) and OPTIONS (the keepalive every peer sends the
 * appliance, answered by any worker) pass as they are.
 *
 * The UDP checksum is verified only before answering here: an admitted
 * request is verified by its worker, which drops a corrupted one and gives
 * back the concurrent call it held (its calls-per-second token is not
 * refunded: corruption is rare, and the bucket refills).
 *
 * Sets pkt_meta tenant (state index + 1) and, for an admitted INVITE,
 * call_held: the worker then owns one unit of the tenant's concurrent-call
 * count and gives it back when that INVITE ends up not being a call of
 * its own (a retransmission, a rejection) or when the call ends.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "admit.h"
#include "sip/call.h"
#include "worker.h"
#include "io_lcore.h"
#include "pkt.h"
#include "sip_reply.h"
#include "tenant.h"

#define ADMIT_RETRY_AFTER "Retry-After: 1\r\n"

/*
 * Takes one token from the tenant's bucket (capacity burst calls, refilled
 * at cps calls per second). Tokens are counted in thousandths of a call so
 * a refill of any number of milliseconds is exact. Several io lcores may
 * share a tenant: the bucket is one 64-bit word updated by CAS.
 */
bool admit_bucket_take(uint64_t *bucket, uint32_t cps, uint32_t burst, uint32_t now_ms)
{
	uint64_t old = __atomic_load_n(bucket, __ATOMIC_RELAXED), nw;
	uint64_t cap = (uint64_t)burst * 1000;

	do {
		uint64_t tok = old >> 32;
		uint32_t last = (uint32_t)old;

		if (old == 0) /* never used: full */
			tok = cap;
		else
			tok += (uint64_t)(uint32_t)(now_ms - last) * cps;
		if (tok > cap)
			tok = cap;
		if (tok < 1000)
			return false;
		tok -= 1000;
		/* a stored word of 0 means "never used": keep it from being 0 */
		nw = tok << 32 | (now_ms ? now_ms : 1);
	} while (!__atomic_compare_exchange_n(bucket, &old, nw, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

/* The tenant a new request belongs to, or -1. */
static int admit_attribute(const struct tenant_snap *s, const struct pkt_meta *meta,
			   const char *buf, const struct sip_msg *msg, int32_t *trunk)
{
	struct tenant_trunk_ref tr;
	const char *u = buf + msg->ruri.off, *e = u + msg->ruri.len, *at, *h, *he;
	int t;

	*trunk = -1;
	if (tenant_trunk_by_src(s, meta->src_ip, &tr)) {
		*trunk = (int32_t)tr.trunk;
		return (int)tr.tenant;
	}
	if ((t = tenant_by_addr(s, meta->dst_ip, meta->dst_port)) >= 0)
		return t;
	/* sip:user@host:port;params — only what attribution needs */
	if (e - u > 4 && (u[3] == ':' || (e - u > 5 && u[4] == ':')))
		u += u[3] == ':' ? 4 : 5;
	at = memchr(u, '@', (size_t)(e - u));
	h = at ? at + 1 : u;
	for (he = h; he < e && *he != ':' && *he != ';' && *he != '?' && *he != '>'; he++)
		;
	if ((t = tenant_by_domain(s, h, (size_t)(he - h))) >= 0)
		return t;
	if (at) {
		const char *ue = u;

		while (ue < at && *ue != ';')
			ue++;
		return tenant_by_did(s, u, (size_t)(ue - u));
	}
	return -1;
}

/* Answers the request in m itself (full parse for the reply) and frees m. */
static void admit_reply(struct io_ctx *io, struct rte_mbuf *m, uint16_t code,
			const char *reason, const char *extra)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_mbuf *r;

	/* Never answer what was corrupted in flight (see pkt_udp_ok). */
	if (!pkt_udp_ok(m)) {
		io_drop(io, m, DROP_UDP_BAD);
		return;
	}
	if (sip_parse(pkt_payload(m), meta->payload_len, &io->msg) < 0) {
		io_drop(io, m, DROP_SIP_PARSE);
		return;
	}
	r = sip_reply_make(io->dp, &io->ip_id, io->st, pkt_payload(m), &io->msg, meta, code,
			   reason, extra, NULL);
	if (r)
		ip_out(io, r, meta->port);
	rte_pktmbuf_free(m);
}

bool admit_sip(struct io_ctx *io, struct rte_mbuf *m, const struct sip_msg *msg)
{
	struct pkt_meta *meta = pkt_meta(m);
	const struct tenant_snap *s;
	struct tenant_state *st;
	const struct cfg_limits *lim;
	int32_t trunk;
	int t;

	meta->tenant = 0;
	meta->call_held = 0;
	if (msg->method == SIP_METHOD_NONE || msg->to_tag.len ||
	    msg->method == SIP_METHOD_ACK || msg->method == SIP_METHOD_CANCEL ||
	    msg->method == SIP_METHOD_OPTIONS)
		return true;
	s = __atomic_load_n(&io->dp->snap, __ATOMIC_ACQUIRE);
	if (s == NULL)
		return true;
	t = admit_attribute(s, meta, pkt_payload(m), msg, &trunk);
	if (t < 0) {
		if (msg->method == SIP_METHOD_REGISTER) {
			io->st->adm_403++;
			admit_reply(io, m, 403, "Forbidden", NULL);
		} else {
			io->st->adm_404++;
			admit_reply(io, m, 404, "Not Found", NULL);
		}
		return false;
	}
	st = s->t[t].st;
	meta->tenant = (uint16_t)(st - io->dp->tenant_states + 1);
	if (msg->method != SIP_METHOD_INVITE)
		return true;
	lim = &s->t[t].cfg->limits;
	if (lim->cps && !admit_bucket_take(&st->bucket, lim->cps, lim->burst,
					   (uint32_t)(rte_rdtsc() / io->tsc_per_ms))) {
		__atomic_fetch_add(&st->rej_cps, 1, __ATOMIC_RELAXED);
		io->st->adm_503_cps++;
		admit_reply(io, m, 503, "Service Unavailable", ADMIT_RETRY_AFTER);
		return false;
	}
	if (__atomic_add_fetch(&st->calls, 1, __ATOMIC_RELAXED) > (int32_t)lim->concurrent_calls &&
	    lim->concurrent_calls) {
		__atomic_fetch_sub(&st->calls, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&st->rej_calls, 1, __ATOMIC_RELAXED);
		io->st->adm_503_calls++;
		admit_reply(io, m, 503, "Service Unavailable", ADMIT_RETRY_AFTER);
		return false;
	}
	meta->call_held = 1;
	return true;
}

void admit_release(const struct dp *dp, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);

	if (!meta->call_held)
		return;
	meta->call_held = 0;
	__atomic_fetch_sub(&dp->tenant_states[meta->tenant - 1].calls, 1, __ATOMIC_RELAXED);
}

bool admit_load(struct io_ctx *io, struct rte_mbuf *m, const struct sip_msg *msg,
		uint16_t worker)
{
	const struct rte_ring *r = io->dp->rx_ring[io->idx][worker];
	struct tenant_state *st;
	unsigned queued;

	if (msg->method != SIP_METHOD_INVITE || msg->to_tag.len)
		return true;
	st = &io->dp->tenant_states[pkt_meta(m)->tenant - 1];
	queued = rte_ring_count(r) + io->n_batch[worker];
	if (queued > rte_ring_get_capacity(r) / 4)
		/* a backlog no interval of shedding has caught (a burst
		 * beyond what the control follows): cut at once */
		io->st->adm_503_load++;
	else if (queued >= call_table_room(io->dp->wrk[worker]->calls))
		/* every message queued may be an INVITE that takes a slot:
		 * one more would reach a full table, and cost the worker a
		 * parse and a 503 of its own */
		io->st->adm_503_table++;
	else if (shed_take(&io->shed[worker]))
		io->st->adm_503_backlog++;
	else {
		__atomic_fetch_add(&st->admitted, 1, __ATOMIC_RELAXED);
		return true;
	}
	__atomic_fetch_add(&st->rej_load, 1, __ATOMIC_RELAXED);
	admit_release(io->dp, m);
	admit_reply(io, m, 503, "Service Unavailable", ADMIT_RETRY_AFTER);
	return false;
}
