/* SPDX-License-Identifier: MIT */
/*
 * ICMP echo (RFC 792) for the appliance's addresses: an echo request becomes
 * its echo reply in the same mbuf and leaves through ip_out, so a large
 * (reassembled) ping is fragmented on the way back and a ping from beyond
 * the gateway is answered through it. Other ICMP is counted and dropped.
 *
 * In: m starts at the IPv4 header (m->l3_len set), addressed to us.
 */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "io_lcore.h"

void icmp_input(struct io_ctx *io, uint8_t port, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t len = rte_pktmbuf_data_len(m) - m->l3_len;
	struct rte_icmp_hdr *icmp;
	uint32_t addr;
	uint16_t ck;

	if (len < sizeof(*icmp)) {
		io_drop(io, m, DROP_ICMP_BAD);
		return;
	}
	icmp = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, m->l3_len);
	if (rte_raw_cksum(icmp, len) != 0xffff) {
		io_drop(io, m, DROP_ICMP_BAD);
		return;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		io_drop(io, m, DROP_ICMP_OTHER);
		return;
	}
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	ck = rte_raw_cksum(icmp, len);
	icmp->icmp_cksum = (uint16_t)~ck;

	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	ip->time_to_live = 64;
	ip->fragment_offset = 0;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	io->st->icmp_echo++;
	ip_out(io, m, port);
}
