/* SPDX-License-Identifier: MIT */
/*
 * Per-packet metadata carried in an mbuf dynamic field from the io lcore to
 * the worker and back.
 *
 * Set by classify (rx): port, io, the IPv4/UDP addresses and ports, and where
 * the UDP payload starts; by disp: kind and, for SIP, the method (so a
 * worker can count an ACK or a response without parsing it again). Set by a worker on a reply (tx): port (a hint for
 * routing) and io (which io lcore transmits it); the addresses are in the
 * IPv4 header the worker wrote.
 */
#ifndef SLUICE_PKT_H
#define SLUICE_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_udp.h>

#include "cksum.h"

struct pkt_meta {
	uint32_t src_ip;      /* host byte order */
	uint32_t dst_ip;      /* host byte order */
	uint16_t src_port;    /* host byte order */
	uint16_t dst_port;    /* host byte order */
	uint16_t payload_off; /* UDP payload offset from the mbuf data start */
	uint16_t payload_len; /* UDP payload bytes */
	uint8_t port;         /* index into dp->ports */
	uint8_t io;           /* index of the io lcore that received it */
	uint8_t kind;         /* enum pkt_kind */
	uint8_t sip_method;   /* SIP: enum sip_method from the io lcore's parse */
	uint8_t udp_ok;       /* UDP checksum verified (by the port, or by us) or absent */
	uint8_t call_held;    /* admit: this INVITE holds one of its tenant's concurrent calls */
	uint16_t tenant;      /* admit: tenant state index + 1, 0 = not attributed */
};

enum pkt_kind {
	PKT_SIP = 1,
	PKT_RTP = 2,
};

extern int pkt_meta_offset;

/* Registers the dynfield; call once after EAL init. 0 or -errno. */
int pkt_meta_register(void);

static inline struct pkt_meta *pkt_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, pkt_meta_offset, struct pkt_meta *);
}

/*
 * True if m's UDP checksum is good or absent; m starts at its IPv4 header
 * and classify has filled pkt_meta. The io lcore leaves the check to
 * whoever consumes the datagram (see classify.c): workers call this before
 * touching SIP or RTP, the io lcore before it answers anything itself. The
 * sum is computed at most once per packet.
 */
static inline bool pkt_udp_ok(struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv4_hdr *ip;

	if (meta->udp_ok)
		return true;
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	meta->udp_ok = (uint8_t)cksum_udp4_ok(ip, (const struct rte_udp_hdr *)
				((const char *)ip + (meta->payload_off - sizeof(struct rte_udp_hdr))));
	return meta->udp_ok;
}

/* Bytes of a UDP payload (contiguous: the io lcore linearises). */
static inline char *pkt_payload(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, char *, pkt_meta(m)->payload_off);
}

#endif
