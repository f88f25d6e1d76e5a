/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for route sets (dataplane/sip/sip_route.c). Feeds an
 * arbitrary datagram up to SIP_MSG_MAX to sip_parse and, when it parses,
 * builds its Record-Route set both ways and checks the builder's
 * promises: both directions agree on the outcome and the length; the
 * result is one header line (no CR or LF) that parses back, element by
 * element, as the same elements, the reversed set in the opposite order;
 * a cap one byte short is -ENOSPC; and the first hop of a set reads, with
 * its slices inside the set and a port whenever it has an address. Seeds:
 * tests/fuzz/corpus/sip_route/.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "sip/sip_contact.h"
#include "sip/sip_route.h"

#define CAP 1024
#define MAX_ELEMS 512

struct elems {
	size_t n;
	struct sip_slice e[MAX_ELEMS];
};

static int within(struct sip_slice s, size_t n)
{
	return s.len == 0 || (size_t)s.off + s.len <= n;
}

/* The elements of the route set s[0..n); it must read to its end. */
static void split(const char *s, size_t n, struct elems *out)
{
	struct sip_naddr na;
	size_t pos = 0;
	int rc;

	out->n = 0;
	while ((rc = sip_naddr_next(s, s, n, &pos, &na)) > 0) {
		CHECK(out->n < MAX_ELEMS);
		out->e[out->n++] = na.all;
	}
	CHECK(rc == 0);
}

static void check_hop(const char *s, size_t n)
{
	struct sip_route_hop h;

	CHECK(sip_route_hop(s, s, n, &h) == 0);
	CHECK(within(h.uri, n) && within(h.rest, n) && h.uri.len > 0);
	CHECK(!h.addr || h.port != 0);
	CHECK(h.rest.len == 0 || (size_t)h.rest.off + h.rest.len == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg msg;
	static char fwd[CAP], rev[CAP], tmp[CAP];
	static struct elems ef, er;
	const char *buf = (const char *)data;
	int nf, nr;

	if (size > SIP_MSG_MAX || sip_parse(buf, size, &msg) <= 0)
		return 0;
	nf = sip_route_build(buf, &msg, false, fwd, sizeof(fwd));
	nr = sip_route_build(buf, &msg, true, rev, sizeof(rev));
	CHECK(nf == nr);
	CHECK(nf >= 0 || nf == -EINVAL || nf == -ENOSPC);
	if (nf <= 0)
		return 0;
	CHECK(memchr(fwd, '\r', (size_t)nf) == NULL && memchr(fwd, '\n', (size_t)nf) == NULL);
	CHECK(sip_route_build(buf, &msg, true, tmp, (size_t)nf - 1) == -ENOSPC);
	CHECK(sip_route_build(buf, &msg, false, tmp, (size_t)nf) == nf);
	CHECK(memcmp(tmp, fwd, (size_t)nf) == 0);
	split(fwd, (size_t)nf, &ef);
	split(rev, (size_t)nr, &er);
	CHECK(ef.n == er.n && ef.n > 0);
	for (size_t i = 0; i < ef.n; i++) {
		struct sip_slice a = ef.e[i], b = er.e[er.n - 1 - i];

		CHECK(a.len == b.len && memcmp(fwd + a.off, rev + b.off, a.len) == 0);
	}
	check_hop(fwd, (size_t)nf);
	check_hop(rev, (size_t)nr);
	return 0;
}
