/* SPDX-License-Identifier: MIT */
/*
 * classify: the first stage of every received burst on an io lcore.
 *
 *   Ethernet (ours or multicast)
 *            ├ ARP ────────────────────────────────► arp_input
 *            └ IPv4 ─ check header ─ fragment? ─────► ip_reass_input ┐
 *                     │◄───────────────────────────────────────────┘
 *                     ├ ICMP ───────────────────────► icmp_input
 *                     └ UDP ─ check ─ SIP port ─────► disp_sip
 *                                    └ RTP range ───► disp_rtp
 * Anything else is counted under its drop reason and freed.
 *
 * Sets: m->l3_len; the Ethernet header is stripped so later stages see the
 * IPv4 header at the data start; pkt_meta (addresses, ports, payload
 * offset and length, port, io) for UDP.
 */
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "io_lcore.h"
#include "pkt.h"

static int classify_sip_port(const struct cfg *cfg, uint16_t port)
{
	uint16_t i;

	for (i = 0; i < cfg->sip.n_udp_ports; i++)
		if (cfg->sip.udp_ports[i] == port)
			return 1;
	return 0;
}

static void classify_udp(struct io_ctx *io, uint8_t port, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t avail = rte_pktmbuf_data_len(m) - m->l3_len;
	struct rte_udp_hdr *udp;
	struct pkt_meta *meta;
	uint16_t ulen, dport;

	if (avail < sizeof(*udp)) {
		io_drop(io, m, DROP_UDP_BAD);
		return;
	}
	udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, m->l3_len);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(*udp) || ulen > avail) {
		io_drop(io, m, DROP_UDP_BAD);
		return;
	}
	/*
	 * A checksum the port found bad is dropped here; one it did not check
	 * is left to the datagram's consumer (pkt_udp_ok). Summing every byte
	 * is the costliest thing classify would do, and the io lcore is the
	 * one stage that does not scale with cores: workers do, and they read
	 * those bytes anyway. A corrupt datagram may reach the wrong worker;
	 * that worker drops it, as the io lcore would have.
	 */
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
		io_drop(io, m, DROP_UDP_BAD);
		return;
	}
	dport = rte_be_to_cpu_16(udp->dst_port);
	meta = pkt_meta(m);
	meta->udp_ok = udp->dgram_cksum == 0 ||
		       (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
			       RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	meta->src_ip = rte_be_to_cpu_32(ip->src_addr);
	meta->dst_ip = rte_be_to_cpu_32(ip->dst_addr);
	meta->src_port = rte_be_to_cpu_16(udp->src_port);
	meta->dst_port = dport;
	meta->payload_off = m->l3_len + sizeof(*udp);
	meta->payload_len = ulen - sizeof(*udp);
	meta->port = port;
	meta->io = (uint8_t)io->idx;

	if (dport >= io->dp->rtp_min && dport <= io->dp->rtp_max)
		disp_rtp(io, m);
	else if (classify_sip_port(io->dp->cfg, dport))
		disp_sip(io, m);
	else
		io_drop(io, m, DROP_UDP_PORT);
}

/* m starts at the IPv4 header. */
static void classify_ipv4(struct io_ctx *io, uint8_t port, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t hlen, tlen;

	if (len < sizeof(*ip) || (ip->version_ihl >> 4) != 4) {
		io_drop(io, m, DROP_IP_BAD);
		return;
	}
	hlen = rte_ipv4_hdr_len(ip);
	tlen = rte_be_to_cpu_16(ip->total_length);
	if (hlen < sizeof(*ip) || hlen > tlen || tlen > len ||
	    ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) !=
		     RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	     rte_raw_cksum(ip, hlen) != 0xffff)) {
		io_drop(io, m, DROP_IP_BAD);
		return;
	}
	if (tlen < len)
		rte_pktmbuf_trim(m, len - tlen); /* Ethernet padding */
	m->l3_len = hlen;
	if (dp_port_by_addr(io->dp, rte_be_to_cpu_32(ip->dst_addr)) < 0) {
		io_drop(io, m, DROP_IP_NOT_OURS);
		return;
	}
	if (rte_ipv4_frag_pkt_is_fragmented(ip)) {
		m = ip_reass_input(io, m, rte_rdtsc());
		if (m == NULL)
			return;
		ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	}
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		classify_udp(io, port, m);
		break;
	case IPPROTO_ICMP:
		icmp_input(io, port, m);
		break;
	default:
		io_drop(io, m, DROP_IP_PROTO);
	}
}

void classify_burst(struct io_ctx *io, uint8_t port, struct rte_mbuf **pkts,
		    uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eth;
		uint16_t type;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		io->st->rx++;
		io->st->rx_bytes += m->pkt_len;
		if (rte_pktmbuf_data_len(m) < sizeof(*eth)) {
			io_drop(io, m, DROP_L2_SHORT);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		/* vdevs see what the kernel bridge floods; a NIC filters it */
		if (!rte_is_multicast_ether_addr(&eth->dst_addr) &&
		    !rte_is_same_ether_addr(&eth->dst_addr,
					    &io->dp->ports[port].mac)) {
			io_drop(io, m, DROP_L2_NOT_OURS);
			continue;
		}
		type = eth->ether_type;
		if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
			arp_input(io, port, m);
		} else if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
			rte_pktmbuf_adj(m, sizeof(*eth));
			classify_ipv4(io, port, m);
		} else {
			io_drop(io, m, DROP_L2_OTHER);
		}
	}
}
