/* SPDX-License-Identifier: MIT */
/*
 * Setting up a call (see call.h):
 *
 *   INVITE ─ caller? ─ 100 Trying ─ ROUTE_REQ ─► control plane
 *      │ (call_auth.c: a trunk by source; a device by From and a registered
 *      │  source, or by Proxy-Authorization, else 407 / 403 / 400)
 *      ◄─ ROUTE_DEC (or the tenant fallback after CALL_ROUTE_WAIT_MS)
 *   targets, one after the other (or all at once when the decision forks):
 *      user  → every registered binding of each of its devices (forked)
 *      trunk → the trunk's address; uri → its IPv4 host
 *   B leg responses: 1xx relayed; the first 2xx wins (the others are
 *   CANCELled); a 3xx's Contacts become legs of the same target; 408, 480, 5xx, 6xx, timer B or the ring time running out
 *   move on to the next target; any other final (486…) ends the call with
 *   the best final of the legs.
 *
 * A CANCEL from the caller answers 487 and CANCELs every leg. A final
 * non-2xx waits in FAILED for the caller's ACK (timers G and H of the IST)
 * and for the legs still being cancelled, then the call ends. A 2xx
 * passes to call_dialog.c (ANSWERED).
 *
 * Route sets (sip_route.h): A's is the Record-Route of its INVITE, kept
 * before the call starts; one that is malformed (400) or longer than
 * CALL_ROUTE_MAX (500) refuses the call rather than break its dialog. A
 * leg's is that of its tagged 1xx (the early dialog) and then of its 2xx,
 * reversed; a 2xx whose route set cannot be kept is ACKed and hung up,
 * and the leg counts as failed 500.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "admit.h"
#include "dp.h"
#include "pkt.h"
#include "sbuf.h"
#include "sip/call.h"
#include "sip/loc.h"
#include "sip/sip_contact.h"
#include "sip/sip_route.h"
#include "sip/sip_uri.h"
#include "sip_reply.h"
#include "tenant.h"
#include "worker.h"

static const char *setup_reason(uint16_t code)
{
	switch (code) {
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 500: return "Server Internal Error";
	case 503: return "Service Unavailable";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	default:
		return code < 500 ? "Request Failed" : code < 600 ? "Server Error" :
								    "Global Failure";
	}
}

static enum cdr_disposition setup_disposition(uint16_t code)
{
	if (code == 486 || code == 600)
		return CDR_BUSY;
	if (code == 487)
		return CDR_CANCELLED;
	if (code == 480)
		return CDR_NO_ANSWER;
	if (code == 403 || code == 404 || code == 503 || code == 603)
		return CDR_REJECTED;
	return CDR_FAILED;
}

/* The tenant of c in the current snapshot, or NULL if it is gone. */
static const struct tenant *setup_tenant(struct wrk_ctx *w, const struct call *c,
					 const struct tenant_snap **snap)
{
	const struct tenant_snap *s = __atomic_load_n(&w->dp->snap, __ATOMIC_ACQUIRE);
	int ti = s && c->tstate ? tenant_of_state(s, c->tstate - 1u) : -1;

	*snap = s;
	return ti < 0 ? NULL : &s->t[ti];
}

/* The user part of a URI in a header value (From) or a Request-URI. */
static struct sip_slice setup_user(const char *buf, struct sip_slice v, bool naddr)
{
	struct sip_naddr na;
	struct sip_uri u;

	if (naddr) {
		if (sip_naddr_parse(buf, buf + v.off, v.len, &na) < 0)
			return (struct sip_slice){ 0, 0 };
		return na.uri.user;
	}
	if (sip_uri_parse(buf, buf + v.off, v.len, &u) < 0)
		return (struct sip_slice){ 0, 0 };
	return u.user;
}

static void setup_tried(struct call *c, const char *what, size_t n)
{
	size_t have = strnlen(c->tried, sizeof(c->tried));

	if (have && have + 1 < sizeof(c->tried))
		c->tried[have++] = ',';
	if (n > sizeof(c->tried) - 1 - have)
		n = sizeof(c->tried) - 1 - have;
	memcpy(c->tried + have, what, n);
	c->tried[have + n] = '\0';
}

/* ---- the end of a set-up ---- */

/* Is a leg from `from` on still waiting for its final response? */
static bool setup_legs_pending(const struct call *c, unsigned from)
{
	for (unsigned i = from; i < c->n_legs; i++)
		if (c->leg[i].state == LEG_CALLING || c->leg[i].state == LEG_EARLY ||
		    c->leg[i].state == LEG_CANCELLED)
			return true;
	return false;
}

/* A FAILED call ends once the caller ACKed and no leg is still open. */
static void setup_maybe_end(struct wrk_ctx *w, struct call *c)
{
	if (c->phase == CALL_FAILED && c->ist.state != SIP_TXN_STATE_COMPLETED &&
	    !setup_legs_pending(c, 0))
		call_free(w, c);
}

static void setup_cancel_leg(struct wrk_ctx *w, struct call *c, uint8_t li, uint64_t now)
{
	struct call_leg *l = &c->leg[li];

	if (l->state != LEG_CALLING && l->state != LEG_EARLY)
		return;
	/* §9.1: no CANCEL before a provisional response; it goes when one comes */
	if (l->state == LEG_EARLY) {
		call_out_cancel(w, c, l, li);
		l->cancel_sent = 1;
		l->cancel_ivl = w->txn.t1;
		l->cancel_at = now + l->cancel_ivl;
	}
	l->state = LEG_CANCELLED;
}

