/* SPDX-License-Identifier: MIT */
/*
 * Building and reading the SIP messages of sluice-callgen: a bounded text
 * buffer that writes straight into an mbuf, the SDP offer and answer, a
 * response built from a request the way a UAS does (RFC 3261 §8.2.6: Via,
 * From, To, Call-ID and CSeq copied, a To tag added), and the few readers
 * the roles need on top of sip_parse (the user of a URI, the URI inside a
 * name-addr, fixed-width hex ids).
 */
#ifndef CALLGEN_SIPMSG_H
#define CALLGEN_SIPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cg.h"

/* Appends text; on overflow marks the buffer, which the caller drops. */
struct sb {
	char *p;
	uint32_t len;
	uint32_t cap;
	bool over;
};

static inline void sb_init(struct sb *b, char *p, uint32_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->over = false;
}

void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_mem(struct sb *b, const void *p, size_t n);

static inline void sb_slice(struct sb *b, const char *buf, struct sip_slice s)
{
	sb_mem(b, buf + s.off, s.len);
}

/* "a.b.c.d" of a host-order address; out holds 16 bytes. */
const char *sipmsg_ip(uint32_t ip, char *out);

/* The SDP body of an offer (answer = false) or answer from ip:rtp_port. */
uint32_t sipmsg_sdp(char *out, uint32_t cap, uint32_t ip, uint16_t rtp_port,
		    uint32_t session, bool answer);

/*
 * A response to rx: status line, every Via line, From, To (with ";tag=" and
 * to_tag appended if the request had no To tag and to_tag is not NULL),
 * Call-ID, CSeq, then `extra` (whole header lines, may be NULL), then
 * Content-Type/Content-Length and the body (NULL for none).
 */
void sipmsg_reply(struct sb *b, const struct cg_rx *rx, unsigned code,
		  const char *reason, const char *to_tag, const char *extra,
		  const char *body, uint32_t body_len);

/* The user part of a SIP URI ("sip:user@host..."); false if none. */
bool sipmsg_uri_user(const char *buf, struct sip_slice uri, struct sip_slice *user);

/* The URI of a name-addr or addr-spec header value (<...> or up to ';'). */
bool sipmsg_addr_uri(const char *buf, struct sip_slice value, struct sip_slice *uri);

/* True if the slice equals the C string s. */
bool sipmsg_eq(const char *buf, struct sip_slice s, const char *str);

/* Reads n (<= 8) hex digits at p; false if any is not a hex digit. */
bool sipmsg_hex(const char *p, unsigned n, uint32_t *out);

#endif
