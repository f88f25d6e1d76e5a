/* SPDX-License-Identifier: MIT */
/*
 * Checks of tenants, run after the walk has read every key on its own.
 *
 * Tenants must not claim each other's traffic: ids, API tokens, domains and
 * appliance address:ports are unique in the file, no two DIDs overlap (a
 * prefix "+1555*" covers every number it starts) and no two trunk CIDRs
 * overlap. Inside a tenant, user names, extensions, device usernames, trunk
 * names and route matches are unique, and every route target, fallback
 * target and default_trunk names a user or trunk of the same tenant: tenant
 * isolation starts here. Along the way the loader resolves those names to
 * indices, picks each device's credential and fills the defaults that come
 * from other keys (name from id, realm from the first domain).
 *
 * A file may hold thousands of tenants and a hundred thousand users, so no
 * check compares every pair: values are collected into arrays, sorted, and
 * neighbours compared. Fields that failed to read are left out (cfg_bad):
 * their error is already reported.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_ctx.h"

/* One value to compare with the others of its kind. */
struct cfg_ent {
	const char *s;   /* a string value; NULL for numeric kinds */
	uint64_t v;      /* endpoint (addr << 16 | port), CIDR first address */
	uint64_t end;    /* CIDR: last address */
	uint32_t len;    /* DID: length before any '*'; CIDR: prefix */
	bool prefix;     /* DID: ends with '*' */
	bool reported;   /* already named in an error */
	uint32_t idx[3]; /* fill the kind's path formats */
	uint32_t order;  /* place in the file */
};

struct cfg_ents {
	struct cfg_ent *e;
	size_t n, cap;
	bool partial; /* a value failed to read: a name not found may be there */
};

/* The lists: claims on traffic for the whole file, names for one tenant. */
enum cfg_list {
	CFG_L_IDS,
	CFG_L_TOKENS,
	CFG_L_DOMAINS,
	CFG_L_ADDRS,
	CFG_L_DIDS,
	CFG_L_CIDRS,
	CFG_L_USERS,     /* from here on: reset for each tenant */
	CFG_L_EXTS,
	CFG_L_USERNAMES,
	CFG_L_TRUNKS,
	CFG_L_ROUTES,
	CFG_L_COUNT
};

enum cfg_show { CFG_SHOW_STR, CFG_SHOW_SECRET, CFG_SHOW_EP, CFG_SHOW_CIDR };

/*
 * How the entries of a list are named in errors and compared. The formats
 * take the entry's three indices (unused ones are ignored).
 */
struct cfg_kind {
	const char *path;  /* the key: "tenants[%u].users[%u].extension" */
	const char *owner; /* what it collides with: "tenants[%u].users[%u]" */
	const char *want;  /* "an extension not used by" */
	enum cfg_show show;
	int (*sort)(const void *, const void *);
	bool (*same)(const struct cfg_ent *, const struct cfg_ent *);
};

/* ---- comparing ---- */

static int cfg_by_order(const struct cfg_ent *p, const struct cfg_ent *q)
{
	return p->order < q->order ? -1 : p->order > q->order;
}

static int cfg_sort_str(const void *a, const void *b)
{
	int c = strcmp(((const struct cfg_ent *)a)->s, ((const struct cfg_ent *)b)->s);

	return c ? c : cfg_by_order(a, b);
}

static bool cfg_same_str(const struct cfg_ent *p, const struct cfg_ent *q)
{
	return strcmp(p->s, q->s) == 0;
}

/* Host names are case-insensitive. */
static int cfg_sort_host(const void *a, const void *b)
{
	int c = strcasecmp(((const struct cfg_ent *)a)->s,
			   ((const struct cfg_ent *)b)->s);

	return c ? c : cfg_by_order(a, b);
}

static bool cfg_same_host(const struct cfg_ent *p, const struct cfg_ent *q)
{
	return strcasecmp(p->s, q->s) == 0;
}

static int cfg_sort_num(const void *a, const void *b)
{
	const struct cfg_ent *p = a, *q = b;

	if (p->v != q->v)
		return p->v < q->v ? -1 : 1;
	return cfg_by_order(p, q);
}

static bool cfg_same_num(const struct cfg_ent *p, const struct cfg_ent *q)
{
	return p->v == q->v;
}

