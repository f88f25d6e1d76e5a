/* SPDX-License-Identifier: MIT */
/*
 * Tenant snapshots (see tenant.h): built once per configuration by the
 * control plane, then only read. The lookup tables are DPDK's rte_hash:
 * ids, appliance addresses, domains, numbers, devices, and the trunks'
 * source networks (one table per prefix length). Strings are keyed by two CRC32-C hashes of
 * their bytes (case-folded for host names) and confirmed against the
 * configured string on every hit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "tenant.h"

#define TENANT_SEED_A 0x736c6963u /* two independent hashes make a 64-bit key */
#define TENANT_SEED_B 0x74656e61u
#define TENANT_EXACT 0x45u        /* number keys: an exact DID ... */
#define TENANT_PREFIX 0x50u       /* ... or a prefix one */

/* Number ref: which tenant owns the DID or prefix (did is its index). */
struct tenant_did_ref {
	uint32_t tenant;
	uint32_t did;
};

/* Private part of a snapshot: the DID refs behind by_did. */
struct tenant_snap_priv {
	struct tenant_snap pub;
	struct tenant_did_ref *dids;
	uint32_t n_dids;
};

static uint64_t tenant_key(const char *s, size_t n, bool fold, uint32_t tag)
{
	uint32_t a = TENANT_SEED_A ^ tag, b = TENANT_SEED_B ^ tag;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (fold && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + 32);
		a = rte_hash_crc_1byte(c, a);
		b = rte_hash_crc_1byte(c, b);
	}
	return (uint64_t)a << 32 | b;
}

static struct rte_hash *tenant_hash(const char *what, uint32_t gen, uint32_t n, uint32_t key_len,
				    int socket)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = n < 32 ? 64 : n * 2,
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.socket_id = socket,
	};

	snprintf(name, sizeof(name), "tn_%s_%u", what, gen);
	return rte_hash_create(&p);
}

static int tenant_add(struct rte_hash *h, const void *key, uintptr_t v)
{
	if (rte_hash_lookup(h, key) >= 0)
		return -EEXIST;
	return rte_hash_add_key_data(h, key, (void *)v);
}

/* Slot of tenant id in states: the one it had, else a free one. */
static struct tenant_state *tenant_state_slot(struct tenant_state *states, const char *id)
{
	struct tenant_state *free_slot = NULL;

	for (uint32_t i = 0; i < TENANT_MAX_STATES; i++) {
		if (strcmp(states[i].id, id) == 0)
			return &states[i];
		if (!free_slot && states[i].id[0] == '\0')
			free_slot = &states[i];
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		snprintf(free_slot->id, sizeof(free_slot->id), "%s", id);
	}
	return free_slot;
}