static void setup_cancel_all(struct wrk_ctx *w, struct call *c, int except, uint64_t now)
{
	for (uint8_t i = 0; i < c->n_legs; i++)
		if ((int)i != except)
			setup_cancel_leg(w, c, i, now);
}

static void setup_drop_decision(struct call *c)
{
	rte_pktmbuf_free(c->dec);
	c->dec = NULL;
}

/*
 * Keeps dec for the targets or headers still to come, in an mbuf, unless
 * the call holds it already (dec is then its own). The control plane's
 * message goes back at once either way.
 */
static void setup_hold_decision(struct wrk_ctx *w, struct call *c,
				const struct cpmsg_route_dec *dec)
{
	struct rte_mbuf *m;
	void *p;

	if (c->dec)
		return;
	m = rte_pktmbuf_alloc(w->dp->pool);
	p = m ? rte_pktmbuf_append(m, sizeof(*dec)) : NULL;
	if (p == NULL) {
		/* the call rings its first targets; none after them */
		rte_pktmbuf_free(m);
		call_count(w->calls, CALL_C_ROUTE_UNHELD);
		return;
	}
	memcpy(p, dec, sizeof(*dec));
	c->dec = m;
}

void call_fail(struct wrk_ctx *w, struct call *c, uint16_t code)
{
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;

	setup_drop_decision(c);
	c->ring_end = c->route_end = SIP_TXN_NEVER;
	setup_cancel_all(w, c, -1, now);
	c->final_code = code;
	if (!c->disposition)
		c->disposition = c->n_legs == 0 && code != 487 ? CDR_REJECTED :
				 (uint8_t)setup_disposition(code);
	if (sip_txn_on_send(&c->ist, code, now) & SIP_TXN_ACT_SEND_RESPONSE)
		call_out_a_response(w, c, code, setup_reason(code), NULL, NULL, 0);
	c->phase = CALL_FAILED;
	c->end_us = call_unix_us();
	call_count(w->calls, c->disposition == CDR_CANCELLED ? CALL_C_CANCELLED : CALL_C_FAILED);
	call_cdr_send(w, c);
	call_arm(w, c);
}

/* ---- targets ---- */

static struct call_leg *setup_leg(struct call *c, uint8_t target, uint32_t ip, uint16_t port,
				  const char *ruri, size_t ruri_len)
{
	struct call_leg *l;

	if (c->n_legs >= CALL_MAX_LEGS)
		return NULL;
	l = &c->leg[c->n_legs];
	memset(l, 0, sizeof(*l));
	if (call_keep(c, &l->ruri, ruri, ruri_len) < 0)
		return NULL;
	l->ip = ip;
	l->port = port ? port : 5060;
	l->target = target;
	c->n_legs++;
	return l;
}

/* hdrs: the decision's headers to add, or NULL */
static bool setup_start_leg(struct wrk_ctx *w, struct call *c, struct call_leg *l,
			    const char *hdrs, uint64_t now)
{
	uint8_t li = (uint8_t)(l - c->leg);

	if (call_out_invite(w, c, l, li, hdrs) < 0) {
		l->state = LEG_DONE;
		l->code = 500;
		return false;
	}
	sip_txn_start_client(&l->ict, SIP_TXN_ICT, &w->txn, false, now);
	l->state = LEG_CALLING;
	return true;
}

/* Legs for every registered binding of user u's devices; how many started. */
static unsigned setup_user_legs(struct wrk_ctx *w, struct call *c, const struct tenant_snap *s,
				const struct tenant *t, uint32_t u, uint8_t ti, const char *hdrs,
				uint64_t now)
{
	const struct cfg_user *cu = &t->cfg->users[u];
	uint32_t d0 = s->user_dev[t->user0 + u];
	unsigned started = 0;

	setup_tried(c, cu->name, strlen(cu->name));
	for (uint32_t d = d0; d < d0 + cu->n_devices; d++) {
		struct loc_contact b[LOC_MAX_CONTACTS];
		unsigned n = loc_read(&w->dp->loc[s->devs[d].loc], now, b);

		for (unsigned i = 0; i < n; i++) {
			struct call_leg *l = setup_leg(c, ti, b[i].src_ip, b[i].src_port, b[i].uri,
						       b[i].uri_len);

			if (l && setup_start_leg(w, c, l, hdrs, now))
				started++;
		}
	}
	return started;
}

static unsigned setup_uri_leg(struct wrk_ctx *w, struct call *c, const char *uri, uint8_t ti,
			      const char *hdrs, uint64_t now)
{
	struct sip_uri u;
	uint32_t ip;
	size_t n = strnlen(uri, CPMSG_URI_LEN);
	struct call_leg *l;

	setup_tried(c, uri, n);
	if (sip_uri_parse(uri, uri, n, &u) < 0 || !sip_uri_host_ipv4(&u, &ip))
		return 0;
	l = setup_leg(c, ti, ip, u.port, uri, n);
	return l && setup_start_leg(w, c, l, hdrs, now) ? 1 : 0;
}

static void setup_fallback(struct wrk_ctx *w, struct call *c, struct cpmsg_route_dec *dec);

