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

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

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

/* Bytes of a UDP payload (contiguous: the io lcore linearises). */
static inline char *pkt_payload(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, char *, pkt_meta(m)->payload_off);
}

#endif
