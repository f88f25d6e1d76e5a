/* SPDX-License-Identifier: MIT */
/*
 * Frames of sluice-callgen: Ethernet/IPv4/UDP in and out, and ARP.
 *
 * In: a frame from the port. ARP requests for our addresses are answered
 * in place; the next hop's MAC is learnt from any ARP frame it sends. A
 * UDP datagram to one of our SIP addresses (checksum verified, no
 * fragments) is parsed with sip_parse and handed to the role that owns the
 * address: requests and responses separately. Everything else is counted
 * and dropped.
 *
 * Out: a role builds SIP text at net_payload() of a net_alloc() mbuf and
 * net_send() writes the headers (with both checksums) and queues the frame;
 * net_flush() hands the queue to the port at the end of each loop (or when
 * it fills). A frame that finds the queue full is dropped and counted: the
 * SIP timers turn that into a retransmission.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "cg.h"
#include "cksum.h"

#define NET_HDRS (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
		  sizeof(struct rte_udp_hdr))

struct rte_mbuf *net_alloc(struct cg *cg)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(cg->pool);

	if (m == NULL)
		cg->net_st.nombuf++;
	return m;
}

char *net_payload(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, char *, NET_HDRS);
}

uint16_t net_payload_room(struct rte_mbuf *m)
{
	uint16_t room = rte_pktmbuf_tailroom(m);

	return room > NET_HDRS ? (uint16_t)(room - NET_HDRS) : 0;
}

/*
 * Hands the queue to the port. What the port does not take stays queued
 * for the next loop (the UAC starts no calls while anything is left, so a slow peer slows the generator down instead of losing
 * frames); only a frame that finds the queue full is dropped.
 */
void net_flush(struct cg *cg)
{
	uint16_t sent = 0, k;

	if (cg->n_tx == 0)
		return;
	for (k = 0; k < 2 && sent < cg->n_tx; k++)
		sent += rte_eth_tx_burst(cg->port, 0, cg->tx + sent,
					 (uint16_t)(cg->n_tx - sent));
	cg->net_st.tx += sent;
	if (sent && sent < cg->n_tx)
		memmove(cg->tx, cg->tx + sent, (cg->n_tx - sent) * sizeof(cg->tx[0]));
	cg->n_tx -= sent;
}

static void net_queue(struct cg *cg, struct rte_mbuf *m)
{
	if (cg->n_tx == CG_TXBUF)
		net_flush(cg);
	if (cg->n_tx == CG_TXBUF) {
		cg->net_st.tx_drop++;
		rte_pktmbuf_free(m);
		return;
	}
	cg->net_st.tx_bytes += rte_pktmbuf_pkt_len(m);
	cg->tx[cg->n_tx++] = m;
}

static void net_eth(struct cg *cg, struct rte_ether_hdr *eth,
		    const struct rte_ether_addr *dst, uint16_t type)
{
	eth->dst_addr = *dst;
	eth->src_addr = cg->mac;
	eth->ether_type = rte_cpu_to_be_16(type);
}

void net_send(struct cg *cg, struct rte_mbuf *m, uint16_t len,
	      uint32_t src_ip, uint16_t src_port, uint32_t dst_ip,
	      uint16_t dst_port, const struct rte_ether_addr *dst_mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ulen = (uint16_t)(sizeof(*udp) + len);

	net_eth(cg, eth, dst_mac, RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + ulen));
	ip->packet_id = rte_cpu_to_be_16(cg->ip_id++);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->hdr_checksum = 0;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(src_port);
	udp->dst_port = rte_cpu_to_be_16(dst_port);
	udp->dgram_len = rte_cpu_to_be_16(ulen);
	udp->dgram_cksum = 0;
	cksum_udp4_set(ip, udp);
	m->data_len = (uint16_t)(NET_HDRS + len);
	m->pkt_len = m->data_len;
	cg->net_st.sip_tx++;
	net_queue(cg, m);
}

void net_resend(struct cg *cg, struct rte_mbuf *m)
{
	rte_mbuf_refcnt_update(m, 1);
	cg->net_st.sip_tx++;
	net_queue(cg, m);
}

static bool net_is_ours(const struct cg *cg, uint32_t ip)
{
	return (cg->o->uac && ip == cg->o->uac_ip) ||
	       (cg->o->uas && ip == cg->o->uas_ip);
}