/*
 * Starts the next target(s) of dec (a new decision, or the one the call
 * holds; NULL: none). When none is left and the last ones failed as the
 * failover rule moves on (408, 480, 5xx, 6xx, rang out, or none could be
 * reached), the tenant's fallback targets are next, once; then the call
 * fails, with the fallback's status after its targets.
 */
static void setup_next(struct wrk_ctx *w, struct call *c, const struct cpmsg_route_dec *dec,
		       uint16_t code_so_far)
{
	const struct tenant_snap *s;
	const struct tenant *t = setup_tenant(w, c, &s);
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;
	const char *hdrs = dec && dec->headers[0] ? dec->headers : NULL;

	while (t && dec && c->next_target < dec->n_targets) {
		unsigned started = 0, ring_s = 0;

		c->step0 = c->n_legs;
		do {
			uint8_t ti = c->next_target++;
			const struct cpmsg_target *x = &dec->targets[ti];

			if (x->kind == CPMSG_T_USER && x->index >= 0 &&
			    (uint32_t)x->index < t->cfg->n_users)
				started += setup_user_legs(w, c, s, t, (uint32_t)x->index, ti,
							   hdrs, now);
			else if (x->kind == CPMSG_T_TRUNK || x->kind == CPMSG_T_URI)
				started += setup_uri_leg(w, c, x->uri, ti, hdrs, now);
			if (x->ring_s > ring_s)
				ring_s = x->ring_s;
		} while (dec->parallel && c->next_target < dec->n_targets);
		if (started) {
			if (ring_s == 0 || ring_s > t->cfg->limits.max_ring_s)
				ring_s = t->cfg->limits.max_ring_s;
			c->ring_end = now + (uint64_t)ring_s * 1000;
			call_arm(w, c);
			/* a decision with targets left, or headers to add (a
			 * 3xx's legs would take them), is kept while the call
			 * rings; else it is done with */
			if (c->next_target < dec->n_targets || hdrs)
				setup_hold_decision(w, c, dec);
			else
				setup_drop_decision(c);
			return;
		}
	}
	if (code_so_far == 0)
		code_so_far = 480;
	if (t && !c->on_fallback && t->cfg->fallback.n_targets &&
	    (code_so_far == 408 || code_so_far == 480 || code_so_far >= 500)) {
		struct cpmsg_route_dec fb;

		call_count(w->calls, CALL_C_NO_ANSWER_FALLBACK);
		setup_fallback(w, c, &fb);
		setup_drop_decision(c);
		c->next_target = 0;
		c->parallel = fb.parallel;
		setup_next(w, c, &fb, 0); /* c->on_fallback is set now */
		return;
	}
	if (c->on_fallback && t && t->cfg->fallback.status)
		code_so_far = t->cfg->fallback.status;
	call_fail(w, c, code_so_far);
}

/* ---- the route decision ---- */

/*
 * The tenant's fallback, made here (the control plane late, or the route's
 * targets all failed) into dec: its targets, or the reject code when it
 * has none. Marks the call as on it, so it applies once.
 */
static void setup_fallback(struct wrk_ctx *w, struct call *c, struct cpmsg_route_dec *dec)
{
	const struct tenant_snap *s;
	const struct tenant *t = setup_tenant(w, c, &s);
	const struct cfg_fallback *f;

	memset(dec, 0, sizeof(*dec));
	dec->action = CPMSG_A_REJECT;
	dec->reject_code = 503;
	dec->fallback = 1;
	c->on_fallback = 1;
	if (t == NULL)
		return;
	f = &t->cfg->fallback;
	dec->reject_code = f->status ? f->status : 480;
	if (f->n_targets == 0)
		return;
	dec->action = CPMSG_A_ROUTE;
	dec->parallel = f->mode == CFG_RING_PARALLEL;
	for (uint32_t i = 0; i < f->n_targets && dec->n_targets < CPMSG_MAX_TARGETS; i++) {
		const struct cfg_target *g = &f->targets[i];
		struct cpmsg_target *x = &dec->targets[dec->n_targets++];

		x->ring_s = g->ring_s;
		x->index = (int32_t)g->index;
		x->kind = g->is_trunk ? CPMSG_T_TRUNK : CPMSG_T_USER;
		if (g->is_trunk) {
			const struct cfg_endpoint *a = &t->cfg->trunks[g->index].address;
			struct sbuf b = sbuf_make(x->uri, sizeof(x->uri) - 1);

			sbuf_str(&b, "sip:");
			sbuf_put(&b, call_s(c, c->callee), c->callee.len);
			sbuf_put(&b, "@", 1);
			sbuf_ip(&b, a->addr);
			sbuf_put(&b, ":", 1);
			sbuf_u32(&b, a->port);
			x->uri[b.over ? 0 : b.len] = '\0';
		}
	}
}

/* Acts on a decision; the caller still owns dec (the call keeps a copy). */
static void setup_route(struct wrk_ctx *w, struct call *c, const struct cpmsg_route_dec *dec)
{
	c->route_end = SIP_TXN_NEVER;
	if (dec->action != CPMSG_A_ROUTE || dec->n_targets == 0) {
		uint16_t code = dec->reject_code >= 300 && dec->reject_code < 700 ?
				dec->reject_code : 404;

		call_fail(w, c, code);
		return;
	}
	c->parallel = dec->parallel;
	c->on_fallback = dec->fallback;
	c->phase = CALL_TRYING;
	setup_next(w, c, dec, 0);
}

