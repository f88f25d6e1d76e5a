/* SPDX-License-Identifier: MIT */
/*
 * Route decisions from a tenant's configured routes (see route.h for the
 * rules). Linear scans over the tenant's routes, users and DIDs: a tenant
 * has tens to hundreds of them and the control plane decides a call in
 * well under a microsecond per hundred entries, far below a route
 * request's deadline. Pure: config and request in, decision out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "route.h"

static const char *const route_rule_names[ROUTE_RULE_COUNT] = {
	[ROUTE_BY_ROUTE] = "route",
	[ROUTE_BY_EXTENSION] = "extension",
	[ROUTE_BY_DID] = "did",
	[ROUTE_BY_DEFAULT_TRUNK] = "default_trunk",
	[ROUTE_BY_FALLBACK] = "fallback",
	[ROUTE_BY_NO_TRANSIT] = "no_transit",
};

const char *route_rule_str(int rule)
{
	return rule > 0 && rule < ROUTE_RULE_COUNT ? route_rule_names[rule] : "";
}

/* Length of a pattern's fixed part: "+1555*" → 5, "1001" → 4. */
static size_t route_pat_len(const char *pat, bool is_prefix)
{
	size_t n = strnlen(pat, CFG_NUMBER);

	return is_prefix && n > 0 ? n - 1 : n;
}

/*
 * How well num matches pat: 0 not at all, else the number of pattern
 * characters matched, with exact matches ranked above every prefix.
 */
static size_t route_match(const char *pat, bool is_prefix, const char *num)
{
	size_t n = route_pat_len(pat, is_prefix);

	if (!is_prefix)
		return strcmp(pat, num) == 0 ? CFG_NUMBER + 1 : 0;
	return strncmp(pat, num, n) == 0 ? n + 1 : 0;
}

/* The route that num matches best, or NULL. */
static const struct cfg_route *route_find(const struct cfg_tenant *t, const char *num)
{
	const struct cfg_route *best = NULL;
	size_t best_rank = 0;

	for (uint32_t i = 0; i < t->n_routes; i++) {
		size_t r = route_match(t->routes[i].match, t->routes[i].is_prefix, num);

		if (r > best_rank) {
			best_rank = r;
			best = &t->routes[i];
		}
	}
	return best;
}

static const char *route_noplus(const char *s)
{
	return s[0] == '+' ? s + 1 : s;
}

/* The DID of t that num matches best (exact, else longest prefix), or NULL. */
static const char *route_did(const struct cfg_tenant *t, const char *num)
{
	const char *n = route_noplus(num);
	const char *best = NULL;
	size_t best_rank = 0;

	for (uint32_t i = 0; i < t->match.n_dids; i++) {
		const char *did = t->match.dids[i];
		size_t len = strnlen(did, CFG_NUMBER);
		bool prefix = len > 0 && did[len - 1] == '*';
		size_t r = route_match(route_noplus(did), prefix, n);

		if (r > best_rank) {
			best_rank = r;
			best = did;
		}
	}
	return best;
}

/* Rule 3: the route whose match is the DID of t that num matches best. */
static const struct cfg_route *route_by_did(const struct cfg_tenant *t, const char *num)
{
	const char *best = route_did(t, num);

	if (best == NULL)
		return NULL;
	for (uint32_t i = 0; i < t->n_routes; i++)
		if (strcmp(t->routes[i].match, best) == 0)
			return &t->routes[i];
	return NULL;
}

static uint16_t route_ring(const struct cfg_tenant *t, uint16_t ring_s)
{
	uint16_t max = t->limits.max_ring_s;

	return ring_s == 0 || (max != 0 && ring_s > max) ? max : ring_s;
}

static void route_add_user(const struct cfg_tenant *t, struct cpmsg_route_dec *dec,
			   uint32_t user, uint16_t ring_s)
{
	struct cpmsg_target *x;

	if (dec->n_targets >= CPMSG_MAX_TARGETS || user >= t->n_users)
		return;
	x = &dec->targets[dec->n_targets++];
	x->kind = CPMSG_T_USER;
	x->index = (int32_t)user;
	x->ring_s = route_ring(t, ring_s);
}

