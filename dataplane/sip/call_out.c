/* SPDX-License-Identifier: MIT */
/*
 * The messages a call sends (see call.h), written straight into mbufs by
 * sip_out_build.
 *
 * Topology hiding: what goes to one side names only the appliance and
 * that side's own dialog. A B leg gets our Via (one, with a branch of our
 * own), our Call-ID and From tag, a From of the caller's user at our
 * address, our Contact, and the caller's body as it was (the SDP passes
 * through; media anchoring comes with the relay). Nothing of the A side's
 * Via, Contact, Call-ID or Record-Route reaches B, and the other way.
 *
 * Route sets (RFC 3261 §12): each dialog keeps its own (sip_route.h), A's
 * from the Record-Route of its INVITE, B's from that of the 2xx or tagged
 * 1xx. The responses to A's INVITE that make a dialog echo A's
 * Record-Route (§12.1.1); B's never reaches A, and we add none of ours:
 * we are the end of both dialogs. A request in a dialog carries that
 * dialog's Route and goes to its first route (out_dialog_route).
 *
 * Branches are "z9hG4bK" + the call's ref + a kind letter + a number:
 * l<leg> our INVITE to a leg (and its CANCEL and non-2xx ACK), k<leg> the
 * ACK of a leg's 2xx, r<cseq>/s<cseq> a request in the B/A dialog. A
 * response's branch so names the leg it answers without any table.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "dp.h"
#include "pkt.h"
#include "sbuf.h"
#include "sip/call.h"
#include "sip/sip_route.h"
#include "sip_out.h"
#include "sip_reply.h"
#include "worker.h"

#define CALL_ALLOW "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, PRACK, " \
		   "NOTIFY, REFER, MESSAGE\r\n"

struct out_str {
	const char *p;
	size_t n;
};

/* Everything a request we send is made of. */
struct out_req {
	const struct call *c;
	const char *method;
	struct out_str ruri;
	char branch_kind;
	uint32_t branch_n;
	struct out_str from, to, to_tag, call_id;
	uint32_t cseq;
	const char *cseq_method;  /* NULL: method */
	uint8_t max_forwards;
	bool contact;
	struct out_str route;     /* Route value (a route set or its rest), or none */
	struct out_str route_last; /* a strict router's last Route: the remote target */
	const char *extra;        /* CRLF-ended lines or NULL */
	struct out_str pass[3];   /* header lines copied whole (with CRLF) */
	struct out_str ctype, body;
};

static struct out_str out_cs(const struct call *c, struct call_str s)
{
	return (struct out_str){ call_s(c, s), s.len };
}

static struct out_str out_slice(const char *buf, struct sip_slice s)
{
	return (struct out_str){ buf + s.off, s.len };
}

/* Headers that pass from one leg to the other as they are (RFC 3262:
 * reliable provisionals need both ends to agree on 100rel). */
static const char *const out_pass_names[] = { "Supported", "Require", "RSeq" };

/* Whole lines of the headers named in out_pass_names (and "k", Supported's
 * compact form) from msg in buf. */
static void out_pass(struct out_str pass[3], const char *buf, const struct sip_msg *msg)
{
	for (unsigned i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];

		for (unsigned k = 0; k < 3; k++) {
			size_t n = strlen(out_pass_names[k]);

			if (pass[k].n == 0 &&
			    ((h->name.len == n && strncasecmp(buf + h->name.off, out_pass_names[k],
							      n) == 0) ||
			     (k == 0 && h->id == SIP_HDR_SUPPORTED)))
				pass[k] = out_slice(buf, h->line);
		}
	}
}

/* The number that starts the value of the first header `name` (RSeq,
 * RAck: RFC 3262 §7.1, §7.2) in msg, or 0 if there is none. */
static uint32_t out_hdr_num(const char *buf, const struct sip_msg *msg, const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];
		const char *v = buf + h->value.off;
		uint32_t num = 0;
		size_t j = 0;

		if (h->name.len != n || strncasecmp(buf + h->name.off, name, n) != 0)
			continue;
		while (j < h->value.len && j < 10 && v[j] >= '0' && v[j] <= '9')
			num = num * 10 + (uint32_t)(v[j++] - '0');
		return num;
	}
	return 0;
}

/* RAck (RFC 3262 §7.2) for the other leg: rseq, the CSeq of that leg's
 * INVITE. Written into out. */