/* DIDs by digits; at equal digits the prefix first: it covers the other. */
static int cfg_sort_did(const void *a, const void *b)
{
	const struct cfg_ent *p = a, *q = b;
	int c = memcmp(p->s, q->s, p->len < q->len ? p->len : q->len);

	if (c != 0)
		return c;
	if (p->len != q->len)
		return p->len < q->len ? -1 : 1;
	if (p->prefix != q->prefix)
		return p->prefix ? -1 : 1;
	return cfg_by_order(p, q);
}

/* CIDRs by first address, the wider first at equal ones. */
static int cfg_sort_cidr(const void *a, const void *b)
{
	const struct cfg_ent *p = a, *q = b;

	if (p->v != q->v)
		return p->v < q->v ? -1 : 1;
	if (p->end != q->end)
		return p->end > q->end ? -1 : 1;
	return cfg_by_order(p, q);
}

static const struct cfg_kind cfg_kinds[CFG_L_COUNT] = {
	[CFG_L_IDS] = { "tenants[%u].id", "tenants[%u]", "an id not used by",
			CFG_SHOW_STR, cfg_sort_str, cfg_same_str },
	[CFG_L_TOKENS] = { "tenants[%u].api_token", "tenants[%u]",
			   "a token not used by", CFG_SHOW_SECRET, cfg_sort_str,
			   cfg_same_str },
	[CFG_L_DOMAINS] = { "tenants[%u].match.domains[%u]",
			    "tenants[%u].match.domains[%u]",
			    "a domain not claimed by", CFG_SHOW_STR, cfg_sort_host,
			    cfg_same_host },
	[CFG_L_ADDRS] = { "tenants[%u].match.addresses[%u]",
			  "tenants[%u].match.addresses[%u]",
			  "an address:port not claimed by", CFG_SHOW_EP, cfg_sort_num,
			  cfg_same_num },
	[CFG_L_DIDS] = { "tenants[%u].match.dids[%u]", "tenants[%u].match.dids[%u]",
			 "a DID not overlapping", CFG_SHOW_STR, cfg_sort_did, NULL },
	[CFG_L_CIDRS] = { "tenants[%u].trunks[%u].cidrs[%u]",
			  "tenants[%u].trunks[%u].cidrs[%u]",
			  "a CIDR not overlapping", CFG_SHOW_CIDR, cfg_sort_cidr, NULL },
	[CFG_L_USERS] = { "tenants[%u].users[%u].name", "tenants[%u].users[%u]",
			  "a name not used by", CFG_SHOW_STR, cfg_sort_str,
			  cfg_same_str },
	[CFG_L_EXTS] = { "tenants[%u].users[%u].extension", "tenants[%u].users[%u]",
			 "an extension not used by", CFG_SHOW_STR, cfg_sort_str,
			 cfg_same_str },
	[CFG_L_USERNAMES] = { "tenants[%u].users[%u].devices[%u].username",
			      "tenants[%u].users[%u].devices[%u]",
			      "a username not used by", CFG_SHOW_STR, cfg_sort_str,
			      cfg_same_str },
	[CFG_L_TRUNKS] = { "tenants[%u].trunks[%u].name", "tenants[%u].trunks[%u]",
			   "a name not used by", CFG_SHOW_STR, cfg_sort_str,
			   cfg_same_str },
	[CFG_L_ROUTES] = { "tenants[%u].routes[%u].match", "tenants[%u].routes[%u]",
			   "a match not used by", CFG_SHOW_STR, cfg_sort_str,
			   cfg_same_str },
};

/* ---- collecting ---- */

static void cfg_add(struct cfg_ctx *x, struct cfg_ents *l, struct cfg_ent e)
{
	struct cfg_ent *grown;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;

		grown = realloc(l->e, cap * sizeof(*grown));
		if (grown == NULL) {
			if (!x->nomem)
				cfg_err(x, 0, "out of memory checking tenants");
			x->nomem = true;
			return;
		}
		l->e = grown;
		l->cap = cap;
	}
	e.order = (uint32_t)l->n;
	l->e[l->n++] = e;
}

/* A string field, unless it is empty or failed to read. */
static void cfg_add_str(struct cfg_ctx *x, struct cfg_ents *l, const char *s,
			uint32_t a, uint32_t b, uint32_t c)
{
	if (cfg_bad(x, s))
		l->partial = true;
	else if (s[0] != '\0')
		cfg_add(x, l, (struct cfg_ent){ .s = s, .idx = { a, b, c } });
}

