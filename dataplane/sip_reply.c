/* SPDX-License-Identifier: MIT */
/*
 * Stateless SIP replies (see sip_reply.h).
 *
 * The response copies Via (all of them, in order), From, To, Call-ID and
 * CSeq from the request (RFC 3261 §8.2.6.2). The top Via gets `received`
 * when the source address differs from its sent-by host, and always when
 * the request asked for `rport`, whose value becomes the source port
 * (RFC 3581 §4). A To without a tag gets one derived from the Call-ID and
 * the CSeq number, so retransmissions of a request get the same tag, and
 * so the ACK of a non-2xx final, which keeps both (§17.1.1.3), names a
 * reply made here: the io lcore absorbs those ACKs from the light parse alone
 * (sip_reply_acks_own), and a request shed with 503 under overload costs
 * no worker anything. Stateless tags are odd; a call's (sip_reply_call_tag)
 * are even, so the ACK of a call's final still reaches its worker. The
 * response goes to the source address, and to the source port when rport
 * was asked for, else to the Via port (5060 if none).
 *
 * The datagram is made by sip_out_build (sip_out.h).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "cksum.h"
#include "disp.h"
#include "dp.h"
#include "sbuf.h"
#include "sip_out.h"
#include "sip_reply.h"
#include "sip/sip_uri.h"

#define SIP_DEFAULT_PORT 5060

/* End of the first element of a comma-separated header value: the first
 * comma outside quotes and angle brackets, or the end. */
static size_t first_elem_end(const char *v, size_t n)
{
	int quoted = 0, angle = 0;
	size_t i;

	/* most Via values are one element: no comma at all (memchr scans
	 * many bytes a cycle, the loop below one) */
	if (memchr(v, ',', n) == NULL)
		return n;
	for (i = 0; i < n; i++) {
		char c = v[i];

		if (quoted) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '"')
				quoted = 0;
		} else if (c == '"') {
			quoted = 1;
		} else if (c == '<') {
			angle = 1;
		} else if (c == '>') {
			angle = 0;
		} else if (c == ',' && !angle) {
			return i;
		}
	}
	return n;
}

/* The next ';' at or after i and before end outside quotes, or end; i is
 * outside quotes. quotes: v[0..end) has a '"' at all. */
static size_t param_next(const char *v, size_t i, size_t end, bool quotes)
{
	int quoted = 0;

	if (!quotes) {
		const char *p = memchr(v + i, ';', end - i);

		return p ? (size_t)(p - v) : end;
	}
	for (; i < end; i++) {
		if (v[i] == '"')
			quoted = !quoted;
		else if (v[i] == ';' && !quoted)
			return i;
	}
	return end;
}

/* True if the parameter p[0..n) (leading blanks allowed) is name[0..k). */
static bool param_is(const char *p, size_t n, const char *name, size_t k)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	return n >= k && strncasecmp(p, name, k) == 0 &&
	       (n == k || p[k] == '=' || p[k] == ' ' || p[k] == '\t');
}

#define PARAM_IS(p, n, lit) param_is(p, n, lit, sizeof(lit) - 1)

/* The top Via's sent-by host is the address ip (compared as an address). */
static bool via_host_is(const char *buf, const struct sip_msg *msg, uint32_t ip)
{
	uint32_t a;

	return sip_ipv4_text(buf + msg->via_host.off, msg->via_host.len, &a) && a == ip;
}

/* The top Via value with received/rport set, then the rest of its line. */
static void reply_top_via(struct sbuf *b, const char *buf,
			  const struct sip_msg *msg, const struct sip_hdr *h,
			  const struct pkt_meta *rx)
{
	const char *v = buf + h->value.off;
	size_t n = h->value.len, end = first_elem_end(v, n), i, e;
	bool quotes = memchr(v, '"', end) != NULL;

	sbuf_slice(b, buf, h->name);
	sbuf_str(b, ": ");
	/* sent-protocol and sent-by, then each ;param */
	i = param_next(v, 0, end, quotes);
	for (e = i; e > 0 && (v[e - 1] == ' ' || v[e - 1] == '\t'); e--)
		;
	sbuf_put(b, v, e);
	while (i < end) {
		size_t start = i + 1;

		i = param_next(v, start, end, quotes);
		if (PARAM_IS(v + start, i - start, "rport")) {
			sbuf_str(b, ";rport=");
			sbuf_u32(b, rx->src_port);
		} else if (!PARAM_IS(v + start, i - start, "received")) {
			sbuf_put(b, v + start - 1, i - start + 1);
		}
	}
	if (msg->via_has_rport || !via_host_is(buf, msg, rx->src_ip)) {
		sbuf_str(b, ";received=");
		sbuf_ip(b, rx->src_ip);
	}
	sbuf_str(b, "\r\n");
	if (end < n) {
		size_t r = end + 1;

		while (r < n && (v[r] == ' ' || v[r] == '\t'))
			r++;
		if (r < n) {
			sbuf_slice(b, buf, h->name);
			sbuf_str(b, ": ");
			sbuf_put(b, v + r, n - r);
			sbuf_str(b, "\r\n");
		}
	}
}

uint32_t sip_reply_tag(uint32_t seed, const char *buf,
		       const struct sip_msg *msg)
{
	uint32_t h = disp_crc(buf + msg->call_id.off, msg->call_id.len, seed);

	return disp_crc(&msg->cseq, sizeof(msg->cseq), h) | 1u;
}

