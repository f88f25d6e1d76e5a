/* SPDX-License-Identifier: MIT */
/*
 * Route sets (see sip_route.h): built from Record-Route lines, read for
 * the next hop.
 *
 * A reversed set is written in place without a table of elements: a
 * first pass over the Record-Route lines checks every element and sums
 * the length of the result, a second copies each element to where it
 * lands, counted from the end instead of the start. Both passes run
 * sip_naddr_next over the same bytes, so they see the same elements.
 */
#include "sip/sip_route.h"

#include <errno.h>
#include <string.h>

#include "sip/sip_contact.h"

static const char route_sep[2] = { ',', ' ' };

/* Line folds (CR, LF) inside an element become spaces: equal LWS, one line. */
static void route_unfold(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\r' || p[i] == '\n')
			p[i] = ' ';
}

int sip_route_build(const char *buf, const struct sip_msg *msg, bool reverse, char *out,
		    size_t cap)
{
	size_t total = 0, at = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < msg->n_hdrs; i++) {
			const struct sip_hdr *h = &msg->hdrs[i];
			struct sip_naddr na;
			size_t pos = 0;
			int rc;

			if (h->id != SIP_HDR_RECORD_ROUTE)
				continue;
			while ((rc = sip_naddr_next(buf, buf + h->value.off, h->value.len, &pos,
						    &na)) > 0) {
				size_t len = na.all.len, dst;

				if (pass == 0) {
					total += (total ? sizeof(route_sep) : 0) + len;
					if (total > cap)
						return -ENOSPC;
					continue;
				}
				/* element k sits at `at` in order; reversed, as far from the end */
				dst = reverse ? total - at - len : at;
				memcpy(out + dst, buf + na.all.off, len);
				route_unfold(out + dst, len);
				if (at + len < total) /* not the last: a separator after it */
					memcpy(out + (reverse ? dst - sizeof(route_sep) : dst + len),
					       route_sep, sizeof(route_sep));
				at += len + sizeof(route_sep);
			}
			if (rc < 0)
				return -EINVAL;
		}
	}
	return (int)total;
}

int sip_route_hop(const char *base, const char *s, size_t n, struct sip_route_hop *h)
{
	struct sip_naddr na;
	const struct sip_uri *u = &na.uri;
	size_t pos = 0, r;

	memset(h, 0, sizeof(*h));
	if (n == 0 || sip_naddr_next(base, s, n, &pos, &na) <= 0)
		return -EINVAL;
	h->uri = na.uri_text;
	if (u->headers.len) /* "?headers" are not allowed in a Request-URI (§19.1.1) */
		h->uri.len = (uint16_t)(u->headers.off - 1 - na.uri_text.off);
	/* pos rests on the comma after the first element, or at the end */
	for (r = pos; r < n && (s[r] == ',' || s[r] == ' ' || s[r] == '\t' || s[r] == '\r' ||
				s[r] == '\n'); r++)
		;
	if (r < n)
		h->rest = (struct sip_slice){ (uint16_t)(s + r - base), (uint16_t)(n - r) };
	/* §20.10 makes a bare addr-spec's ;lr a header parameter; a Record-Route
	 * must be a name-addr anyway, so such a hop is taken as meant */
	h->lr = u->lr || (!na.angle && sip_naddr_has(&na, SIP_NADDR_P_LR));
	h->addr = u->scheme == SIP_URI_SCHEME_SIP && u->host_kind == SIP_URI_HOST_IPV4 &&
		  (u->transport.len == 0 || u->transport_id == SIP_URI_TRANSPORT_UDP);
	if (h->addr) {
		h->ip = u->ipv4;
		h->port = u->has_port && u->port ? u->port : SIP_ROUTE_PORT;
	}
	return 0;
}
