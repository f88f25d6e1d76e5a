/* SPDX-License-Identifier: MIT */
/*
 * IPv4 output on the io lcore: routes a datagram to a port (on-link subnet,
 * else the gateway of the port it relates to, else any port's gateway),
 * fragments it to the port's MTU, and hands each piece to the neighbour
 * stage, which adds the Ethernet header once the next hop's MAC is known.
 *
 * In: m starts at an IPv4 header whose checksum is set.
 */
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "io_lcore.h"

#define FRAG_MAX 16 /* pieces of one outgoing datagram */
#define ETH_MIN_FRAME 60 /* without FCS */

/* Picks the port and next hop for dst; -1 if nothing reaches it. */
static int ip_route(const struct dp *dp, uint32_t dst, uint8_t hint,
		    uint32_t *nh)
{
	int p = dp_port_on_link(dp, dst);
	uint16_t i;

	if (p >= 0) {
		*nh = dst;
		return p;
	}
	if (hint < dp->n_ports && dp->ports[hint].gateway) {
		*nh = dp->ports[hint].gateway;
		return hint;
	}
	for (i = 0; i < dp->n_ports; i++) {
		if (dp->ports[i].gateway) {
			*nh = dp->ports[i].gateway;
			return i;
		}
	}
	return -1;
}

static void ip_fragment(struct io_ctx *io, struct rte_mbuf *m, uint8_t port,
			uint32_t nh)
{
	struct rte_mbuf *frags[FRAG_MAX];
	int32_t n, i;

	n = rte_ipv4_fragment_copy_nonseg_packet(m, frags, FRAG_MAX,
						 io->dp->ports[port].mtu,
						 io->dp->pool);
	rte_pktmbuf_free(m);
	if (n < 0) {
		io->st->drop[DROP_TX_FRAG]++;
		return;
	}
	io->st->tx_frags += n;
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		neigh_send(io, port, nh, frags[i]);
	}
}

void ip_out(struct io_ctx *io, struct rte_mbuf *m, uint8_t port_hint)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t nh;
	int port = ip_route(io->dp, rte_be_to_cpu_32(ip->dst_addr), port_hint,
			    &nh);

	if (port < 0) {
		io_drop(io, m, DROP_NO_ROUTE);
		return;
	}
	if (m->pkt_len > io->dp->ports[port].mtu) {
		m->l3_len = rte_ipv4_hdr_len(ip);
		ip_fragment(io, m, (uint8_t)port, nh);
		return;
	}
	neigh_send(io, (uint8_t)port, nh, m);
}

void eth_out(struct io_ctx *io, uint8_t port, const struct rte_ether_addr *dst,
	     uint16_t ether_type, struct rte_mbuf *m)
{
	struct dp_port *p = &io->dp->ports[port];
	struct rte_ether_hdr *eth;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth == NULL) {
		io_drop(io, m, DROP_NOMBUF);
		return;
	}
	eth->dst_addr = *dst;
	eth->src_addr = p->mac;
	eth->ether_type = rte_cpu_to_be_16(ether_type);
	if (m->pkt_len < ETH_MIN_FRAME) {
		uint16_t pad = ETH_MIN_FRAME - m->pkt_len;
		char *tail = rte_pktmbuf_append(m, pad);

		if (tail)
			memset(tail, 0, pad);
	}
	io->st->tx++;
	io->st->tx_bytes += m->pkt_len;
	rte_eth_tx_buffer(p->port_id, io->idx, io->txbuf[port], m);
}
