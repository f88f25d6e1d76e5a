/* SPDX-License-Identifier: MIT */
/*
 * Route decisions from a tenant's configured routes: where a new call
 * goes when no template decides (a pure function of the tenant's config
 * and the request; no DPDK, no I/O, unit-tested alone).
 *
 * In order, the first rule that applies decides:
 *   1. route     the callee matches one of the tenant's routes: an exact
 *                match beats any prefix, the longest prefix beats shorter
 *   2. extension the callee is a user's extension: that user
 *   3. DID       the callee is a DID the tenant owns (exact, else the
 *                longest prefix DID; a leading '+' is optional on either
 *                side) and a route has that DID as its match: that route
 *   4. outbound  the caller is one of the tenant's users and the tenant has
 *                a default_trunk: out through it
 *   5. fallback  the tenant's fallback targets, or reject with its status
 * A call that came in from a trunk never goes out through a trunk (no
 * transit): it takes rules 1 and 3 with their user targets only, and is
 * rejected 404 if no user is left.
 *
 * Isolation: targets are indices into this tenant's users[] and trunks[]
 * only, as the loader resolved them; nothing here can name another
 * tenant's user or trunk.
 */
#ifndef SLUICE_ROUTE_H
#define SLUICE_ROUTE_H

#include "cfg.h"
#include "cpmsg.h"

/* Why a decision was taken (for counters and logs). */
enum route_rule {
	ROUTE_BY_ROUTE = 1,
	ROUTE_BY_EXTENSION,
	ROUTE_BY_DID,
	ROUTE_BY_DEFAULT_TRUNK,
	ROUTE_BY_FALLBACK,
	ROUTE_BY_NO_TRANSIT, /* from a trunk, no user to go to: 404 */
	ROUTE_RULE_COUNT
};

/*
 * Fills *dec for req in tenant t. Targets get ring_s = the target's ring
 * time, or the tenant's limits.max_ring_s when that is 0 or above it;
 * routes with more than CPMSG_MAX_TARGETS targets keep the first ones.
 * Returns the rule that decided (enum route_rule), or -EINVAL if req names
 * a user or trunk the tenant does not have (dec then rejects 500).
 */
int route_decide(const struct cfg_tenant *t, const struct cpmsg_route_req *req,
		 struct cpmsg_route_dec *dec);

/* Name of a rule, "route"…, for metrics; "" if out of range. */
const char *route_rule_str(int rule);

#endif