static void out_rack(char *out, size_t cap, uint32_t rseq, uint32_t invite_cseq)
{
	struct sbuf b = sbuf_make(out, cap - 1);

	sbuf_str(&b, "RAck: ");
	sbuf_u32(&b, rseq);
	sbuf_put(&b, " ", 1);
	sbuf_u32(&b, invite_cseq);
	sbuf_str(&b, " INVITE\r\n");
	out[b.over ? 0 : b.len] = '\0';
}

/*
 * A reliable provisional of leg l goes to A with an RSeq of the A dialog.
 * A sees one early dialog whatever the legs (our To tag), and RFC 3262 §4
 * has a UAC drop a reliable 1xx whose RSeq is not one above the last; two
 * forked legs number theirs each from their own start. So the first goes
 * with its own RSeq and every other new one with the last plus one; a
 * leg's retransmission gets the number it had. 0 if msg has no RSeq.
 */
uint32_t call_rseq_to_a(struct call *c, struct call_leg *l, const char *buf,
			const struct sip_msg *msg)
{
	uint32_t v = out_hdr_num(buf, msg, "RSeq");

	if (v == 0)
		return 0;
	if (v == l->rseq_b && l->rseq_a != 0)
		return l->rseq_a;
	c->a_rseq = c->a_rseq ? c->a_rseq + 1 : v;
	l->rseq_b = v;
	l->rseq_a = c->a_rseq;
	return c->a_rseq;
}

/* The leg whose reliable provisional went to A with RSeq ra, or -1. */
static int out_leg_of_rseq(const struct call *c, uint32_t ra)
{
	for (unsigned i = 0; ra != 0 && i < c->n_legs; i++)
		if (c->leg[i].rseq_a == ra)
			return (int)i;
	return -1;
}

static void out_put(struct sbuf *b, struct out_str s)
{
	sbuf_put(b, s.p, s.n);
}

static void out_host(struct sbuf *b, const struct call *c)
{
	sbuf_ip(b, c->our_ip);
	sbuf_put(b, ":", 1);
	sbuf_u32(b, c->our_port);
}

static void out_branch(struct sbuf *b, const struct call *c, char kind, uint32_t n)
{
	sbuf_str(b, "z9hG4bK");
	sbuf_hex32(b, (uint32_t)c->ref);
	sbuf_put(b, &kind, 1);
	sbuf_hex32(b, n);
}

static void out_req_write(struct sbuf *b, const void *arg)
{
	const struct out_req *r = arg;

	sbuf_str(b, r->method);
	sbuf_put(b, " ", 1);
	out_put(b, r->ruri);
	sbuf_str(b, " SIP/2.0\r\nVia: SIP/2.0/UDP ");
	out_host(b, r->c);
	sbuf_str(b, ";branch=");
	out_branch(b, r->c, r->branch_kind, r->branch_n);
	sbuf_str(b, ";rport\r\nMax-Forwards: ");
	sbuf_u32(b, r->max_forwards);
	sbuf_str(b, "\r\n");
	if (r->route.n || r->route_last.n) {
		sbuf_str(b, "Route: ");
		out_put(b, r->route);
		if (r->route_last.n) {
			if (r->route.n)
				sbuf_str(b, ", ");
			sbuf_put(b, "<", 1);
			out_put(b, r->route_last);
			sbuf_put(b, ">", 1);
		}
		sbuf_str(b, "\r\n");
	}
	sbuf_str(b, "From: ");
	out_put(b, r->from);
	sbuf_str(b, "\r\nTo: ");
	out_put(b, r->to);
	if (r->to_tag.n) {
		sbuf_str(b, ";tag=");
		out_put(b, r->to_tag);
	}
	sbuf_str(b, "\r\nCall-ID: ");
	out_put(b, r->call_id);
	sbuf_str(b, "\r\nCSeq: ");
	sbuf_u32(b, r->cseq);
	sbuf_put(b, " ", 1);
	sbuf_str(b, r->cseq_method ? r->cseq_method : r->method);
	sbuf_str(b, "\r\n");
	if (r->contact) {
		sbuf_str(b, "Contact: <sip:");
		out_host(b, r->c);
		sbuf_str(b, ">\r\n" CALL_ALLOW);
	}
	sbuf_str(b, "User-Agent: sluice\r\n");
	if (r->extra)
		sbuf_str(b, r->extra);
	for (unsigned k = 0; k < 3; k++)
		out_put(b, r->pass[k]);
	if (r->body.n) {
		sbuf_str(b, "Content-Type: ");
		out_put(b, r->ctype);
		sbuf_str(b, "\r\nContent-Length: ");
		sbuf_u32(b, (uint32_t)r->body.n);
		sbuf_str(b, "\r\n\r\n");
		out_put(b, r->body);
	} else {
		sbuf_str(b, "Content-Length: 0\r\n\r\n");
	}
}

