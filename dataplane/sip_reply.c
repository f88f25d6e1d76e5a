/* SPDX-License-Identifier: MIT */
/*
 * Stateless SIP replies (see sip_reply.h).
 *
 * The response copies Via (all of them, in order), From, To, Call-ID and
 * CSeq from the request (RFC 3261 §8.2.6.2). The top Via gets `received`
 * when the source address differs from its sent-by host, and always when
 * the request asked for `rport`, whose value becomes the source port
 * (RFC 3581 §4). A To without a tag gets one derived from the Call-ID, the
 * From tag and the branch, so retransmissions of a request get the same
 * tag. The response goes to the source address, and to the source port
 * when rport was asked for, else to the Via port (5060 if none).
 *
 * The message is written straight into the mbuf after room for the IPv4
 * and UDP headers; a reply too big for a normal mbuf is written again into
 * one from the big pool.
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
#include "sip_reply.h"

#define HDRS_LEN (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
#define SIP_DEFAULT_PORT 5060

/* End of the first element of a comma-separated header value: the first
 * comma outside quotes and angle brackets, or the end. */
static size_t first_elem_end(const char *v, size_t n)
{
	int quoted = 0, angle = 0;
	size_t i;

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

static int param_is(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	return n >= k && strncasecmp(p, name, k) == 0 &&
	       (n == k || p[k] == '=' || p[k] == ' ' || p[k] == '\t');
}

static int via_host_is(const char *buf, const struct sip_msg *msg, uint32_t ip)
{
	char tmp[16];
	struct sbuf b = sbuf_make(tmp, sizeof(tmp));

	sbuf_ip(&b, ip);
	return !b.over && b.len == msg->via_host.len &&
	       memcmp(tmp, buf + msg->via_host.off, b.len) == 0;
}

/* The top Via value with received/rport set, then the rest of its line. */
static void reply_top_via(struct sbuf *b, const char *buf,
			  const struct sip_msg *msg, const struct sip_hdr *h,
			  const struct pkt_meta *rx)
{
	const char *v = buf + h->value.off;
	size_t n = h->value.len, end = first_elem_end(v, n), i, start;
	int quoted = 0;

	sbuf_slice(b, buf, h->name);
	sbuf_str(b, ": ");
	/* sent-protocol and sent-by, then each ;param */
	for (i = 0, start = 0; i <= end; i++) {
		if (i < end && v[i] == '"')
			quoted = !quoted;
		if (i < end && (v[i] != ';' || quoted))
			continue;
		if (start == 0) {
			size_t e = i;

			while (e > 0 && (v[e - 1] == ' ' || v[e - 1] == '\t'))
				e--;
			sbuf_put(b, v, e);
		} else if (param_is(v + start, i - start, "rport")) {
			sbuf_str(b, ";rport=");
			sbuf_u32(b, rx->src_port);
		} else if (!param_is(v + start, i - start, "received")) {
			sbuf_put(b, ";", 1);
			sbuf_put(b, v + start, i - start);
		}
		start = i + 1;
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

	h = disp_crc(buf + msg->from_tag.off, msg->from_tag.len, h);
	h = disp_crc(buf + msg->via_branch.off, msg->via_branch.len, h);
	return h ? h : 1;
}

static void reply_write(struct sbuf *b, const struct sip_reply_ctx *ctx,
			const char *buf, const struct sip_msg *msg,
			const struct pkt_meta *rx, uint16_t code,
			const char *reason, const char *extra)
{
	const struct sip_hdr *h;

	sbuf_str(b, "SIP/2.0 ");
	sbuf_u32(b, code);
	sbuf_put(b, " ", 1);
	sbuf_str(b, reason);
	sbuf_str(b, "\r\n");
	h = sip_hdr_find(msg, SIP_HDR_VIA);
	reply_top_via(b, buf, msg, h, rx);
	for (h = sip_hdr_next(msg, h); h; h = sip_hdr_next(msg, h))
		sbuf_slice(b, buf, h->line);
	sbuf_slice(b, buf, sip_hdr_find(msg, SIP_HDR_FROM)->line);
	h = sip_hdr_find(msg, SIP_HDR_TO);
	if (msg->to_tag.len || code == 100) {
		sbuf_slice(b, buf, h->line);
	} else {
		sbuf_slice(b, buf, h->name);
		sbuf_str(b, ": ");
		sbuf_slice(b, buf, h->value);
		sbuf_str(b, ";tag=");
		sbuf_hex32(b, sip_reply_tag(ctx->tag_seed, buf, msg));
		sbuf_str(b, "\r\n");
	}
	sbuf_slice(b, buf, sip_hdr_find(msg, SIP_HDR_CALL_ID)->line);
	sbuf_slice(b, buf, sip_hdr_find(msg, SIP_HDR_CSEQ)->line);
	sbuf_str(b, "Server: sluice\r\n");
	if (extra)
		sbuf_str(b, extra);
	sbuf_str(b, "Content-Length: 0\r\n\r\n");
}

static void reply_headers(struct rte_mbuf *m, const struct sip_reply_ctx *ctx,
			  const struct sip_msg *msg, const struct pkt_meta *rx,
			  uint16_t payload_len)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t dport = msg->via_has_rport ? rx->src_port :
			 msg->via_port ? msg->via_port : SIP_DEFAULT_PORT;

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(HDRS_LEN + payload_len);
	ip->packet_id = rte_cpu_to_be_16((*ctx->ip_id)++);
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(rx->dst_ip);
	ip->dst_addr = rte_cpu_to_be_32(rx->src_ip);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(rx->dst_port);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + payload_len);
	udp->dgram_cksum = 0;
	cksum_udp4_set(ip, udp);
}

