/* SPDX-License-Identifier: MIT */
/*
 * Route sets of dialogs (RFC 3261 §12.1.1, §12.1.2, §12.2.1.1, §16.12):
 * made from the Record-Route headers of the message that creates a
 * dialog, and read back for every request sent in it.
 *
 * A route set is kept as the text of one Route header value: its
 * elements (name-addrs with their parameters, as written) joined by ", ".
 * The UAS of a dialog (it received the INVITE) keeps the Record-Route
 * elements in order, the UAC (it received the 2xx or tagged 1xx) in
 * reverse, so either way the first element is the next hop, and the text
 * goes out as the Route value unchanged (loose routing), or split at its
 * first element (strict routing).
 *
 * The next hop is taken from the first route's URI alone: the dataplane
 * resolves no names, so a host that is not an IPv4 literal (or a sips,
 * tel or non-UDP URI) is reported as not followable and the caller picks
 * its fallback. maddr is not honoured (RFC 3261 §19.1.1 deprecates it for
 * this use).
 *
 * Workers call this once per dialog and once per request sent in one: no
 * allocation, no state, work linear in the input. Libc only (no DPDK), so
 * it is unit-tested without EAL.
 */
#ifndef SLUICE_SIP_ROUTE_H
#define SLUICE_SIP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip_parse.h"

#define SIP_ROUTE_PORT 5060 /* a route URI without a port */

/*
 * The route set of the Record-Route headers of msg (parsed from buf):
 * every element of every Record-Route line in message order, or reversed
 * when reverse (a UAC's route set), joined by ", " into out[0..cap). Line
 * folds inside an element become spaces, so the result fits one header
 * line. Returns its length (0: no Record-Route), -EINVAL if an element is
 * not a name-addr or addr-spec (sip_naddr_next), -ENOSPC if it is longer
 * than cap. out holds nothing meaningful on error.
 */
int sip_route_build(const char *buf, const struct sip_msg *msg, bool reverse, char *out,
		    size_t cap);

/* The first hop of a route set, for a request sent in its dialog. */
struct sip_route_hop {
	struct sip_slice uri;  /* the first route's URI without ?headers: a strict
				* router's Request-URI (§12.2.1.1) */
	struct sip_slice rest; /* the elements after the first, a Route value (len 0: none) */
	uint32_t ip;           /* where the request goes (host order), if addr */
	uint16_t port;         /* its port, SIP_ROUTE_PORT when the URI has none */
	bool lr;               /* a loose router: ;lr on the URI (or after a bare
				* addr-spec, where §20.10 makes it the header's) */
	bool addr;             /* sip URI, IPv4 literal host, UDP or no transport:
				* ip and port are valid */
};

/*
 * Reads the first element of the route set s[0..n) (s at or after base,
 * ending at most UINT16_MAX bytes after it; slices are offsets from base).
 * Returns 0, or -EINVAL if s is empty or its first element is malformed.
 */
int sip_route_hop(const char *base, const char *s, size_t n, struct sip_route_hop *h);

#endif