/* The dp port that reaches ip: on its link, else the one A came in on. */
static uint8_t out_port(const struct wrk_ctx *w, const struct call *c, uint32_t ip)
{
	int p = dp_port_on_link(w->dp, ip);

	return p >= 0 ? (uint8_t)p : c->a_dp_port;
}

static struct rte_mbuf *out_build(struct wrk_ctx *w, const struct call *c, uint32_t ip,
				  uint16_t port, const struct out_req *r)
{
	struct sip_out_addr a = {
		.src_ip = c->our_ip, .src_port = c->our_port,
		.dst_ip = ip, .dst_port = port,
		.port = out_port(w, c, ip), .io = c->a_io,
	};
	struct rte_mbuf *m;
	int err = 0;

	m = sip_out_build(w->dp->pool, w->dp->big_pool, &w->ip_id, &a, out_req_write, r, &err);
	if (m == NULL)
		w->st->drop[err == -ENOMEM ? DROP_NOMBUF : DROP_SIP_NO_REPLY]++;
	return m;
}

/*
 * A request in a dialog whose route set is rs and remote target tgt
 * (RFC 3261 §12.2.1.1): its Request-URI and Route in r, and where it
 * goes in *ip and *port. Those come in as the fallback: the address A's
 * INVITE came from, or the one our INVITE went to. A first route that
 * names no IPv4 address cannot be followed (the dataplane resolves no
 * names): the request goes to the fallback, Route and all, and is
 * counted. For A that is the proxy that record-routed nearest to us in
 * the usual case, so the request still passes it.
 */
static void out_dialog_route(struct wrk_ctx *w, const struct call *c, struct call_str rs,
			     struct out_str tgt, struct out_req *r, uint32_t *ip, uint16_t *port)
{
	const char *s = call_s(c, rs);
	struct sip_route_hop h;

	r->ruri = tgt;
	/* a kept route set was made by sip_route_build: its first hop reads */
	if (rs.len == 0 || sip_route_hop(s, s, rs.len, &h) < 0)
		return;
	if (h.lr) {
		r->route = out_cs(c, rs);
	} else {
		/* a strict router: its URI is the Request-URI, the other routes
		 * follow, then the remote target as the last Route */
		r->ruri = (struct out_str){ s + h.uri.off, h.uri.len };
		r->route = (struct out_str){ s + h.rest.off, h.rest.len };
		r->route_last = tgt;
	}
	if (h.addr) {
		*ip = h.ip;
		*port = h.port;
	} else {
		call_count(w->calls, CALL_C_RSET_NO_HOP);
	}
}

void call_out_again(struct wrk_ctx *w, struct rte_mbuf *kept)
{
	struct rte_mbuf *m;

	if (kept == NULL)
		return;
	m = rte_pktmbuf_copy(kept, w->dp->pool, 0, UINT32_MAX);
	if (m == NULL) {
		w->st->drop[DROP_NOMBUF]++;
		return;
	}
	wrk_send(w, m);
}

/* The body and its Content-Type of a parsed message, if it has one. */
static void out_body(struct out_req *r, const char *buf, const struct sip_msg *msg)
{
	const struct sip_hdr *ct;

	if (buf == NULL || msg->body_len == 0)
		return;
	ct = sip_hdr_find(msg, SIP_HDR_CONTENT_TYPE);
	if (ct == NULL)
		return; /* a body of no declared type is not passed on */
	r->ctype = out_slice(buf, ct->value);
	r->body = (struct out_str){ buf + msg->hdr_end, msg->body_len };
}

int call_out_invite(struct wrk_ctx *w, struct call *c, struct call_leg *l, uint8_t li,
		    const char *extra_hdrs)
{
	const char *abuf = pkt_payload(c->a_inv);
	const struct sip_msg *am = call_a_msg(w, c);
	struct out_req r = {
		.c = c, .method = "INVITE", .ruri = out_cs(c, l->ruri),
		.branch_kind = 'l', .branch_n = li,
		.from = out_cs(c, c->b_from), .to = out_cs(c, c->b_to),
		.call_id = out_cs(c, c->b_call_id), .cseq = 1,
		.max_forwards = am && am->has_max_forwards && am->max_forwards > 0 ?
				(uint8_t)(am->max_forwards - 1) : 70,
		.contact = true, .extra = extra_hdrs && extra_hdrs[0] ? extra_hdrs : NULL,
	};

	if (am == NULL)
		return -EINVAL;
	out_pass(r.pass, abuf, am);
	r.pass[2].n = 0; /* no RSeq in a request */
	out_body(&r, abuf, am);
	l->inv = out_build(w, c, l->ip, l->port, &r);
	if (l->inv == NULL)
		return -ENOMEM;
	call_out_again(w, l->inv);
	return 0;
}

