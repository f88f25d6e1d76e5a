/* SPDX-License-Identifier: MIT */
/*
 * A bounded writer for building messages in place (an mbuf's data room, a
 * stack buffer): each append either fits whole or marks the buffer as
 * overflowed and writes nothing, so a builder appends without checking
 * and looks at `over` once at the end. No allocation, no NUL terminator.
 *
 * Header-only and free of DPDK: SIP builders, unit tests and fuzzers use it.
 */
#ifndef SLUICE_SBUF_H
#define SLUICE_SBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sip_parse.h"

struct sbuf {
	char *p;
	size_t len, cap;
	int over;
};

static inline struct sbuf sbuf_make(char *p, size_t cap)
{
	return (struct sbuf){p, 0, cap, 0};
}

static inline void sbuf_put(struct sbuf *b, const char *s, size_t n)
{
	if (n == 0)
		return; /* s may be NULL then: memcpy must not see it */
	if (b->over || n > b->cap - b->len) {
		b->over = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void sbuf_str(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

/*
 * The number appenders below write their digits straight into the buffer
 * when they fit, and only otherwise stage them (so an append still fits
 * whole or not at all). Staged and copied, the copy's wide load waits for
 * the byte stores it covers (no store forwarding): that was on every Via,
 * CSeq and Content-Length of every message a worker builds.
 */
static inline void sbuf_u32(struct sbuf *b, uint32_t v)
{
	char d[10], *o = d;
	size_t n = 1;

	for (uint32_t t = v; t >= 10; t /= 10)
		n++;
	if (!b->over && b->cap - b->len >= n)
		o = b->p + b->len;
	for (size_t i = n; i > 0; i--, v /= 10)
		o[i - 1] = (char)('0' + v % 10);
	if (o == d)
		sbuf_put(b, d, n);
	else
		b->len += n;
}

static inline void sbuf_hex32(struct sbuf *b, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	char d[8], *o = d;

	if (!b->over && b->cap - b->len >= sizeof(d))
		o = b->p + b->len;
	for (int i = 7; i >= 0; i--, v >>= 4)
		o[i] = hex[v & 15];
	if (o == d)
		sbuf_put(b, d, sizeof(d));
	else
		b->len += sizeof(d);
}

/* A slice of a parsed message's buffer. */
static inline void sbuf_slice(struct sbuf *b, const char *buf, struct sip_slice s)
{
	sbuf_put(b, buf + s.off, s.len);
}

/* Dotted quad of ip (host byte order), in one append. */
static inline void sbuf_ip(struct sbuf *b, uint32_t ip)
{
	char d[15], *o = d;
	size_t n;

	if (!b->over && b->cap - b->len >= sizeof(d))
		o = b->p + b->len;
	n = 0;
	for (int s = 24; s >= 0; s -= 8) {
		unsigned v = (ip >> s) & 255;

		if (v >= 100)
			o[n++] = (char)('0' + v / 100);
		if (v >= 10)
			o[n++] = (char)('0' + v / 10 % 10);
		o[n++] = (char)('0' + v % 10);
		if (s)
			o[n++] = '.';
	}
	if (o == d)
		sbuf_put(b, d, n);
	else
		b->len += n;
}

#endif
