/* SPDX-License-Identifier: MIT */
/*
 * Outgoing SIP datagrams (see sip_out.h).
 */
#include <errno.h>

#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "cksum.h"
#include "pkt.h"
#include "sip_out.h"
#include "sip_parse.h"

#define HDRS_LEN (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

static void out_headers(struct rte_mbuf *m, uint16_t *ip_id, const struct sip_out_addr *a,
			uint16_t payload_len)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(HDRS_LEN + payload_len);
	ip->packet_id = rte_cpu_to_be_16((*ip_id)++);
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(a->src_ip);
	ip->dst_addr = rte_cpu_to_be_32(a->dst_ip);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(a->src_port);
	udp->dst_port = rte_cpu_to_be_16(a->dst_port);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + payload_len);
	udp->dgram_cksum = 0;
	cksum_udp4_set(ip, udp);
}

/*
 * Asks for the mbuf the next allocation from pool on this lcore will get:
 * the top of the lcore's mempool cache, a LIFO. That mbuf was last
 * written on another core (freed by an io lcore after transmission, or
 * received there), so the reset in rte_pktmbuf_alloc missed in the cache
 * on every message built; fetched one message ahead, it is there when
 * needed. Its buffer follows the mbuf (rte_pktmbuf_init's layout), and the
 * headers are written at the start of its data room.
 */
static void out_prefetch_next(struct rte_mempool *pool)
{
	struct rte_mempool_cache *c = rte_mempool_default_cache(pool, rte_lcore_id());
	const char *n;

	if (c == NULL || c->len == 0)
		return;
	n = c->objs[c->len - 1];
	rte_prefetch0(n);
	rte_prefetch0(n + RTE_CACHE_LINE_SIZE);
	rte_prefetch0(n + sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(pool) +
		      RTE_PKTMBUF_HEADROOM);
}

struct rte_mbuf *sip_out_build(struct rte_mempool *pool, struct rte_mempool *big_pool,
			       uint16_t *ip_id, const struct sip_out_addr *a,
			       sip_out_write_fn *write, const void *arg, int *err)
{
	struct rte_mempool *pools[2] = { pool, big_pool };

	for (unsigned i = 0; i < 2; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pools[i]);
		struct sbuf b;
		size_t room;

		if (m == NULL) {
			*err = -ENOMEM;
			return NULL;
		}
		if (i == 0)
			out_prefetch_next(pool);
		room = rte_pktmbuf_tailroom(m);
		if (room > HDRS_LEN + SIP_MSG_MAX)
			room = HDRS_LEN + SIP_MSG_MAX;
		b = sbuf_make(rte_pktmbuf_mtod_offset(m, char *, HDRS_LEN), room - HDRS_LEN);
		write(&b, arg);
		if (b.over) {
			rte_pktmbuf_free(m);
			continue;
		}
		rte_pktmbuf_append(m, (uint16_t)(HDRS_LEN + b.len));
		out_headers(m, ip_id, a, (uint16_t)b.len);
		pkt_meta(m)->port = a->port;
		pkt_meta(m)->io = a->io;
		pkt_meta(m)->payload_off = HDRS_LEN;
		pkt_meta(m)->payload_len = (uint16_t)b.len;
		return m;
	}
	*err = -EMSGSIZE;
	return NULL;
}