void call_out_cancel(struct wrk_ctx *w, struct call *c, struct call_leg *l, uint8_t li)
{
	struct out_req r = {
		.c = c, .method = "CANCEL", .ruri = out_cs(c, l->ruri),
		.branch_kind = 'l', .branch_n = li,
		.from = out_cs(c, c->b_from), .to = out_cs(c, c->b_to),
		.call_id = out_cs(c, c->b_call_id), .cseq = 1, .max_forwards = 70,
	};
	struct rte_mbuf *m = out_build(w, c, l->ip, l->port, &r);

	if (m)
		wrk_send(w, m);
}

void call_out_ack(struct wrk_ctx *w, struct call *c, struct call_leg *l, uint8_t li, bool ok)
{
	struct out_req r = {
		.c = c, .method = "ACK", .ruri = out_cs(c, l->ruri),
		.branch_kind = ok ? 'k' : 'l', .branch_n = li,
		.from = out_cs(c, c->b_from), .to = out_cs(c, c->b_to),
		.to_tag = out_cs(c, l->to_tag),
		.call_id = out_cs(c, c->b_call_id), .cseq = 1, .max_forwards = 70,
	};
	uint32_t ip = l->ip;
	uint16_t port = l->port;
	struct rte_mbuf *m;

	/* a 2xx's ACK is a request of the B dialog (§13.2.2.4); a non-2xx's
	 * belongs to the INVITE's transaction and goes where it went */
	if (ok)
		out_dialog_route(w, c, l->route,
				 l->contact.len ? out_cs(c, l->contact) : out_cs(c, l->ruri), &r,
				 &ip, &port);
	m = out_build(w, c, ip, port, &r);
	if (m == NULL)
		return;
	if (!ok) {
		/* kept for timer D: the final may come again after the call */
		char br[32];
		struct sbuf b = sbuf_make(br, sizeof(br));

		out_branch(&b, c, r.branch_kind, r.branch_n);
		if (!b.over)
			call_ack_keep(w, br, b.len, m, rte_rdtsc() / w->tsc_per_ms);
	}
	wrk_send(w, m);
}

struct rte_mbuf *call_out_request(struct wrk_ctx *w, struct call *c, enum call_side to,
				  enum sip_method method, uint32_t cseq, const char *rb,
				  const struct sip_msg *rmsg)
{
	struct out_req r = {
		.c = c, .cseq = cseq, .max_forwards = 70,
		.method = sip_method_str(method),
		.contact = method == SIP_METHOD_INVITE || method == SIP_METHOD_UPDATE,
	};
	struct rte_mbuf *m;
	uint32_t ip;
	uint16_t port;
	char rack[64] = "";
	/* the answered dialog, or the early one a 1xx made (UPDATE), or for a
	 * PRACK the leg whose reliable 1xx it acknowledges */
	int li = c->winner >= 0 ? c->winner : c->early;

	if (rb != NULL && method == SIP_METHOD_PRACK) {
		uint32_t ra = out_hdr_num(rb, rmsg, "RAck");
		int pl = to == CALL_B ? out_leg_of_rseq(c, ra) : -1;

		if (pl >= 0) {
			li = pl;
			ra = c->leg[pl].rseq_b; /* back in the leg's numbering */
		}
		out_rack(rack, sizeof(rack), ra, to == CALL_B ? 1 : c->a_cseq);
		r.extra = rack;
	}
	if (rb != NULL && method == SIP_METHOD_OTHER)
		r.method = NULL;
	if (to == CALL_B) {
		const struct call_leg *l = &c->leg[li];

		r.branch_kind = 'r';
		r.from = out_cs(c, c->b_from);
		r.to = out_cs(c, c->b_to);
		r.to_tag = out_cs(c, l->to_tag);
		r.call_id = out_cs(c, c->b_call_id);
		ip = l->ip;
		port = l->port;
		out_dialog_route(w, c, l->route,
				 l->contact.len ? out_cs(c, l->contact) : out_cs(c, l->ruri), &r,
				 &ip, &port);
	} else {
		r.branch_kind = 's';
		r.from = out_cs(c, c->a_to);
		r.to = out_cs(c, c->a_from);
		r.call_id = out_cs(c, c->a_call_id);
		ip = c->a_ip;
		port = c->a_port;
		out_dialog_route(w, c, c->a_route, out_cs(c, c->a_contact), &r, &ip, &port);
	}
	r.branch_n = cseq;
	/* an unknown method keeps its own name */
	char name[32];

	if (r.method == NULL) {
		size_t n = rmsg->method_name.len < sizeof(name) - 1 ? rmsg->method_name.len :
								      sizeof(name) - 1;

		memcpy(name, rb + rmsg->method_name.off, n);
		name[n] = '\0';
		r.method = name;
	}
	if (rb)
		out_body(&r, rb, rmsg);
	m = out_build(w, c, ip, port, &r);
	if (m)
		call_out_again(w, m);
	return m;
}