static void net_arp(struct cg *cg, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	uint32_t sip, tip;
	uint16_t op;

	cg->net_st.arp_in++;
	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		cg->net_st.bad_frame++;
		rte_pktmbuf_free(m);
		return;
	}
	op = rte_be_to_cpu_16(arp->arp_opcode);
	sip = rte_be_to_cpu_32(arp->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(arp->arp_data.arp_tip);
	if (sip == cg->next_hop && !cg->o->have_peer_mac) {
		cg->peer_mac = arp->arp_data.arp_sha;
		cg->peer_known = true;
	}
	if (op != RTE_ARP_OP_REQUEST || !net_is_ours(cg, tip) ||
	    rte_mbuf_refcnt_read(m) != 1) {
		rte_pktmbuf_free(m);
		return;
	}
	/* Turn the request into the reply, in place. */
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	arp->arp_data.arp_sha = cg->mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(tip);
	net_eth(cg, eth, &arp->arp_data.arp_tha, RTE_ETHER_TYPE_ARP);
	cg->net_st.arp_replies++;
	net_queue(cg, m);
}

void net_arp_poll(struct cg *cg)
{
	static const struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	if (cg->peer_known || (int32_t)(cg->now_ms - cg->arp_next_ms) < 0)
		return;
	cg->arp_next_ms = cg->now_ms + 200;
	m = net_alloc(cg);
	if (m == NULL)
		return;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	arp = (struct rte_arp_hdr *)(eth + 1);
	net_eth(cg, eth, &bcast, RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = cg->mac;
	arp->arp_data.arp_sip = rte_cpu_to_be_32(cg->o->uac ? cg->o->uac_ip :
							      cg->o->uas_ip);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = rte_cpu_to_be_32(cg->next_hop);
	m->data_len = sizeof(*eth) + sizeof(*arp);
	m->pkt_len = m->data_len;
	cg->net_st.arp_requests++;
	net_queue(cg, m);
}

/* The SIP message of a checked UDP datagram, to the role that owns dst. */
static void net_sip(struct cg *cg, struct rte_mbuf *m, const struct rte_ether_hdr *eth,
		    const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *udp)
{
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	uint16_t dport = rte_be_to_cpu_16(udp->dst_port);
	struct cg_rx rx;
	bool to_uac, to_uas;
	int rc;

	to_uac = cg->o->uac && dst == cg->o->uac_ip && dport == cg->o->uac_port;
	to_uas = cg->o->uas && dst == cg->o->uas_ip && dport == cg->o->uas_port;
	if (!to_uac && !to_uas) {
		cg->net_st.not_ours++;
		return;
	}
	rx.m = m;
	rx.buf = (const char *)(udp + 1);
	rx.len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp));
	rx.src_ip = rte_be_to_cpu_32(ip->src_addr);
	rx.src_port = rte_be_to_cpu_16(udp->src_port);
	rx.src_mac = &eth->src_addr;
	rc = sip_parse(rx.buf, rx.len, &rx.sip);
	if (rc < 0) {
		cg->net_st.sip_perr++;
		return;
	}
	cg->net_st.sip_rx++;
	if (to_uac) {
		if (rx.sip.method == SIP_METHOD_NONE)
			uac_response(cg, &rx);
		else
			uac_request(cg, &rx);
	} else {
		if (rx.sip.method == SIP_METHOD_NONE)
			uas_response(cg, &rx);
		else
			uas_request(cg, &rx);
	}
}

int net_input(struct cg *cg, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	uint16_t len = rte_pktmbuf_data_len(m), tot, ihl;

	cg->net_st.rx++;
	cg->net_st.rx_bytes += rte_pktmbuf_pkt_len(m);
	if (cg->o->rx_loss_ppm) {
		cg->rng ^= cg->rng << 13;
		cg->rng ^= cg->rng >> 7;
		cg->rng ^= cg->rng << 17;
		if (cg->rng % 1000000 < cg->o->rx_loss_ppm) {
			cg->net_st.rx_lost++;
			goto drop;
		}
	}
	if (len < sizeof(*eth))
		goto bad;
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		net_arp(cg, m);
		return 0;
	}
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		cg->net_st.not_ours++;
		goto drop;
	}
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (len < sizeof(*eth) + sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		goto bad;
	ihl = (uint16_t)((ip->version_ihl & 15) * 4);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ihl < sizeof(*ip) || tot < ihl + sizeof(*udp) ||
	    tot > len - sizeof(*eth) ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
						    RTE_IPV4_HDR_OFFSET_MASK)))
		goto bad;
	if (ip->next_proto_id != IPPROTO_UDP ||
	    !net_is_ours(cg, rte_be_to_cpu_32(ip->dst_addr))) {
		cg->net_st.not_ours++;
		goto drop;
	}
	udp = (const struct rte_udp_hdr *)((const char *)ip + ihl);
	if (rte_be_to_cpu_16(udp->dgram_len) < sizeof(*udp) ||
	    rte_be_to_cpu_16(udp->dgram_len) > tot - ihl)
		goto bad;
	if (!cksum_udp4_ok(ip, udp)) {
		cg->net_st.bad_cksum++;
		goto drop;
	}
	net_sip(cg, m, eth, ip, udp);
	rte_pktmbuf_free(m);
	return 1;
bad:
	cg->net_st.bad_frame++;
drop:
	rte_pktmbuf_free(m);
	return 0;
}