static void setup_use_fallback(struct wrk_ctx *w, struct call *c)
{
	struct cpmsg_route_dec dec;

	call_count(w->calls, CALL_C_ROUTE_FALLBACK);
	setup_fallback(w, c, &dec);
	setup_route(w, c, &dec);
}

void call_decision(struct wrk_ctx *w, struct cpmsg *m)
{
	struct call *c = call_by_ref(w, m->call_ref);
	const struct tenant_snap *s = __atomic_load_n(&w->dp->snap, __ATOMIC_ACQUIRE);

	if (c == NULL || c->phase != CALL_ROUTING) {
		/* the call went on without it (fallback, CANCEL) */
		call_count(w->calls, CALL_C_ROUTE_LATE);
		rte_mempool_put(w->dp->cp_pool, m);
		return;
	}
	if (s == NULL || m->snap_gen != s->gen) {
		/* indices from another snapshot: a reload raced the decision */
		rte_mempool_put(w->dp->cp_pool, m);
		setup_use_fallback(w, c);
		return;
	}
	setup_route(w, c, &m->u.route_dec);
	rte_mempool_put(w->dp->cp_pool, m);
}

static int setup_route_request(struct wrk_ctx *w, struct call *c, const struct tenant_snap *s,
			       int ti, int32_t trunk, int32_t user, const struct pkt_meta *meta,
			       const char *buf, const struct sip_msg *msg, uint64_t now)
{
	struct cpmsg *m;
	struct cpmsg_route_req *r;
	struct sip_uri u;
	struct sbuf b;

	m = call_msg_get(w, c, CPMSG_ROUTE_REQ, sizeof(m->u.route_req));
	if (m == NULL)
		return -ENOMEM;
	m->snap_gen = s->gen;
	r = &m->u.route_req;
	r->tenant = (uint32_t)ti;
	r->trunk = trunk;
	r->user = user;
	r->src_ip = meta->src_ip;
	r->src_port = meta->src_port;
	r->deadline_ms = c->route_end;
	b = sbuf_make(r->caller, sizeof(r->caller) - 1);
	sbuf_put(&b, call_s(c, c->caller), c->caller.len);
	r->caller[b.over ? 0 : b.len] = '\0';
	/* a number is routed normalised ("+1 555-0100" = "+15550100") */
	if (sip_uri_phone_norm(call_s(c, c->callee), c->callee.len, r->callee,
			       sizeof(r->callee)) < 0) {
		b = sbuf_make(r->callee, sizeof(r->callee) - 1);
		sbuf_put(&b, call_s(c, c->callee), c->callee.len);
		r->callee[b.over ? 0 : b.len] = '\0';
	}
	if (sip_uri_parse(buf, buf + msg->ruri.off, msg->ruri.len, &u) > 0) {
		b = sbuf_make(r->ruri_host, sizeof(r->ruri_host) - 1);
		sbuf_slice(&b, buf, u.host);
		r->ruri_host[b.over ? 0 : b.len] = '\0';
	}
	(void)now;
	if (rte_ring_sp_enqueue(w->dp->cp_up[w->idx], m) < 0) {
		rte_mempool_put(w->dp->cp_pool, m);
		return -ENOBUFS;
	}
	return 0;
}

/* ---- a new INVITE ---- */

/* Keeps what the call needs of A's INVITE. 0 or -ENOSPC. */
static int setup_keep_a(struct wrk_ctx *w, struct call *c, const char *buf,
			const struct sip_msg *msg, const struct call_caller *who,
			struct sip_slice to_user)
{
	const struct sip_hdr *ct = sip_hdr_find(msg, SIP_HDR_CONTACT);
	const struct sip_hdr *to = sip_hdr_find(msg, SIP_HDR_TO);
	char tagged[CALL_ARENA];
	struct sbuf b = sbuf_make(tagged, sizeof(tagged));
	struct sip_naddr na;
	int rc = 0;

	sbuf_slice(&b, buf, to->value);
	sbuf_str(&b, ";tag=");
	sbuf_hex32(&b, sip_reply_call_tag(w->dp->tag_seed, buf, msg));
	if (b.over)
		return -ENOSPC;
	rc |= call_keep(c, &c->a_call_id, buf + msg->call_id.off, msg->call_id.len);
	rc |= call_keep(c, &c->a_from, buf + msg->from.off, msg->from.len);
	rc |= call_keep(c, &c->a_to, tagged, b.len);
	if (ct && sip_naddr_parse(buf, buf + ct->value.off, ct->value.len, &na) > 0)
		rc |= call_keep(c, &c->a_contact, buf + na.uri_text.off, na.uri_text.len);
	else /* no usable Contact: requests to A go to its To URI's owner at its source */
		rc |= call_keep(c, &c->a_contact, buf + msg->from.off, 0);
	rc |= call_keep(c, &c->caller, who->id, who->id_len);
	rc |= call_keep(c, &c->callee, buf + to_user.off, to_user.len);
	return rc ? -ENOSPC : 0;
}