/* ---- reporting ---- */

static void cfg_ent_show(const struct cfg_kind *k, const struct cfg_ent *e,
			 char *buf, size_t n)
{
	char ip[INET_ADDRSTRLEN];

	switch (k->show) {
	case CFG_SHOW_SECRET:
		snprintf(buf, n, "the same token");
		break;
	case CFG_SHOW_EP:
		snprintf(buf, n, "\"%s:%u\"", cfg_ntoa((uint32_t)(e->v >> 16), ip),
			 (unsigned)(e->v & 0xffff));
		break;
	case CFG_SHOW_CIDR:
		snprintf(buf, n, "\"%s/%u\"", cfg_ntoa((uint32_t)e->v, ip), e->len);
		break;
	default:
		cfg_quote(e->s, buf, n);
		break;
	}
}

/*
 * "key '<e>': expected <want> <other>[ <other's value>], got <e's value>",
 * once for each entry.
 */
static void cfg_collide(struct cfg_ctx *x, const struct cfg_kind *k,
			struct cfg_ent *e, const struct cfg_ent *other, bool value)
{
	char path[CFG_PATH], owner[CFG_PATH], got[CFG_QUOTED], oth[CFG_QUOTED];

	if (e->reported)
		return;
	e->reported = true;
	snprintf(path, sizeof(path), k->path, e->idx[0], e->idx[1], e->idx[2]);
	snprintf(owner, sizeof(owner), k->owner, other->idx[0], other->idx[1],
		 other->idx[2]);
	cfg_ent_show(k, e, got, sizeof(got));
	oth[0] = '\0';
	if (value) {
		oth[0] = ' ';
		cfg_ent_show(k, other, oth + 1, sizeof(oth) - 1);
	}
	cfg_err(x, cfg_line_path(x, path), "key '%s': expected %s %s%s, got %s",
		path, k->want, owner, oth, got);
}

/* Two overlapping claims: the later in the file is the error. */
static void cfg_overlap(struct cfg_ctx *x, const struct cfg_kind *k,
			struct cfg_ent *a, struct cfg_ent *b)
{
	if (a->order > b->order)
		cfg_collide(x, k, a, b, true);
	else
		cfg_collide(x, k, b, a, true);
}

/* Sorts list l and reports each value that an earlier entry already has. */
static void cfg_dups(struct cfg_ctx *x, enum cfg_list which, struct cfg_ents *l)
{
	const struct cfg_kind *k = &cfg_kinds[which];
	size_t first = 0;

	if (l->n < 2)
		return;
	qsort(l->e, l->n, sizeof(l->e[0]), k->sort);
	for (size_t i = 1; i < l->n; i++) {
		if (k->same(&l->e[i], &l->e[first]))
			cfg_collide(x, k, &l->e[i], &l->e[first], false);
		else
			first = i;
	}
}

/* The entry holding s in a list sorted by cfg_dups (by strcmp), or NULL. */
static const struct cfg_ent *cfg_find(const struct cfg_ents *l, const char *s)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->e[mid].s, s);

		if (c == 0)
			return &l->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- overlapping DIDs and CIDRs ---- */

/* Whether p, sorted before e, covers some of the numbers e covers. */
static bool cfg_did_covers(const struct cfg_ent *p, const struct cfg_ent *e)
{
	return p->prefix && p->len <= e->len && memcmp(p->s, e->s, p->len) == 0;
}

static bool cfg_did_wide(const struct cfg_ent *e)
{
	return e->prefix;
}

static bool cfg_cidr_covers(const struct cfg_ent *p, const struct cfg_ent *e)
{
	return e->v <= p->end;
}

static bool cfg_cidr_wide(const struct cfg_ent *e)
{
	(void)e;
	return true;
}

/*
 * Sorted so that whatever covers an entry comes before it (DIDs by digits,
 * a prefix first; CIDRs by first address, the wider first), the entries
 * that cover the current one form a chain, each narrower than the one
 * before: a stack of at most 25 (CIDR prefixes 8..32, DID stems 2..16).
 * Each entry is checked against the whole chain, and against the one before
 * it for two equal exact DIDs.
 */