static int tenant_index_one(struct tenant_snap_priv *p, uint32_t ti, char *err, size_t errlen)
{
	struct tenant_snap *s = &p->pub;
	const struct cfg_tenant *t = s->t[ti].cfg;
	char idkey[CFG_ID] = {0};

	memcpy(idkey, t->id, strnlen(t->id, CFG_ID - 1));
	if (tenant_add(s->by_id, idkey, ti) < 0)
		goto fail;
	for (uint32_t i = 0; i < t->match.n_addresses; i++) {
		uint64_t k = (uint64_t)t->match.addresses[i].addr << 16 | t->match.addresses[i].port;

		if (tenant_add(s->by_addr, &k, ti) < 0)
			goto fail;
	}
	for (uint32_t i = 0; i < t->match.n_domains; i++) {
		const char *d = t->match.domains[i];
		uint64_t k = tenant_key(d, strlen(d), true, 0);

		if (tenant_add(s->by_domain, &k, (uintptr_t)ti << 8 | i) < 0)
			goto fail;
	}
	for (uint32_t i = 0; i < t->match.n_dids; i++) {
		const char *d = t->match.dids[i];
		size_t n = strlen(d);
		bool prefix = n && d[n - 1] == '*';
		uint64_t k = tenant_key(d, n - prefix, false, prefix ? TENANT_PREFIX : TENANT_EXACT);

		s->has_did_prefix |= prefix;
		p->dids[p->n_dids] = (struct tenant_did_ref){ti, i};
		if (tenant_add(s->by_did, &k, p->n_dids++) < 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "tenant '%s': cannot index its ids, addresses, domains or "
		 "numbers (duplicate or out of memory)", t->id);
	return -1;
}

/* Key of a device: its tenant and a hash of its username. */
struct tenant_dev_key {
	uint32_t tenant;
	uint32_t pad;
	uint64_t name;
};

/* The device's AOR slot: the one it had in prev, else a free one; -1 if none. */
static int64_t tenant_dev_slot(const struct tenant_snap *s, const struct tenant_snap *prev,
			       uint32_t d, struct tenant_slots *slots)
{
	int old = prev ? tenant_dev_same(s, prev, d) : -1;

	if (old >= 0)
		return prev->devs[old].loc;
	if (slots->n_free == 0)
		return -1;
	return slots->free[--slots->n_free];
}

static int tenant_index_devs(struct tenant_snap *s, const struct tenant_snap *prev,
			     struct tenant_slots *slots, int socket, char *err, size_t errlen)
{
	uint32_t n_users = 0, d = 0, u0 = 0;

	for (uint32_t ti = 0; ti < s->n; ti++)
		for (uint32_t u = 0; u < s->t[ti].cfg->n_users; u++, n_users++)
			s->n_devs += s->t[ti].cfg->users[u].n_devices;
	s->devs = calloc(s->n_devs ? s->n_devs : 1, sizeof(*s->devs));
	s->user_dev = calloc(n_users ? n_users : 1, sizeof(*s->user_dev));
	s->by_dev = tenant_hash("dev", s->gen, s->n_devs, sizeof(struct tenant_dev_key), socket);
	if (!s->devs || !s->user_dev || !s->by_dev) {
		snprintf(err, errlen, "no memory for the device table");
		return -1;
	}
	for (uint32_t ti = 0; ti < s->n; ti++) {
		const struct cfg_tenant *t = s->t[ti].cfg;

		s->t[ti].user0 = u0;
		for (uint32_t u = 0; u < t->n_users; u++, u0++) {
			s->user_dev[u0] = d;
			for (uint32_t k = 0; k < t->users[u].n_devices; k++, d++) {
				const struct cfg_device *dev = &t->users[u].devices[k];
				struct tenant_dev_key key = {
					.tenant = ti,
					.name = tenant_key(dev->username, strlen(dev->username),
							   false, 0),
				};

				s->devs[d] = (struct tenant_dev){ti, u, 0, dev};
				if (tenant_add(s->by_dev, &key, d) < 0) {
					snprintf(err, errlen, "tenant '%s': cannot index device '%s'",
						 t->id, dev->username);
					return -1;
				}
			}
		}
	}
	/* Slots once every device is indexed (tenant_dev_same looks them up). */
	for (d = 0; d < s->n_devs; d++) {
		int64_t slot = tenant_dev_slot(s, prev, d, slots);

		if (slot < 0) {
			snprintf(err, errlen, "more devices than registration slots (%u more "
				 "needed): restart sluice to grow the location table",
				 s->n_devs - d);
			return -1;
		}
		s->devs[d].loc = (uint32_t)slot;
	}
	return 0;
}

/*
 * Trunk sources: one rte_hash of network addresses per prefix length in
 * use, searched longest first. (rte_lpm would answer in one lookup, but
 * its 64 MiB first-level table per snapshot, two or three snapshots alive
 * around a reload, costs more than a few hundred trunk networks are worth.)
 */
static int tenant_index_trunks(struct tenant_snap *s, int socket, char *err, size_t errlen)
{
	uint32_t n_len[33] = {0}, k = 0;
	char what[16];

	for (uint32_t ti = 0; ti < s->n; ti++)
		for (uint32_t j = 0; j < s->t[ti].cfg->n_trunks; j++, s->n_trunks++)
			for (uint32_t c = 0; c < s->t[ti].cfg->trunks[j].n_cidrs; c++)
				n_len[s->t[ti].cfg->trunks[j].cidrs[c].prefix]++;
	s->trunks = calloc(s->n_trunks ? s->n_trunks : 1, sizeof(*s->trunks));
	if (!s->trunks)
		goto nomem;
	for (unsigned len = 0; len <= 32; len++) {
		if (!n_len[len])
			continue;
		snprintf(what, sizeof(what), "cidr%u", len);
		s->by_cidr[len] = tenant_hash(what, s->gen, n_len[len], sizeof(uint32_t), socket);
		if (!s->by_cidr[len])
			goto nomem;
		s->cidr_lens |= 1ull << len;
	}
	for (uint32_t ti = 0; ti < s->n; ti++) {
		const struct cfg_tenant *t = s->t[ti].cfg;

		for (uint32_t j = 0; j < t->n_trunks; j++, k++) {
			s->trunks[k] = (struct tenant_trunk_ref){ti, j};
			for (uint32_t c = 0; c < t->trunks[j].n_cidrs; c++) {
				const struct cfg_cidr *r = &t->trunks[j].cidrs[c];

				if (tenant_add(s->by_cidr[r->prefix], &r->addr, k) < 0) {
					snprintf(err, errlen, "tenant '%s' trunk '%s': cannot add "
						 "its source networks", t->id, t->trunks[j].name);
					return -1;
				}
			}
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "no memory for the trunk source table");
	return -1;
}

struct tenant_snap *tenant_snap_create(const struct cfg *cfg, uint32_t gen,
				       struct tenant_state *states,
				       const struct tenant_snap *prev, struct tenant_slots *slots,
				       int socket, char *err, size_t errlen)
{
	uint32_t n_free = slots->n_free;
	struct tenant_snap_priv *p = calloc(1, sizeof(*p));
	struct tenant_snap *s = p ? &p->pub : NULL;
	uint32_t n_addr = 0, n_dom = 0, n_did = 0;

	if (!p) {
		snprintf(err, errlen, "no memory for a tenant snapshot");
		return NULL;
	}
	s->gen = gen;
	s->n = cfg->n_tenants;
	s->t = calloc(s->n ? s->n : 1, sizeof(*s->t));
	s->t_of_state = calloc(TENANT_MAX_STATES, sizeof(*s->t_of_state));
	for (uint32_t i = 0; i < s->n; i++) {
		n_addr += cfg->tenants[i].match.n_addresses;
		n_dom += cfg->tenants[i].match.n_domains;
		n_did += cfg->tenants[i].match.n_dids;
	}
	p->dids = calloc(n_did ? n_did : 1, sizeof(*p->dids));
	s->by_id = tenant_hash("id", gen, s->n, CFG_ID, socket);
	s->by_addr = tenant_hash("addr", gen, n_addr, sizeof(uint64_t), socket);
	s->by_domain = tenant_hash("dom", gen, n_dom, sizeof(uint64_t), socket);
	s->by_did = tenant_hash("did", gen, n_did, sizeof(uint64_t), socket);
	if (!s->t || !s->t_of_state || !p->dids || !s->by_id || !s->by_addr || !s->by_domain || !s->by_did) {
		snprintf(err, errlen, "no memory for the tenant tables");
		goto fail;
	}
	for (uint32_t i = 0; i < s->n; i++) {
		s->t[i].cfg = &cfg->tenants[i];
		s->t[i].st = tenant_state_slot(states, cfg->tenants[i].id);
		if (!s->t[i].st) {
			snprintf(err, errlen, "more than %u tenants since start", TENANT_MAX_STATES);
			goto fail;
		}
		if (tenant_index_one(p, i, err, errlen) < 0)
			goto fail;
	}
	if (tenant_index_trunks(s, socket, err, errlen) < 0 ||
	    tenant_index_devs(s, prev, slots, socket, err, errlen) < 0)
		goto fail;
	for (uint32_t i = 0; i < TENANT_MAX_STATES; i++)
		s->t_of_state[i] = -1;
	for (uint32_t i = 0; i < s->n; i++)
		s->t_of_state[s->t[i].st - states] = (int32_t)i;
	s->cfg = cfg;
	return s;
fail:
	slots->n_free = n_free; /* a stack: what was taken is back */
	tenant_snap_free(s);
	return NULL;
}

void tenant_snap_free(struct tenant_snap *s)
{
	struct tenant_snap_priv *p = (struct tenant_snap_priv *)s;

	if (!s)
		return;
	rte_hash_free(s->by_id);
	rte_hash_free(s->by_addr);
	rte_hash_free(s->by_domain);
	rte_hash_free(s->by_did);
	for (unsigned len = 0; len <= 32; len++)
		rte_hash_free(s->by_cidr[len]);
	rte_hash_free(s->by_dev);
	free(s->devs);
	free(s->user_dev);
	free(s->t_of_state);
	free(s->trunks);
	free(s->t);
	free(p->dids);
	free(p);
}

/* ---- lookups: any lcore, any time, no locks ---- */

static int tenant_lookup(const struct rte_hash *h, const void *key, uintptr_t *v)
{
	void *data;

	if (rte_hash_lookup_data(h, key, &data) < 0)
		return -1;
	*v = (uintptr_t)data;
	return 0;
}

int tenant_by_id(const struct tenant_snap *s, const char *id)
{
	char key[CFG_ID] = {0};
	size_t n = strlen(id);
	uintptr_t v;

	if (n >= CFG_ID)
		return -1;
	memcpy(key, id, n);
	return tenant_lookup(s->by_id, key, &v) < 0 ? -1 : (int)v;
}

int tenant_by_addr(const struct tenant_snap *s, uint32_t addr, uint16_t port)
{
	uint64_t k = (uint64_t)addr << 16 | port;
	uintptr_t v;

	return tenant_lookup(s->by_addr, &k, &v) < 0 ? -1 : (int)v;
}

int tenant_by_domain(const struct tenant_snap *s, const char *host, size_t len)
{
	uint64_t k = tenant_key(host, len, true, 0);
	uintptr_t v;
	const char *d;

	if (tenant_lookup(s->by_domain, &k, &v) < 0)
		return -1;
	d = s->t[v >> 8].cfg->match.domains[v & 0xff];
	return strlen(d) == len && strncasecmp(d, host, len) == 0 ? (int)(v >> 8) : -1;
}

static int tenant_did_hit(const struct tenant_snap *s, const char *num, size_t len, uint32_t tag)
{
	const struct tenant_snap_priv *p = (const struct tenant_snap_priv *)s;
	uint64_t k = tenant_key(num, len, false, tag);
	const struct tenant_did_ref *r;
	const char *d;
	uintptr_t v;

	if (tenant_lookup(s->by_did, &k, &v) < 0 || v >= p->n_dids)
		return -1;
	r = &p->dids[v];
	d = s->t[r->tenant].cfg->match.dids[r->did];
	if (strncmp(d, num, len) != 0 || d[len] != (tag == TENANT_PREFIX ? '*' : '\0'))
		return -1;
	return (int)r->tenant;
}

int tenant_by_did(const struct tenant_snap *s, const char *num, size_t len)
{
	int t;

	if (len == 0 || len >= CFG_NUMBER)
		return -1;
	if ((t = tenant_did_hit(s, num, len, TENANT_EXACT)) >= 0)
		return t;
	if (!s->has_did_prefix)
		return -1;
	for (size_t n = len; n > 0; n--)
		if ((t = tenant_did_hit(s, num, n, TENANT_PREFIX)) >= 0)
			return t;
	return -1;
}

bool tenant_trunk_by_src(const struct tenant_snap *s, uint32_t src, struct tenant_trunk_ref *ref)
{
	uint64_t lens = s->cidr_lens;

	while (lens) {
		unsigned len = 63 - (unsigned)__builtin_clzll(lens);
		uint32_t net = len ? src & ~(uint32_t)0 << (32 - len) : 0;
		uintptr_t v;

		lens &= ~(1ull << len);
		if (tenant_lookup(s->by_cidr[len], &net, &v) == 0 && v < s->n_trunks) {
			*ref = s->trunks[v];
			return true;
		}
	}
	return false;
}

int tenant_dev_find(const struct tenant_snap *s, uint32_t t, const char *user, size_t len)
{
	struct tenant_dev_key key = {.tenant = t, .name = tenant_key(user, len, false, 0)};
	const char *name;
	uintptr_t v;

	if (tenant_lookup(s->by_dev, &key, &v) < 0 || v >= s->n_devs)
		return -1;
	name = s->devs[v].cfg->username;
	return s->devs[v].tenant == t && strlen(name) == len && memcmp(name, user, len) == 0
		       ? (int)v
		       : -1;
}

int tenant_dev_same(const struct tenant_snap *s, const struct tenant_snap *other, uint32_t dev)
{
	const struct tenant_dev *d = &s->devs[dev];
	int t = tenant_by_id(other, s->t[d->tenant].cfg->id);

	if (t < 0)
		return -1;
	return tenant_dev_find(other, (uint32_t)t, d->cfg->username, strlen(d->cfg->username));
}