/* From and To of the B side: the caller's user and the callee at our address. */
static int setup_b_side(struct wrk_ctx *w, struct call *c)
{
	char v[256];
	struct sbuf b = sbuf_make(v, sizeof(v));
	uint16_t from_len;

	if (call_make_b_ids(w, c) < 0)
		return -ENOSPC;
	sbuf_str(&b, "<sip:");
	sbuf_put(&b, call_s(c, c->caller), c->caller.len);
	sbuf_put(&b, "@", 1);
	sbuf_ip(&b, c->our_ip);
	sbuf_str(&b, ">;tag=");
	sbuf_put(&b, call_s(c, c->b_from_tag), c->b_from_tag.len);
	from_len = (uint16_t)b.len;
	sbuf_str(&b, "<sip:");
	sbuf_put(&b, call_s(c, c->callee), c->callee.len);
	sbuf_put(&b, "@", 1);
	sbuf_ip(&b, c->our_ip);
	sbuf_str(&b, ">");
	if (b.over || call_keep(c, &c->b_from, v, from_len) < 0 ||
	    call_keep(c, &c->b_to, v + from_len, b.len - from_len) < 0)
		return -ENOSPC;
	return 0;
}

void call_invite(struct wrk_ctx *w, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	const struct sip_msg *msg = &w->msg;
	const char *buf = pkt_payload(m);
	const struct tenant_snap *s = __atomic_load_n(&w->dp->snap, __ATOMIC_ACQUIRE);
	int ti = s && meta->tenant ? tenant_of_state(s, meta->tenant - 1u) : -1;
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;
	struct sip_slice from_user, to_user;
	struct call_caller who;
	struct call *c;
	char route[CALL_ROUTE_MAX];
	int route_len;

	c = call_by_a(w, buf + msg->call_id.off, msg->call_id.len);
	if (c != NULL && msg->cseq < c->a_cseq) {
		/* an INVITE of the same Call-ID before the call's own: the
		 * challenged one (407), duplicated late; its caller has moved on */
		call_count(w->calls, CALL_C_RETRANS_IN);
		goto done;
	}
	if (c != NULL) {
		call_a_invite_again(w, c, m);
		goto done;
	}
	if (ti < 0) {
		wrk_reply(w, m, 404, "Not Found", NULL);
		goto done;
	}
	from_user = setup_user(buf, msg->from, true);
	to_user = setup_user(buf, msg->ruri, false);
	if (call_auth(w, m, s, ti, from_user, &who, now) < 0)
		goto done; /* answered there: 407, 403 or 400 */
	/* A's route set (§12.1.1), before anything is spent on the call: a
	 * dialog that would bypass A's proxies is worse than no call */
	route_len = sip_route_build(buf, msg, false, route, sizeof(route));
	if (route_len < 0) {
		bool bad = route_len == -EINVAL;

		call_count(w->calls, bad ? CALL_C_RSET_BAD : CALL_C_RSET_TOO_BIG);
		wrk_reply(w, m, bad ? 400 : 500, bad ? "Bad Record-Route" : "Server Internal Error",
			  NULL);
		goto done;
	}
	c = call_alloc(w);
	if (c == NULL) {
		call_count(w->calls, CALL_C_TABLE_FULL);
		wrk_reply(w, m, 503, "Service Unavailable", "Retry-After: 1\r\n");
		goto done;
	}
	c->tstate = meta->tenant;
	c->held = meta->call_held;
	meta->call_held = 0; /* the call owns that unit now */
	c->a_ip = meta->src_ip;
	c->a_port = meta->src_port;
	c->a_dp_port = meta->port;
	c->a_io = meta->io;
	c->our_ip = meta->dst_ip;
	c->our_port = meta->dst_port;
	c->a_cseq = msg->cseq;
	c->a_next_cseq = 1;
	c->b_next_cseq = 2; /* 1 is our INVITE */
	c->snap_gen = s->gen;
	c->start_us = call_unix_us();
	if (call_keep(c, &c->a_route, route, (size_t)route_len) < 0 ||
	    setup_keep_a(w, c, buf, msg, &who, to_user) < 0 || setup_b_side(w, c) < 0 ||
	    call_index_a(w, c) < 0) {
		call_count(w->calls, CALL_C_ARENA_FULL);
		wrk_reply(w, m, 500, "Server Internal Error", NULL);
		c->a_call_id.len = 0;
		call_free(w, c);
		goto done;
	}
	call_count(w->calls, CALL_C_INVITE_NEW);
	call_keep_a_inv(c, m, msg);
	sip_txn_start_server(&c->ist, SIP_TXN_IST, &w->txn, false, now);
	if (sip_txn_on_send(&c->ist, 100, now) & SIP_TXN_ACT_SEND_RESPONSE)
		call_out_a_response(w, c, 100, "Trying", NULL, NULL, 0);
	c->route_end = now + CALL_ROUTE_WAIT_MS;
	if (setup_route_request(w, c, s, ti, who.trunk, who.user, meta, buf, msg, now) < 0) {
		call_count(w->calls, CALL_C_ROUTE_SEND_FAIL);
		setup_use_fallback(w, c);
		return;
	}
	call_arm(w, c);
	return;
done:
	/* not a call of its own: what admission held for it goes back */
	admit_release(w->dp, m);
	rte_pktmbuf_free(m);
}