static void cfg_nested(struct cfg_ctx *x, enum cfg_list which, struct cfg_ents *l,
		       bool (*covers)(const struct cfg_ent *, const struct cfg_ent *),
		       bool (*wide)(const struct cfg_ent *))
{
	const struct cfg_kind *k = &cfg_kinds[which];
	struct cfg_ent *stack[40];
	size_t depth = 0;

	if (l->n < 2)
		return;
	qsort(l->e, l->n, sizeof(l->e[0]), k->sort);
	for (size_t i = 0; i < l->n; i++) {
		struct cfg_ent *e = &l->e[i], *prev = i ? e - 1 : NULL;

		while (depth > 0 && !covers(stack[depth - 1], e))
			depth--;
		for (size_t d = 0; d < depth; d++)
			cfg_overlap(x, k, e, stack[d]);
		if (prev != NULL && !prev->prefix && !e->prefix && e->s != NULL &&
		    prev->len == e->len && memcmp(prev->s, e->s, e->len) == 0)
			cfg_overlap(x, k, e, prev);
		if (wide(e) && depth < sizeof(stack) / sizeof(stack[0]) &&
		    (depth == 0 || stack[depth - 1]->len < e->len))
			stack[depth++] = e;
	}
}

/* ---- a tenant's claims on traffic ---- */

/* "198.18.0.1, 198.18.1.1" or "5060, 5070": what the ports offer. */
static void cfg_port_list(const struct cfg *c, bool ips, char *buf, size_t n)
{
	unsigned count = ips ? c->n_ports : c->sip.n_udp_ports;
	size_t len = 0;
	char ip[INET_ADDRSTRLEN];

	buf[0] = '\0';
	for (unsigned i = 0; i < count && len < n; i++) {
		if (ips)
			cfg_ntoa(c->ports[i].addr, ip);
		else
			snprintf(ip, sizeof(ip), "%u", c->sip.udp_ports[i]);
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", ip);
	}
}

/* An address:port of a tenant is one the appliance listens on for SIP. */
static void cfg_addr_listened(struct cfg_ctx *x, const char *path,
			      const struct cfg_endpoint *ep)
{
	const struct cfg *c = x->out;
	bool ip = false, known = c->n_ports > 0, port = false;
	char got[48], list[CFG_TEXT], a[INET_ADDRSTRLEN];

	snprintf(got, sizeof(got), "\"%s:%u\"", cfg_ntoa(ep->addr, a), ep->port);
	for (unsigned i = 0; i < c->n_ports; i++) {
		known = known && !cfg_bad(x, &c->ports[i].addr);
		ip = ip || c->ports[i].addr == ep->addr;
	}
	if (known && !ip) {
		cfg_port_list(c, true, list, sizeof(list));
		cfg_err(x, cfg_line_path(x, path), "key '%s': expected the address "
			"of one of the ports (%s), got %s", path, list, got);
	}
	if (cfg_bad(x, c->sip.udp_ports) || c->sip.n_udp_ports == 0)
		return;
	for (unsigned i = 0; i < c->sip.n_udp_ports; i++)
		port = port || c->sip.udp_ports[i] == ep->port;
	if (!port) {
		cfg_port_list(c, false, list, sizeof(list));
		cfg_err(x, cfg_line_path(x, path), "key '%s': expected a port of "
			"sip.udp_ports (%s), got %s", path, list, got);
	}
}

/* Id, token, domains, address:ports and DIDs into the file-wide lists. */
static void cfg_tenant_claims(struct cfg_ctx *x, struct cfg_ents *L,
			      uint32_t ti, const struct cfg_tenant *t)
{
	const char *admin = x->out->api.admin_token;
	char path[CFG_PATH];

	cfg_add_str(x, &L[CFG_L_IDS], t->id, ti, 0, 0);
	cfg_add_str(x, &L[CFG_L_TOKENS], t->api_token, ti, 0, 0);
	if (admin[0] != '\0' && !cfg_bad(x, admin) && !cfg_bad(x, t->api_token) &&
	    strcmp(admin, t->api_token) == 0) {
		snprintf(path, sizeof(path), "tenants[%u].api_token", ti);
		cfg_err(x, cfg_line_path(x, path), "key '%s': expected a token "
			"other than api.admin_token, got the same token", path);
	}
	for (uint32_t i = 0; i < t->match.n_domains; i++)
		cfg_add_str(x, &L[CFG_L_DOMAINS], t->match.domains[i], ti, i, 0);
	for (uint32_t i = 0; i < t->match.n_addresses; i++) {
		const struct cfg_endpoint *ep = &t->match.addresses[i];

		if (cfg_bad(x, ep))
			continue;
		cfg_add(x, &L[CFG_L_ADDRS], (struct cfg_ent){
			.v = (uint64_t)ep->addr << 16 | ep->port, .idx = { ti, i } });
		snprintf(path, sizeof(path), "tenants[%u].match.addresses[%u]", ti, i);
		cfg_addr_listened(x, path, ep);
	}
	for (uint32_t i = 0; i < t->match.n_dids; i++) {
		const char *d = t->match.dids[i];
		size_t len = strlen(d);

		if (len == 0 || cfg_bad(x, d))
			continue;
		cfg_add(x, &L[CFG_L_DIDS], (struct cfg_ent){
			.s = d, .len = (uint32_t)len - (d[len - 1] == '*'),
			.prefix = d[len - 1] == '*', .idx = { ti, i } });
	}
}