/* The body of the message in rb/rmsg as a reply's body, or NULL. */
static const struct sip_reply_body *out_reply_body(struct sip_reply_body *body, const char *rb,
						   const struct sip_msg *rmsg)
{
	const struct sip_hdr *ct;

	if (rb == NULL || rmsg->body_len == 0 ||
	    (ct = sip_hdr_find(rmsg, SIP_HDR_CONTENT_TYPE)) == NULL)
		return NULL;
	body->type = rb + ct->value.off;
	body->type_len = ct->value.len;
	body->data = rb + rmsg->hdr_end;
	body->len = rmsg->body_len;
	return body;
}

struct rte_mbuf *call_out_reply(struct wrk_ctx *w, struct rte_mbuf *m, const struct sip_msg *msg,
				uint16_t code, const char *reason, const char *rb,
				const struct sip_msg *rmsg, bool keep)
{
	struct sip_reply_body body;
	struct rte_mbuf *r;

	r = sip_reply_make(w->dp, &w->ip_id, w->st, pkt_payload(m), msg, pkt_meta(m), code,
			   reason, NULL, out_reply_body(&body, rb, rmsg));
	if (r == NULL)
		return NULL;
	if (!keep) {
		wrk_send(w, r);
		return NULL;
	}
	call_out_again(w, r);
	return r;
}

void call_out_a_response(struct wrk_ctx *w, struct call *c, uint16_t code, const char *reason,
			 const char *rb, const struct sip_msg *rmsg, uint32_t rseq)
{
	char extra[512 + CALL_ROUTE_MAX];
	struct sbuf b = sbuf_make(extra, sizeof(extra) - 1);
	struct out_str pass[3] = { { 0 } };
	struct sip_reply_body body;
	const struct sip_msg *am = call_a_msg(w, c);
	struct rte_mbuf *r;

	if (am == NULL)
		return;
	if (code > 100 && code < 300) {
		/* it makes a dialog (every 1xx of ours past 100 has a To tag):
		 * our Contact, and A's Record-Route in order (§12.1.1) */
		sbuf_str(&b, "Contact: <sip:");
		out_host(&b, c);
		sbuf_str(&b, ">\r\n");
		if (c->a_route.len) {
			sbuf_str(&b, "Record-Route: ");
			out_put(&b, out_cs(c, c->a_route));
			sbuf_str(&b, "\r\n");
		}
	}
	if (rb) {
		/* Require: 100rel of a reliable provisional (RFC 3262), and its
		 * RSeq in the A dialog's numbering (call_rseq_to_a) */
		out_pass(pass, rb, rmsg);
		out_put(&b, pass[1]);
	}
	if (rseq) {
		sbuf_str(&b, "RSeq: ");
		sbuf_u32(&b, rseq);
		sbuf_str(&b, "\r\n");
	}
	/* a relayed line too long for extra is left out whole (sbuf); Contact
	 * and Record-Route, first and bounded by CALL_ROUTE_MAX, always fit */
	extra[b.len] = '\0';
	r = sip_reply_make_tagged(w->dp, &w->ip_id, w->st, pkt_payload(c->a_inv), am,
				  pkt_meta(c->a_inv),
				  sip_reply_call_tag(w->dp->tag_seed, pkt_payload(c->a_inv), am),
				  code, reason, extra[0] ? extra : NULL,
				  out_reply_body(&body, rb, rmsg));
	if (r == NULL)
		return;
	rte_pktmbuf_free(c->a_resp);
	c->a_resp = r;
	call_out_again(w, r);
}