void call_a_invite_again(struct wrk_ctx *w, struct call *c, struct rte_mbuf *m)
{
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;
	bool ack = w->msg.method == SIP_METHOD_ACK;
	unsigned acts;

	if (!ack)
		call_count(w->calls, CALL_C_RETRANS_IN);
	admit_release(w->dp, m); /* a retransmission is not a call of its own */
	if (c->ist.state == SIP_TXN_STATE_TERMINATED)
		return;
	acts = sip_txn_on_request(&c->ist, ack, now);
	if (acts & SIP_TXN_ACT_SEND_RESPONSE)
		call_out_again(w, c->a_resp);
	if (ack && c->phase == CALL_FAILED) {
		setup_maybe_end(w, c);
		if (c->phase != CALL_FREE)
			call_arm(w, c);
	}
}

void call_cancel(struct wrk_ctx *w, struct call *c, struct rte_mbuf *m)
{
	wrk_reply(w, m, 200, "OK", NULL);
	if (c->phase == CALL_ROUTING || c->phase == CALL_TRYING) {
		c->disposition = CDR_CANCELLED;
		call_fail(w, c, 487);
	}
}

/* ---- B leg responses ---- */

static int setup_leg_of(const char *buf, const struct sip_msg *msg)
{
	const char *br = buf + msg->via_branch.off;
	int li = 0;

	/* "z9hG4bK" + 8 hex + 'l' + 8 hex, see call_out.c */
	if (msg->via_branch.len != 24 || br[15] != 'l')
		return -1;
	for (unsigned i = 16; i < 24; i++) {
		char ch = br[i];

		li = li * 16 + (ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ?
						     ch - 'a' + 10 : 0x100);
	}
	return li;
}

/*
 * A 3xx: its Contacts (IPv4 hosts) become new legs of the same target, up
 * to CALL_MAX_LEGS in all, so a redirect never loops for long. How many
 * started.
 */
static unsigned setup_redirect(struct wrk_ctx *w, struct call *c, uint8_t target,
			       const char *buf, const struct sip_msg *msg, uint64_t now)
{
	const struct cpmsg_route_dec *dec = call_dec(c);
	unsigned started = 0;

	for (const struct sip_hdr *h = sip_hdr_find(msg, SIP_HDR_CONTACT); h;
	     h = sip_hdr_next(msg, h)) {
		struct sip_contact ct;
		size_t pos = 0;

		while (c->n_legs < CALL_MAX_LEGS &&
		       sip_contact_next(buf, buf + h->value.off, h->value.len, &pos, &ct) > 0) {
			struct call_leg *nl;
			uint32_t ip;

			if (ct.star || !sip_uri_host_ipv4(&ct.na.uri, &ip))
				continue;
			nl = setup_leg(c, target, ip, ct.na.uri.port, buf + ct.na.uri_text.off,
				       ct.na.uri_text.len);
			if (nl && setup_start_leg(w, c, nl, dec && dec->headers[0] ?
							 dec->headers : NULL, now))
				started++;
		}
	}
	return started;
}

/*
 * The route set of leg l's B dialog from the response msg that makes it
 * (a tagged 1xx, §12.1.2) or confirms it (the 2xx, which recomputes it,
 * §13.2.2.4): its Record-Route reversed. 0, or <0 (counted) when it is
 * malformed or cannot be kept, and l's stays as it was.
 */
static int setup_leg_route(struct wrk_ctx *w, struct call *c, struct call_leg *l,
			   const char *buf, const struct sip_msg *msg)
{
	char rs[CALL_ROUTE_MAX];
	struct call_str kept;
	int n = sip_route_build(buf, msg, true, rs, sizeof(rs));

	if (n < 0) {
		call_count(w->calls, n == -EINVAL ? CALL_C_RSET_BAD : CALL_C_RSET_TOO_BIG);
		return n;
	}
	/* the 2xx mostly repeats the early dialog's: the arena keeps it once */
	if (l->route.len == n && memcmp(call_s(c, l->route), rs, (size_t)n) == 0)
		return 0;
	if (call_keep(c, &kept, rs, (size_t)n) < 0) {
		call_count(w->calls, CALL_C_RSET_TOO_BIG);
		return -ENOSPC;
	}
	l->route = kept;
	return 0;
}

/*
 * A 2xx on leg li that the call does not take: a second answer (a fork
 * race, or after our CANCEL), or one whose route set could not be kept.
 * Its dialog is ACKed and hung up at once (§13.2.2.4).
 */
static void setup_refuse_answer(struct wrk_ctx *w, struct call *c, uint8_t li, const char *buf,
				const struct sip_msg *msg)
{
	struct call_leg *l = &c->leg[li];
	struct rte_mbuf *bye;
	int8_t keep = c->winner;

	l->state = LEG_UP;
	call_keep(c, &l->to_tag, buf + msg->to_tag.off, msg->to_tag.len);
	call_out_ack(w, c, l, li, true);
	c->winner = (int8_t)li;
	bye = call_out_request(w, c, CALL_B, SIP_METHOD_BYE, c->b_next_cseq++, NULL, NULL);
	rte_pktmbuf_free(bye);
	c->winner = keep;
	l->state = LEG_DONE;
}