/* ---- inside a tenant ---- */

static const struct {
	const char *key;
	size_t off;
	uint8_t auth;
} cfg_auths[] = {
	{ "password", offsetof(struct cfg_device, password), CFG_AUTH_PASSWORD },
	{ "ha1_md5", offsetof(struct cfg_device, ha1_md5), CFG_AUTH_HA1_MD5 },
	{ "ha1_sha256", offsetof(struct cfg_device, ha1_sha256), CFG_AUTH_HA1_SHA256 },
};

/* Exactly one credential: given in the file (even if it failed to read). */
static void cfg_device_auth(struct cfg_ctx *x, const char *path,
			    struct cfg_device *d)
{
	char key[CFG_PATH + 16];
	int first = -1;

	for (int i = 0; i < (int)(sizeof(cfg_auths) / sizeof(cfg_auths[0])); i++) {
		const char *f = (const char *)d + cfg_auths[i].off;

		if (f[0] == '\0' && !cfg_bad(x, f))
			continue;
		if (first >= 0) {
			snprintf(key, sizeof(key), "%s.%s", path, cfg_auths[i].key);
			cfg_err(x, cfg_line_path(x, key), "key '%s': expected exactly "
				"one of password, ha1_md5, ha1_sha256, got both %s "
				"and %s", key, cfg_auths[first].key, cfg_auths[i].key);
			continue;
		}
		first = i;
		if (!cfg_bad(x, f))
			d->auth = cfg_auths[i].auth;
	}
	if (first < 0)
		cfg_err(x, cfg_line_path(x, path), "key '%s': expected exactly one "
			"of password, ha1_md5, ha1_sha256, got none", path);
}

/* Users and their devices: names, extensions and usernames unique. */
static void cfg_tenant_users(struct cfg_ctx *x, struct cfg_ents *L, uint32_t ti,
			     struct cfg_tenant *t)
{
	char path[CFG_PATH];

	for (uint32_t ui = 0; ui < t->n_users; ui++) {
		struct cfg_user *u = &t->users[ui];

		if (cfg_bad_elem(x, u, sizeof(*u))) {
			L[CFG_L_USERS].partial = true;
			continue;
		}
		cfg_add_str(x, &L[CFG_L_USERS], u->name, ti, ui, 0);
		cfg_add_str(x, &L[CFG_L_EXTS], u->extension, ti, ui, 0);
		for (uint32_t di = 0; di < u->n_devices; di++) {
			struct cfg_device *d = &u->devices[di];

			if (cfg_bad_elem(x, d, sizeof(*d)))
				continue;
			cfg_add_str(x, &L[CFG_L_USERNAMES], d->username, ti, ui, di);
			snprintf(path, sizeof(path), "tenants[%u].users[%u].devices[%u]",
				 ti, ui, di);
			cfg_device_auth(x, path, d);
		}
	}
	cfg_dups(x, CFG_L_USERS, &L[CFG_L_USERS]);
	cfg_dups(x, CFG_L_EXTS, &L[CFG_L_EXTS]);
	cfg_dups(x, CFG_L_USERNAMES, &L[CFG_L_USERNAMES]);
}