struct rte_mbuf *sip_reply_build(const struct sip_reply_ctx *ctx,
				 const char *buf, const struct sip_msg *msg,
				 const struct pkt_meta *rx, uint16_t code,
				 const char *reason, const char *extra,
				 int *err)
{
	struct rte_mempool *pools[2] = { ctx->pool, ctx->big_pool };
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pools[i]);
		struct sbuf b;
		size_t room;

		if (m == NULL) {
			*err = -ENOMEM;
			return NULL;
		}
		room = rte_pktmbuf_tailroom(m);
		if (room > HDRS_LEN + SIP_MSG_MAX)
			room = HDRS_LEN + SIP_MSG_MAX;
		b = sbuf_make(rte_pktmbuf_mtod_offset(m, char *, HDRS_LEN), room - HDRS_LEN);
		reply_write(&b, ctx, buf, msg, rx, code, reason, extra);
		if (b.over) {
			rte_pktmbuf_free(m);
			continue;
		}
		rte_pktmbuf_append(m, (uint16_t)(HDRS_LEN + b.len));
		reply_headers(m, ctx, msg, rx, (uint16_t)b.len);
		pkt_meta(m)->port = rx->port;
		pkt_meta(m)->io = rx->io;
		return m;
	}
	*err = -EMSGSIZE;
	return NULL;
}

struct rte_mbuf *sip_reply_make(const struct dp *dp, uint16_t *ip_id, struct stats_lcore *st,
				const char *buf, const struct sip_msg *msg,
				const struct pkt_meta *rx, uint16_t code, const char *reason,
				const char *extra)
{
	struct sip_reply_ctx rc = {
		.pool = dp->pool,
		.big_pool = dp->big_pool,
		.tag_seed = dp->tag_seed,
		.ip_id = ip_id,
	};
	struct rte_mbuf *m;
	int err = 0;

	m = sip_reply_build(&rc, buf, msg, rx, code, reason, extra, &err);
	if (m == NULL)
		st->drop[err == -ENOMEM ? DROP_NOMBUF : DROP_SIP_NO_REPLY]++;
	return m;
}