static void route_add_trunk(const struct cfg_tenant *t, struct cpmsg_route_dec *dec,
			    uint32_t trunk, uint16_t ring_s, const char *callee)
{
	const struct cfg_endpoint *a;
	struct cpmsg_target *x;

	if (dec->n_targets >= CPMSG_MAX_TARGETS || trunk >= t->n_trunks)
		return;
	a = &t->trunks[trunk].address;
	x = &dec->targets[dec->n_targets++];
	x->kind = CPMSG_T_TRUNK;
	x->index = (int32_t)trunk;
	x->ring_s = route_ring(t, ring_s);
	snprintf(x->uri, sizeof(x->uri), "sip:%s@%u.%u.%u.%u:%u", callee, a->addr >> 24,
		 (a->addr >> 16) & 255, (a->addr >> 8) & 255, a->addr & 255, a->port);
}

/* Adds the targets of a route or the fallback; trunks only if allowed. */
static void route_add_targets(const struct cfg_tenant *t, struct cpmsg_route_dec *dec,
			      const struct cfg_target *tg, uint32_t n, uint8_t mode,
			      bool trunks, const char *callee)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!tg[i].is_trunk)
			route_add_user(t, dec, tg[i].index, tg[i].ring_s);
		else if (trunks)
			route_add_trunk(t, dec, tg[i].index, tg[i].ring_s, callee);
	}
	dec->parallel = mode == CFG_RING_PARALLEL;
}

static int route_reject(struct cpmsg_route_dec *dec, uint16_t code, int rule)
{
	dec->action = CPMSG_A_REJECT;
	dec->n_targets = 0;
	dec->reject_code = code;
	return rule;
}

/* Rules 1 and 3 (a matching route); 0 if none applies. */
static int route_routes(const struct cfg_tenant *t, const struct cpmsg_route_req *req,
			struct cpmsg_route_dec *dec, bool trunks)
{
	const struct cfg_route *r = route_find(t, req->callee);
	int rule = ROUTE_BY_ROUTE;

	if (r == NULL) {
		r = route_by_did(t, req->callee);
		rule = ROUTE_BY_DID;
	}
	if (r == NULL)
		return 0;
	route_add_targets(t, dec, r->targets, r->n_targets, r->mode, trunks, req->callee);
	return dec->n_targets > 0 ? rule : 0;
}

static int route_extension(const struct cfg_tenant *t, const struct cpmsg_route_req *req,
			   struct cpmsg_route_dec *dec)
{
	for (uint32_t u = 0; u < t->n_users; u++) {
		if (t->users[u].extension[0] != '\0' &&
		    strcmp(t->users[u].extension, req->callee) == 0) {
			route_add_user(t, dec, u, 0);
			return ROUTE_BY_EXTENSION;
		}
	}
	return 0;
}

int route_decide(const struct cfg_tenant *t, const struct cpmsg_route_req *req,
		 struct cpmsg_route_dec *dec)
{
	bool from_trunk = req->trunk >= 0;
	int rule;

	memset(dec, 0, sizeof(*dec));
	dec->action = CPMSG_A_ROUTE;
	if ((from_trunk && (uint32_t)req->trunk >= t->n_trunks) ||
	    (req->user >= 0 && (uint32_t)req->user >= t->n_users)) {
		route_reject(dec, 500, 0);
		return -EINVAL;
	}
	/* the callee is a C string within its field, whatever the sender did */
	if (memchr(req->callee, '\0', sizeof(req->callee)) == NULL) {
		route_reject(dec, 500, 0);
		return -EINVAL;
	}
	if (from_trunk) {
		rule = route_routes(t, req, dec, false);
		return rule > 0 ? rule : route_reject(dec, 404, ROUTE_BY_NO_TRANSIT);
	}
	rule = route_routes(t, req, dec, true);
	if (rule == 0)
		rule = route_extension(t, req, dec);
	if (rule == 0 && req->user >= 0 && t->default_trunk_index >= 0 &&
	    route_did(t, req->callee) == NULL) {
		/* the tenant's own numbers never go out: they fall back */
		route_add_trunk(t, dec, (uint32_t)t->default_trunk_index, 0, req->callee);
		rule = ROUTE_BY_DEFAULT_TRUNK;
	}
	if (rule > 0)
		return rule;
	if (t->fallback.n_targets == 0)
		return route_reject(dec, t->fallback.status, ROUTE_BY_FALLBACK);
	route_add_targets(t, dec, t->fallback.targets, t->fallback.n_targets,
			  t->fallback.mode, true, req->callee);
	if (dec->n_targets == 0)
		return route_reject(dec, t->fallback.status, ROUTE_BY_FALLBACK);
	dec->fallback = 1; /* the worker does not fall back from it again */
	return ROUTE_BY_FALLBACK;
}