/* Trunks: names unique; their CIDRs go to the file-wide list. */
static void cfg_tenant_trunks(struct cfg_ctx *x, struct cfg_ents *L, uint32_t ti,
			      const struct cfg_tenant *t)
{
	for (uint32_t i = 0; i < t->n_trunks; i++) {
		const struct cfg_trunk *tr = &t->trunks[i];

		if (cfg_bad_elem(x, tr, sizeof(*tr))) {
			L[CFG_L_TRUNKS].partial = true;
			continue;
		}
		cfg_add_str(x, &L[CFG_L_TRUNKS], tr->name, ti, i, 0);
		for (uint32_t j = 0; j < tr->n_cidrs; j++) {
			const struct cfg_cidr *c = &tr->cidrs[j];
			uint32_t host = c->prefix >= 32 ? 0 : ~0u >> c->prefix;

			if (c->prefix == 0 || cfg_bad(x, c))
				continue;
			cfg_add(x, &L[CFG_L_CIDRS], (struct cfg_ent){
				.v = c->addr, .end = c->addr | host, .len = c->prefix,
				.idx = { ti, i, j } });
		}
	}
	cfg_dups(x, CFG_L_TRUNKS, &L[CFG_L_TRUNKS]);
}

/*
 * A user or trunk name at key path, looked up among the tenant's (list
 * sorted by cfg_dups); *index gets its place in users[] or trunks[]. Not
 * found is only an error if every name of the list could be read.
 */
static void cfg_resolve(struct cfg_ctx *x, const struct cfg_ents *l,
			const char *name, const char *what, uint32_t ti,
			const char *path, uint32_t *index)
{
	const struct cfg_ent *e;
	char q[CFG_QUOTED];

	if (name[0] == '\0' || cfg_bad(x, name))
		return;
	e = cfg_find(l, name);
	if (e != NULL) {
		*index = e->idx[1];
		return;
	}
	if (l->partial)
		return;
	cfg_quote(name, q, sizeof(q));
	cfg_err(x, cfg_line_path(x, path), "key '%s': expected a %s of "
		"tenants[%u], got %s", path, what, ti, q);
}

/* A route or fallback target: one user or one trunk of this tenant. */
static void cfg_target(struct cfg_ctx *x, const struct cfg_ents *L, uint32_t ti,
		       const struct cfg_tenant *t, struct cfg_target *g,
		       const char *path)
{
	bool user = g->user[0] != '\0' || cfg_bad(x, g->user);
	bool trunk = g->trunk[0] != '\0' || cfg_bad(x, g->trunk);
	char key[CFG_PATH + 16];

	if (cfg_bad_elem(x, g, sizeof(*g)))
		return;
	snprintf(key, sizeof(key), "%s.%s", path, trunk ? "trunk" : "user");
	if (user == trunk)
		cfg_err(x, cfg_line_path(x, user ? key : path), "key '%s': expected "
			"exactly one of user, trunk, got %s", user ? key : path,
			user ? "both" : "none");
	else
		cfg_resolve(x, &L[user ? CFG_L_USERS : CFG_L_TRUNKS],
			    user ? g->user : g->trunk, user ? "user" : "trunk", ti,
			    key, &g->index);
	g->is_trunk = trunk && !user;
	if (cfg_bad(x, &g->ring_s) || cfg_bad(x, &t->limits.max_ring_s) ||
	    g->ring_s <= t->limits.max_ring_s)
		return;
	snprintf(key, sizeof(key), "%s.ring_s", path);
	cfg_err(x, cfg_line_path(x, key), "key '%s': expected at most the "
		"tenant's limits.max_ring_s %u, got %u", key,
		t->limits.max_ring_s, g->ring_s);
}

/* Routes: matches unique, targets resolved; fallback and default_trunk too. */
static void cfg_tenant_routes(struct cfg_ctx *x, struct cfg_ents *L, uint32_t ti,
			      struct cfg_tenant *t)
{
	char path[CFG_PATH];
	uint32_t index = 0;

