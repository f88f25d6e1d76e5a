/* SPDX-License-Identifier: MIT */
/*
 * SIP text for sluice-callgen (see sipmsg.h). Messages are written with
 * snprintf straight into the mbuf that carries them: one pass, no copy.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sipmsg.h"

void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (uint32_t)n >= b->cap - b->len) {
		b->over = true;
		return;
	}
	b->len += (uint32_t)n;
}

void sb_mem(struct sb *b, const void *p, size_t n)
{
	if (b->over)
		return;
	if (n > b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, p, n);
	b->len += (uint32_t)n;
}

const char *sipmsg_ip(uint32_t ip, char *out)
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
	return out;
}

uint32_t sipmsg_sdp(char *out, uint32_t cap, uint32_t ip, uint16_t rtp_port,
		    uint32_t session, bool answer)
{
	char a[16];
	struct sb b;

	sb_init(&b, out, cap);
	sipmsg_ip(ip, a);
	sb_add(&b,
	       "v=0\r\n"
	       "o=callgen %u %u IN IP4 %s\r\n"
	       "s=-\r\n"
	       "c=IN IP4 %s\r\n"
	       "t=0 0\r\n"
	       "m=audio %u RTP/AVP %s\r\n"
	       "%s"
	       "a=rtpmap:101 telephone-event/8000\r\n"
	       "a=fmtp:101 0-15\r\n"
	       "a=ptime:20\r\n"
	       "a=sendrecv\r\n",
	       session, session, a, a, rtp_port,
	       answer ? "0 101" : "0 8 101",
	       answer ? "a=rtpmap:0 PCMU/8000\r\n" :
			"a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n");
	return b.over ? 0 : b.len;
}

void sipmsg_reply(struct sb *b, const struct cg_rx *rx, unsigned code,
		  const char *reason, const char *to_tag, const char *extra,
		  const char *body, uint32_t body_len)
{
	const struct sip_msg *m = &rx->sip;
	const struct sip_hdr *h;

	sb_add(b, "SIP/2.0 %u %s\r\n", code, reason);
	for (h = sip_hdr_find(m, SIP_HDR_VIA); h; h = sip_hdr_next(m, h))
		sb_slice(b, rx->buf, h->line);
	sb_add(b, "From: ");
	sb_slice(b, rx->buf, m->from);
	sb_add(b, "\r\nTo: ");
	sb_slice(b, rx->buf, m->to);
	if (m->to_tag.len == 0 && to_tag)
		sb_add(b, ";tag=%s", to_tag);
	sb_add(b, "\r\nCall-ID: ");
	sb_slice(b, rx->buf, m->call_id);
	sb_add(b, "\r\nCSeq: %u ", m->cseq);
	sb_slice(b, rx->buf, m->cseq_method);
	sb_add(b, "\r\nServer: sluice-callgen\r\n");
	if (extra)
		sb_add(b, "%s", extra);
	if (body && body_len) {
		sb_add(b, "Content-Type: application/sdp\r\nContent-Length: %u\r\n\r\n",
		       body_len);
		sb_mem(b, body, body_len);
	} else {
		sb_add(b, "Content-Length: 0\r\n\r\n");
	}
}

bool sipmsg_uri_user(const char *buf, struct sip_slice uri, struct sip_slice *user)
{
	const char *p = buf + uri.off, *end = p + uri.len, *at, *colon;

	colon = memchr(p, ':', uri.len);
	if (colon == NULL)
		return false;
	p = colon + 1;
	at = memchr(p, '@', (size_t)(end - p));
	if (at == NULL)
		return false;
	/* user ends at '@' or at a ':' password or ';' user parameter */
	for (colon = p; colon < at && *colon != ':' && *colon != ';'; colon++)
		;
	user->off = (uint16_t)(p - buf);
	user->len = (uint16_t)(colon - p);
	return user->len > 0;
}

bool sipmsg_addr_uri(const char *buf, struct sip_slice value, struct sip_slice *uri)
{
	const char *p = buf + value.off, *end = p + value.len, *lt, *gt, *q;

	lt = memchr(p, '<', value.len);
	if (lt) {
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL)
			return false;
		uri->off = (uint16_t)(lt + 1 - buf);
		uri->len = (uint16_t)(gt - lt - 1);
		return uri->len > 0;
	}
	for (q = p; q < end && *q != ';' && *q != ' ' && *q != '\t'; q++)
		;
	uri->off = value.off;
	uri->len = (uint16_t)(q - p);
	return uri->len > 0;
}

bool sipmsg_eq(const char *buf, struct sip_slice s, const char *str)
{
	size_t n = strlen(str);

	return s.len == n && memcmp(buf + s.off, str, n) == 0;
}

bool sipmsg_hex(const char *p, unsigned n, uint32_t *out)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}
