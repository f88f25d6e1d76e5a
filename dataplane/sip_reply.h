/* SPDX-License-Identifier: MIT */
/*
 * Stateless SIP replies (RFC 3261 §8.2.6, §18.2.2; RFC 3581 rport): builds
 * the response to a parsed request as a complete IPv4/UDP datagram, ready
 * for ip_out, addressed where the request's Via says responses go.
 */
#ifndef SLUICE_SIP_REPLY_H
#define SLUICE_SIP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "pkt.h"
#include "sip_parse.h"

struct sip_reply_ctx {
	struct rte_mempool *pool;     /* normal replies */
	struct rte_mempool *big_pool; /* replies larger than an mbuf */
	uint32_t tag_seed;            /* stateless To-tag = f(seed, Call-ID, CSeq) */
	uint32_t to_tag;              /* a call's own To-tag instead; 0 none */
	uint16_t *ip_id;              /* the caller's IPv4 id counter */
};

/* A body to send with a reply: its Content-Type value and bytes. */
struct sip_reply_body {
	const char *type;
	size_t type_len;
	const char *data;
	size_t len;
};

/*
 * Builds `code reason` for the request in buf (parsed as msg, received as
 * described by rx). extra is added verbatim after the standard headers
 * (each line ending in CRLF, may be NULL). Returns the datagram, starting at
 * its IPv4 header, with pkt_meta port/io copied from rx; NULL with *err set
 * to -ENOMEM (no mbuf) or -EMSGSIZE (would exceed SIP_MSG_MAX).
 */
struct rte_mbuf *sip_reply_build(const struct sip_reply_ctx *ctx,
				 const char *buf, const struct sip_msg *msg,
				 const struct pkt_meta *rx, uint16_t code,
				 const char *reason, const char *extra,
				 const struct sip_reply_body *body, int *err);

struct dp;
struct stats_lcore;

/*
 * sip_reply_build with the dataplane's pools and To-tag seed, counting a
 * failure in st (drop nombuf or sip_no_reply); ip_id is the calling
 * lcore's IPv4 id counter. NULL when no reply could be built.
 */
struct rte_mbuf *sip_reply_make(const struct dp *dp, uint16_t *ip_id, struct stats_lcore *st,
				const char *buf, const struct sip_msg *msg,
				const struct pkt_meta *rx, uint16_t code, const char *reason,
				const char *extra, const struct sip_reply_body *body);

/* sip_reply_make for a call's response: To gets to_tag (sip_reply_call_tag). */
struct rte_mbuf *sip_reply_make_tagged(const struct dp *dp, uint16_t *ip_id,
				       struct stats_lcore *st, const char *buf,
				       const struct sip_msg *msg, const struct pkt_meta *rx,
				       uint32_t to_tag, uint16_t code, const char *reason,
				       const char *extra, const struct sip_reply_body *body);

/* The To-tag a stateless reply to this request carries (stable across
 * retransmits; odd). Needs the request's Call-ID and CSeq only. */
uint32_t sip_reply_tag(uint32_t seed, const char *buf,
		       const struct sip_msg *msg);

/* The To-tag of a call's responses to its caller's INVITE (even: never
 * taken for a stateless reply's). */
uint32_t sip_reply_call_tag(uint32_t seed, const char *buf, const struct sip_msg *msg);

/* Is msg (light parse suffices) the ACK of a stateless non-2xx reply made
 * by sip_reply_build? Such an ACK ends nothing and needs no worker. */
bool sip_reply_acks_own(uint32_t seed, const char *buf, const struct sip_msg *msg);

#endif