	for (uint32_t i = 0; i < t->n_routes; i++) {
		struct cfg_route *r = &t->routes[i];
		size_t len = strlen(r->match);

		if (cfg_bad_elem(x, r, sizeof(*r)))
			continue;
		r->is_prefix = len > 0 && r->match[len - 1] == '*';
		cfg_add_str(x, &L[CFG_L_ROUTES], r->match, ti, i, 0);
		for (uint32_t j = 0; j < r->n_targets; j++) {
			snprintf(path, sizeof(path), "tenants[%u].routes[%u].targets[%u]",
				 ti, i, j);
			cfg_target(x, L, ti, t, &r->targets[j], path);
		}
	}
	cfg_dups(x, CFG_L_ROUTES, &L[CFG_L_ROUTES]);
	for (uint32_t j = 0; j < t->fallback.n_targets; j++) {
		snprintf(path, sizeof(path), "tenants[%u].fallback.targets[%u]", ti, j);
		cfg_target(x, L, ti, t, &t->fallback.targets[j], path);
	}
	t->default_trunk_index = -1;
	if (t->default_trunk[0] == '\0')
		return;
	snprintf(path, sizeof(path), "tenants[%u].default_trunk", ti);
	index = UINT32_MAX;
	cfg_resolve(x, &L[CFG_L_TRUNKS], t->default_trunk, "trunk", ti, path, &index);
	if (index != UINT32_MAX)
		t->default_trunk_index = (int32_t)index;
}

/* Limits that make sense together; devices have somewhere to register. */
static void cfg_tenant_sane(struct cfg_ctx *x, uint32_t ti,
			    const struct cfg_tenant *t)
{
	const struct cfg_limits *l = &t->limits;
	bool devices = false;
	char path[CFG_PATH];

	if (!cfg_bad(x, &l->cps) && !cfg_bad(x, &l->burst) && l->cps > 0 &&
	    l->burst == 0) {
		snprintf(path, sizeof(path), "tenants[%u].limits.burst", ti);
		cfg_err(x, cfg_line_path(x, path), "key '%s': expected at least 1 "
			"while limits.cps is %u, got 0", path, l->cps);
	}
	for (uint32_t i = 0; i < t->n_users && !devices; i++)
		devices = t->users[i].n_devices > 0;
	if (!devices || t->match.n_domains > 0 || t->match.n_addresses > 0 ||
	    cfg_bad(x, &t->match.domains) || cfg_bad(x, &t->match.addresses))
		return;
	snprintf(path, sizeof(path), "tenants[%u].match", ti);
	cfg_err(x, cfg_line_path(x, path), "key '%s': expected a domain or an "
		"address for the devices of tenants[%u] to register to, got neither",
		path, ti);
}

/* Defaults that come from other keys: name from id, realm from a domain. */
static void cfg_tenant_defaults(struct cfg_ctx *x, struct cfg_tenant *t)
{
	if (t->name[0] == '\0' && !cfg_bad(x, t->name))
		snprintf(t->name, sizeof(t->name), "%s", t->id);
	if (t->realm[0] != '\0' || cfg_bad(x, t->realm))
		return;
	if (t->match.n_domains > 0 && t->match.domains[0][0] != '\0')
		snprintf(t->realm, sizeof(t->realm), "%s", t->match.domains[0]);
	else
		snprintf(t->realm, sizeof(t->realm), "%s", t->id);
}

void cfg_cross_tenants(struct cfg_ctx *x)
{
	struct cfg *c = x->out;
	struct cfg_ents L[CFG_L_COUNT];

	for (int b = 0; b < CFG_B_COUNT; b++)
		if (x->over[b]) /* lists were cut short: their error comes first */
			return;
	memset(L, 0, sizeof(L));
	for (uint32_t ti = 0; ti < c->n_tenants && !x->nomem; ti++) {
		struct cfg_tenant *t = &c->tenants[ti];

		if (cfg_bad_elem(x, t, sizeof(*t)))
			continue;
		for (int l = CFG_L_USERS; l < CFG_L_COUNT; l++) {
			L[l].n = 0;
			L[l].partial = false;
		}
		cfg_tenant_defaults(x, t);
		cfg_tenant_claims(x, L, ti, t);
		cfg_tenant_users(x, L, ti, t);
		cfg_tenant_trunks(x, L, ti, t);
		cfg_tenant_routes(x, L, ti, t);
		cfg_tenant_sane(x, ti, t);
	}
	if (!x->nomem) {
		for (int l = CFG_L_IDS; l <= CFG_L_ADDRS; l++)
			cfg_dups(x, l, &L[l]);
		cfg_nested(x, CFG_L_DIDS, &L[CFG_L_DIDS], cfg_did_covers,
			   cfg_did_wide);
		cfg_nested(x, CFG_L_CIDRS, &L[CFG_L_CIDRS], cfg_cidr_covers,
			   cfg_cidr_wide);
	}
	for (int l = 0; l < CFG_L_COUNT; l++)
		free(L[l].e);
}