uint32_t sip_reply_call_tag(uint32_t seed, const char *buf, const struct sip_msg *msg)
{
	return sip_reply_tag(seed, buf, msg) & ~1u;
}

bool sip_reply_acks_own(uint32_t seed, const char *buf, const struct sip_msg *msg)
{
	char want[8];
	struct sbuf b = sbuf_make(want, sizeof(want));

	if (msg->method != SIP_METHOD_ACK || msg->to_tag.len != sizeof(want))
		return false;
	sbuf_hex32(&b, sip_reply_tag(seed, buf, msg));
	return memcmp(buf + msg->to_tag.off, want, sizeof(want)) == 0;
}

struct reply_args {
	const struct sip_reply_ctx *ctx;
	const char *buf;
	const struct sip_msg *msg;
	const struct pkt_meta *rx;
	uint16_t code;
	const char *reason;
	const char *extra;
	const struct sip_reply_body *body;
};

static void reply_write(struct sbuf *b, const void *arg)
{
	const struct reply_args *a = arg;
	const char *buf = a->buf;
	const struct sip_msg *msg = a->msg;
	const struct sip_hdr *h;

	sbuf_str(b, "SIP/2.0 ");
	sbuf_u32(b, a->code);
	sbuf_put(b, " ", 1);
	sbuf_str(b, a->reason);
	sbuf_str(b, "\r\n");
	h = sip_hdr_find(msg, SIP_HDR_VIA);
	reply_top_via(b, buf, msg, h, a->rx);
	for (h = sip_hdr_next(msg, h); h; h = sip_hdr_next(msg, h))
		sbuf_slice(b, buf, h->line);
	sbuf_slice(b, buf, sip_hdr_find(msg, SIP_HDR_FROM)->line);
	h = sip_hdr_find(msg, SIP_HDR_TO);
	if (msg->to_tag.len || a->code == 100) {
		sbuf_slice(b, buf, h->line);
	} else {
		sbuf_slice(b, buf, h->name);
		sbuf_str(b, ": ");
		sbuf_slice(b, buf, h->value);
		sbuf_str(b, ";tag=");
		sbuf_hex32(b, a->ctx->to_tag ? a->ctx->to_tag :
					       sip_reply_tag(a->ctx->tag_seed, buf, msg));
		sbuf_str(b, "\r\n");
	}
	sbuf_slice(b, buf, sip_hdr_find(msg, SIP_HDR_CALL_ID)->line);
	sbuf_slice(b, buf, sip_hdr_find(msg, SIP_HDR_CSEQ)->line);
	sbuf_str(b, "Server: sluice\r\n");
	if (a->extra)
		sbuf_str(b, a->extra);
	if (a->body && a->body->len) {
		sbuf_str(b, "Content-Type: ");
		sbuf_put(b, a->body->type, a->body->type_len);
		sbuf_str(b, "\r\nContent-Length: ");
		sbuf_u32(b, a->body->len);
		sbuf_str(b, "\r\n\r\n");
		sbuf_put(b, a->body->data, a->body->len);
	} else {
		sbuf_str(b, "Content-Length: 0\r\n\r\n");
	}
}

struct rte_mbuf *sip_reply_build(const struct sip_reply_ctx *ctx,
				 const char *buf, const struct sip_msg *msg,
				 const struct pkt_meta *rx, uint16_t code,
				 const char *reason, const char *extra,
				 const struct sip_reply_body *body, int *err)
{
	struct reply_args a = { ctx, buf, msg, rx, code, reason, extra, body };
	struct sip_out_addr to = {
		.src_ip = rx->dst_ip,
		.src_port = rx->dst_port,
		.dst_ip = rx->src_ip,
		.dst_port = msg->via_has_rport ? rx->src_port :
			    msg->via_port ? msg->via_port : SIP_DEFAULT_PORT,
		.port = rx->port,
		.io = rx->io,
	};

	return sip_out_build(ctx->pool, ctx->big_pool, ctx->ip_id, &to, reply_write, &a, err);
}

struct rte_mbuf *sip_reply_make(const struct dp *dp, uint16_t *ip_id, struct stats_lcore *st,
				const char *buf, const struct sip_msg *msg,
				const struct pkt_meta *rx, uint16_t code, const char *reason,
				const char *extra, const struct sip_reply_body *body)
{
	return sip_reply_make_tagged(dp, ip_id, st, buf, msg, rx, 0, code, reason, extra, body);
}

struct rte_mbuf *sip_reply_make_tagged(const struct dp *dp, uint16_t *ip_id,
				       struct stats_lcore *st, const char *buf,
				       const struct sip_msg *msg, const struct pkt_meta *rx,
				       uint32_t to_tag, uint16_t code, const char *reason,
				       const char *extra, const struct sip_reply_body *body)
{
	struct sip_reply_ctx rc = {
		.pool = dp->pool,
		.big_pool = dp->big_pool,
		.tag_seed = dp->tag_seed,
		.to_tag = to_tag,
		.ip_id = ip_id,
	};
	struct rte_mbuf *m;
	int err = 0;

	m = sip_reply_build(&rc, buf, msg, rx, code, reason, extra, body, &err);
	if (m == NULL)
		st->drop[err == -ENOMEM ? DROP_NOMBUF : DROP_SIP_NO_REPLY]++;
	return m;
}
