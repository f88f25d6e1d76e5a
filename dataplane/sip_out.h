/* SPDX-License-Identifier: MIT */
/*
 * Outgoing SIP datagrams: an IPv4/UDP packet whose SIP text a builder
 * writes straight into the mbuf. Stateless replies (sip_reply.c) and the
 * B2BUA's requests and relayed responses (sip/call_*.c) are all made here,
 * so every message leaves with the same headers, pools and size rules.
 *
 * The builder runs once into a normal mbuf and, if the text does not fit,
 * once more into one from the big pool; a message above SIP_MSG_MAX is not
 * sent (-EMSGSIZE).
 */
#ifndef SLUICE_SIP_OUT_H
#define SLUICE_SIP_OUT_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "sbuf.h"

/* Where a datagram goes, and how (addresses and ports in host order). */
struct sip_out_addr {
	uint32_t src_ip;
	uint16_t src_port;
	uint32_t dst_ip;
	uint16_t dst_port;
	uint8_t port;  /* dp port index: a hint for ip_out */
	uint8_t io;    /* io lcore that transmits it */
};

/* Writes the SIP text (start line to body) into b; arg is the caller's. */
typedef void sip_out_write_fn(struct sbuf *b, const void *arg);

/*
 * Builds one datagram: write() into an mbuf of pool, or of big_pool when
 * it does not fit, then the IPv4 and UDP headers (checksums set) from a.
 * NULL with *err = -ENOMEM (no mbuf) or -EMSGSIZE.
 */
struct rte_mbuf *sip_out_build(struct rte_mempool *pool, struct rte_mempool *big_pool,
			       uint16_t *ip_id, const struct sip_out_addr *a,
			       sip_out_write_fn *write, const void *arg, int *err);

#endif