static void setup_answered(struct wrk_ctx *w, struct call *c, uint8_t li, const char *buf,
			   const struct sip_msg *msg, uint64_t now)
{
	struct call_leg *l = &c->leg[li];
	const struct sip_hdr *ct = sip_hdr_find(msg, SIP_HDR_CONTACT);
	struct sip_naddr na;

	c->winner = (int8_t)li;
	l->state = LEG_UP;
	/* the 2xx's tag and Contact make the dialog (an early one may differ) */
	if (l->to_tag.len != msg->to_tag.len ||
	    memcmp(call_s(c, l->to_tag), buf + msg->to_tag.off, msg->to_tag.len) != 0)
		call_keep(c, &l->to_tag, buf + msg->to_tag.off, msg->to_tag.len);
	if (ct && sip_naddr_parse(buf, buf + ct->value.off, ct->value.len, &na) > 0 &&
	    (l->contact.len != na.uri_text.len ||
	     memcmp(call_s(c, l->contact), buf + na.uri_text.off, na.uri_text.len) != 0))
		call_keep(c, &l->contact, buf + na.uri_text.off, na.uri_text.len);
	setup_cancel_all(w, c, li, now);
	setup_drop_decision(c);
	c->ring_end = SIP_TXN_NEVER;
	c->final_code = msg->status;
	c->disposition = CDR_ANSWERED;
	c->answer_us = call_unix_us();
	if (sip_txn_on_send(&c->ist, msg->status, now) & SIP_TXN_ACT_SEND_RESPONSE) {
		char reason[64];

		call_out_a_response(w, c, msg->status,
				    call_reason(buf, msg, reason, sizeof(reason), "OK"), buf, msg, 0);
	}
	/* the TU resends a 2xx until the ACK (§13.3.1.4) */
	c->resend_ivl = w->txn.t1;
	c->resend_at = now + c->resend_ivl;
	c->give_up = now + 64ull * w->txn.t1;
	c->phase = CALL_ANSWERED;
	call_count(w->calls, CALL_C_ANSWERED);
	call_live(w, c, CPMSG_CALL_ANSWERED);
}

/*
 * The best final of the current targets' legs (after §16.7): a 6xx, else a
 * busy (486), else the lowest other code; dflt if none has one.
 */
static uint16_t setup_best(const struct call *c, uint16_t dflt)
{
	uint16_t best = 0;

	for (unsigned i = c->step0; i < c->n_legs; i++) {
		uint16_t k = c->leg[i].code;

		if (k == 0 || k == 487)
			continue;
		if (k < 400)
			k = 480; /* a redirect that led nowhere */
		if (best == 0 || (k >= 600 && best < 600) || (k == 486 && best < 600) ||
		    (best != 486 && best < 600 && k < best))
			best = k;
	}
	return best ? best : dflt;
}

/*
 * Every leg of the current targets ended without an answer: the next
 * target on 408, 480, 5xx, 6xx (the issue's failover rule), else the call
 * fails with the best final.
 */
static void setup_step_done(struct wrk_ctx *w, struct call *c)
{
	uint16_t code;

	if (c->phase != CALL_TRYING || setup_legs_pending(c, c->step0))
		return;
	code = setup_best(c, 480);
	if (code == 408 || code == 480 || code >= 500)
		setup_next(w, c, call_dec(c), code);
	else
		call_fail(w, c, code);
}

void call_b_invite_response(struct wrk_ctx *w, struct call *c, struct rte_mbuf *m)
{
	const struct sip_msg *msg = &w->msg;
	const char *buf = pkt_payload(m);
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;
	int li = setup_leg_of(buf, msg);
	struct call_leg *l;
	unsigned acts;

	if (li < 0 || li >= c->n_legs)
		return;
	l = &c->leg[li];
	if (msg->status >= 200)
		rte_prefetch0(l->inv); /* a final frees it, after the relay to A */
	acts = sip_txn_on_response(&l->ict, msg->status, now);
	if (!msg->to_tag.len || l->to_tag.len == 0) {
		/* keep the tag for the ACK of a non-2xx (same dialog id) */
		if (msg->status >= 300 && msg->to_tag.len)
			call_keep(c, &l->to_tag, buf + msg->to_tag.off, msg->to_tag.len);
	}
	if (acts & SIP_TXN_ACT_SEND_ACK)
		call_out_ack(w, c, l, (uint8_t)li, false);
	if (msg->status >= 200 && msg->status < 300 && (int)li == c->winner) {
		/* the winner's 2xx again: before the caller's ACK it is absorbed
		 * (our ACK follows theirs); after, our ACK was lost: again */
		if (c->a_acked)
			call_out_ack(w, c, l, (uint8_t)li, true);
		return;
	}
	if (!(acts & SIP_TXN_ACT_PASS_UP))
		goto out;
	if (msg->status < 200) {
		if (msg->status == 100)
			goto out;
		if (l->state == LEG_CANCELLED && !l->cancel_sent) {
			/* the CANCEL that had to wait for a provisional (§9.1) */
			l->state = LEG_EARLY;
			setup_cancel_leg(w, c, (uint8_t)li, now);
			goto out;
		}
		if (l->state == LEG_CALLING)
			l->state = LEG_EARLY;
		if (msg->to_tag.len && l->to_tag.len == 0 && l->state == LEG_EARLY &&
		    setup_leg_route(w, c, l, buf, msg) == 0) {
			/* an early dialog: PRACK and UPDATE go to it (RFC 3262, 3311);
			 * none when its route set cannot be kept (counted), though
			 * the 1xx still goes to A */
			const struct sip_hdr *ct = sip_hdr_find(msg, SIP_HDR_CONTACT);
			struct sip_naddr na;

			call_keep(c, &l->to_tag, buf + msg->to_tag.off, msg->to_tag.len);
			if (ct && sip_naddr_parse(buf, buf + ct->value.off, ct->value.len, &na) > 0)
				call_keep(c, &l->contact, buf + na.uri_text.off, na.uri_text.len);
			c->early = (int8_t)li;
		}
		if (c->phase == CALL_TRYING && l->state == LEG_EARLY &&
		    (sip_txn_on_send(&c->ist, msg->status, now) & SIP_TXN_ACT_SEND_RESPONSE)) {
			char reason[64];

			call_out_a_response(w, c, msg->status,
					    call_reason(buf, msg, reason, sizeof(reason), "Ringing"),
					    buf, msg, call_rseq_to_a(c, l, buf, msg));
			if (c->ring_us == 0) {
				c->ring_us = call_unix_us();
				call_live(w, c, CPMSG_CALL_RINGING);
			}
		}
		goto out;
	}
	rte_pktmbuf_free(l->inv);
	l->inv = NULL;
	l->cancel_at = 0;
	if (msg->status < 300) {
		if (c->phase != CALL_TRYING || l->state == LEG_CANCELLED) {
			/* a second answer (fork race, or after a CANCEL): hung up in
			 * its dialog, its route set kept if it can be */
			setup_leg_route(w, c, l, buf, msg);
			setup_refuse_answer(w, c, (uint8_t)li, buf, msg);
		} else if (setup_leg_route(w, c, l, buf, msg) < 0) {
			/* a dialog we would send past the callee's proxies: none;
			 * the leg failed, the next target or the call's end follows */
			setup_refuse_answer(w, c, (uint8_t)li, buf, msg);
			l->code = 500;
			setup_step_done(w, c);
		} else {
			setup_answered(w, c, (uint8_t)li, buf, msg, now);
		}
		goto out;
	}
	/* 3xx-6xx */
	l->code = msg->status;
	if (l->state == LEG_CANCELLED)
		l->code = 487;
	else if (msg->status < 400 && c->phase == CALL_TRYING)
		setup_redirect(w, c, l->target, buf, msg, now);
	l->state = LEG_DONE;
	if (c->phase == CALL_TRYING)
		setup_step_done(w, c);
	else
		setup_maybe_end(w, c);
out:
	if (c->phase != CALL_FREE)
		call_arm(w, c);
}

