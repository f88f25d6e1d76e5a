/* SPDX-License-Identifier: MIT */
/*
 * ARP (RFC 826) for the appliance's addresses: answers requests for them,
 * learns the sender of any request addressed to us and of every reply, and
 * asks for next hops that ip_out needs. Requests are answered in place in
 * the received mbuf.
 *
 * In:  m starts at the Ethernet header; port is where it arrived.
 * Out: a reply on the same port, or nothing; waiting packets are retried.
 */
#include <rte_arp.h>
#include <rte_cycles.h>

#include "io_lcore.h"
#include "neigh.h"

void arp_input(struct io_ctx *io, uint8_t port, struct rte_mbuf *m)
{
	struct dp_port *p = &io->dp->ports[port];
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	uint32_t sip, tip;
	uint16_t op;
	int for_us;

	io->st->arp_in++;
	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp)) {
		io_drop(io, m, DROP_ARP_BAD);
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	arp = (struct rte_arp_hdr *)(eth + 1);
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)) {
		io_drop(io, m, DROP_ARP_BAD);
		return;
	}
	sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
	for_us = tip == p->addr;

	/* Learn like Linux: from requests to us, from replies, and refresh
	 * entries we already have from anything (gratuitous ARP). */
	if (sip != 0 && sip != p->addr && (sip & p->mask) == (p->addr & p->mask) &&
	    (for_us || op == RTE_ARP_OP_REPLY ||
	     neigh_known(io->dp->neigh, port, sip))) {
		neigh_update(io->dp->neigh, port, sip, &arp->arp_data.arp_sha,
			     rte_rdtsc());
		if (io->n_wait)
			neigh_wait_poll(io, rte_rdtsc());
	}

	if (op != RTE_ARP_OP_REQUEST || !for_us) {
		if (!for_us && op == RTE_ARP_OP_REQUEST)
			io->st->drop[DROP_ARP_NOT_OURS]++;
		rte_pktmbuf_free(m);
		return;
	}

	/* Turn the request into the reply. */
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	arp->arp_data.arp_sha = p->mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(p->addr);
	rte_pktmbuf_adj(m, sizeof(*eth));
	io->st->arp_replies++;
	eth_out(io, port, &arp->arp_data.arp_tha, RTE_ETHER_TYPE_ARP, m);
}

/* A broadcast request from our address for tip; false without an mbuf. */
static bool arp_send_request(struct io_ctx *io, uint8_t port, uint32_t tip)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct dp_port *p = &io->dp->ports[port];
	struct rte_mbuf *m = rte_pktmbuf_alloc(io->dp->pool);
	struct rte_arp_hdr *arp;

	if (m == NULL) {
		io->st->drop[DROP_NOMBUF]++;
		return false;
	}
	arp = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*arp));
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = p->mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(p->addr);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	eth_out(io, port, &bcast, RTE_ETHER_TYPE_ARP, m);
	return true;
}

void arp_request(struct io_ctx *io, uint8_t port, uint32_t ip)
{
	if (arp_send_request(io, port, ip))
		io->st->arp_requests++;
}

/*
 * ARP announcements (RFC 5227 section 2.3): a request for our own address
 * from our own address, broadcast. Hosts that hold an entry for it take our
 * MAC at once, so a restarted appliance (or one on another NIC) is reachable
 * without waiting for their caches to expire. ARP_ANNOUNCE_NUM of them,
 * ARP_ANNOUNCE_INTERVAL_S apart, whenever a port's link comes up.
 */
void arp_announce_poll(struct io_ctx *io, uint64_t now)
{
	for (uint16_t p = 0; p < io->dp->n_ports; p++) {
		struct dp_port *dp_port = &io->dp->ports[p];
		uint8_t left = __atomic_load_n(&dp_port->announce, __ATOMIC_ACQUIRE);

		if (left == 0 || (int64_t)(now - io->announce_tsc[p]) < 0)
			continue;
		if (!arp_send_request(io, (uint8_t)p, dp_port->addr))
			continue; /* no mbuf: the next timer tick tries again */
		io->st->arp_announces++;
		/* main may have set it again meanwhile: that restart wins */
		__atomic_compare_exchange_n(&dp_port->announce, &left, left - 1,
					    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		io->announce_tsc[p] = now + io->hz * ARP_ANNOUNCE_INTERVAL_S;
	}
}