/* ---- timers ---- */

void call_setup_timers(struct wrk_ctx *w, struct call *c, uint64_t now)
{
	if (c->route_end <= now && c->phase == CALL_ROUTING) {
		c->route_end = SIP_TXN_NEVER;
		call_count(w->calls, CALL_C_ROUTE_LATE);
		setup_use_fallback(w, c);
		if (c->phase == CALL_FREE)
			return;
	}
	if (c->ist.state != SIP_TXN_STATE_TERMINATED && sip_txn_deadline(&c->ist) <= now) {
		unsigned acts = sip_txn_on_timer(&c->ist, now);

		if (acts & SIP_TXN_ACT_SEND_RESPONSE) {
			call_count(w->calls, CALL_C_RETRANS_OUT);
			call_out_again(w, c->a_resp);
		}
	}
	for (uint8_t i = 0; i < c->n_legs; i++) {
		struct call_leg *l = &c->leg[i];

		if (l->ict.state != SIP_TXN_STATE_TERMINATED && sip_txn_deadline(&l->ict) <= now) {
			unsigned acts = sip_txn_on_timer(&l->ict, now);

			if (acts & SIP_TXN_ACT_SEND_REQUEST) {
				call_count(w->calls, CALL_C_RETRANS_OUT);
				call_out_again(w, l->inv);
			}
			if ((acts & SIP_TXN_ACT_TIMEOUT) &&
			    (l->state == LEG_CALLING || l->state == LEG_EARLY ||
			     l->state == LEG_CANCELLED)) {
				call_count(w->calls, CALL_C_LEG_TIMEOUT);
				l->state = LEG_DONE;
				l->code = 408;
				rte_pktmbuf_free(l->inv);
				l->inv = NULL;
				l->cancel_at = 0;
				if (c->phase == CALL_TRYING)
					setup_step_done(w, c);
				if (c->phase == CALL_FREE)
					return;
			}
		}
		if (l->cancel_at && l->cancel_at <= now) {
			if (l->state == LEG_CANCELLED && l->cancel_ivl < 64u * w->txn.t1) {
				call_out_cancel(w, c, l, i);
				l->cancel_ivl = l->cancel_ivl * 2 < w->txn.t2 ? l->cancel_ivl * 2 :
										 w->txn.t2;
				l->cancel_at = now + l->cancel_ivl;
			} else {
				l->cancel_at = 0;
			}
		}
	}
	if (c->ring_end <= now && c->phase == CALL_TRYING) {
		c->ring_end = SIP_TXN_NEVER;
		call_count(w->calls, CALL_C_RING_TIMEOUT);
		/* a leg that already said busy beats the ones that rang out */
		uint16_t code = setup_best(c, 480);

		setup_cancel_all(w, c, -1, now);
		/* the cancelled legs finish on their own; the call goes on */
		setup_next(w, c, call_dec(c), code == 486 || code >= 600 ? code : 480);
	}
	if (c->phase == CALL_FAILED)
		setup_maybe_end(w, c);
}
