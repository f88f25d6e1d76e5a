/* SPDX-License-Identifier: MIT */
/*
 * The location service (see loc.h): applying REGISTERs to an AOR under its
 * writer lock, and reading it lock-free.
 *
 * A REGISTER is applied to a copy of the AOR taken under the lock and
 * written back only if every binding was acceptable, so a request that
 * fails half way (out of order, too long) leaves the AOR as it was.
 */
#include <errno.h>
#include <string.h>

#include "loc.h"

void loc_init(struct loc_aor *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		rte_seqlock_init(&a[i].lock);
	}
}

/* Index of the stored binding b updates, or -1. */
static int loc_find(const struct loc_contact *c, unsigned n, const struct loc_binding *b)
{
	for (unsigned i = 0; i < n; i++) {
		/* RFC 5626 §6: with an instance on both sides, it decides. */
		if (b->instance_len && c[i].instance_len) {
			if (b->instance_len == c[i].instance_len &&
			    memcmp(b->instance, c[i].instance, b->instance_len) == 0)
				return (int)i;
			continue;
		}
		/*
		 * Byte comparison of the URIs: a device refreshes the contact
		 * it registered spelled the same way. (§19.1.4 equivalence
		 * would also merge spellings that differ in case or order of
		 * parameters; such a device gets a second binding that lapses.)
		 */
		if (b->uri_len == c[i].uri_len && memcmp(b->uri, c[i].uri, b->uri_len) == 0)
			return (int)i;
	}
	return -1;
}

static void loc_remove(struct loc_contact *c, unsigned *n, unsigned i)
{
	c[i] = c[--*n];
}

/* The binding that lapses first: the one a new binding replaces when full. */
static unsigned loc_soonest(const struct loc_contact *c, unsigned n)
{
	unsigned best = 0;

	for (unsigned i = 1; i < n; i++)
		if (c[i].expires_ms < c[best].expires_ms)
			best = i;
	return best;
}

static void loc_set(struct loc_contact *c, const struct loc_reg *r, const struct loc_binding *b,
		    bool fresh)
{
	size_t ua = r->ua_len < LOC_UA_LEN - 1 ? r->ua_len : LOC_UA_LEN - 1;

	if (fresh) {
		memset(c, 0, sizeof(*c));
		c->since_s = r->now_s;
	}
	c->expires_ms = r->now_ms + (uint64_t)b->expires_s * 1000;
	c->src_ip = r->src_ip;
	c->src_port = r->src_port;
	c->q = b->q;
	c->callid_hash = r->callid_hash;
	c->cseq = r->cseq;
	memcpy(c->uri, b->uri, b->uri_len);
	c->uri[b->uri_len] = '\0';
	c->uri_len = (uint8_t)b->uri_len;
	if (b->instance_len)
		memcpy(c->instance, b->instance, b->instance_len);
	c->instance[b->instance_len] = '\0';
	c->instance_len = (uint8_t)b->instance_len;
	if (ua)
		memcpy(c->ua, r->ua, ua);
	c->ua[ua] = '\0';
	c->ua_len = (uint8_t)ua;
}

/* §10.3 step 7: the same Call-ID with a CSeq not above the stored one. */
static bool loc_stale(const struct loc_contact *c, const struct loc_reg *r)
{
	return c->callid_hash == r->callid_hash && c->cseq >= r->cseq;
}

/* Applies the bindings to c[0..*n); 0 or -ESTALE. */
static int loc_apply_bindings(struct loc_contact *c, unsigned *n, const struct loc_reg *r,
			      const struct loc_binding *b, unsigned nb)
{
	if (r->star) {
		for (unsigned i = 0; i < *n; i++)
			if (loc_stale(&c[i], r))
				return -ESTALE;
		*n = 0;
		return 0;
	}
	for (unsigned k = 0; k < nb; k++) {
		int i = loc_find(c, *n, &b[k]);

		if (i >= 0) {
			if (loc_stale(&c[i], r))
				return -ESTALE;
			if (b[k].expires_s == 0)
				loc_remove(c, n, (unsigned)i);
			else
				loc_set(&c[i], r, &b[k], false);
		} else if (b[k].expires_s > 0) {
			if (*n >= r->max_contacts)
				loc_remove(c, n, loc_soonest(c, *n));
			loc_set(&c[(*n)++], r, &b[k], true);
		}
	}
	return 0;
}

int loc_apply(struct loc_aor *a, const struct loc_reg *r, const struct loc_binding *b,
	      unsigned nb, int *delta)
{
	struct loc_contact c[LOC_MAX_CONTACTS];
	unsigned n, before, i;
	int err;

	if (r->max_contacts == 0 || r->max_contacts > LOC_MAX_CONTACTS)
		return -EINVAL;
	for (i = 0; i < nb; i++) {
		if (b[i].uri_len == 0 || b[i].uri_len >= LOC_URI_LEN ||
		    b[i].instance_len >= LOC_INSTANCE_LEN)
			return b[i].uri_len ? -ENAMETOOLONG : -EINVAL;
	}
	rte_seqlock_write_lock(&a->lock);
	before = a->n;
	n = 0;
	/* Lapsed bindings go first: they neither match nor take room. */
	for (i = 0; i < before; i++)
		if (a->c[i].expires_ms > r->now_ms)
			c[n++] = a->c[i];
	err = loc_apply_bindings(c, &n, r, b, nb);
	if (err == 0) {
		memcpy(a->c, c, n * sizeof(c[0]));
		a->n = (uint16_t)n;
		*delta = (int)n - (int)before;
	}
	rte_seqlock_write_unlock(&a->lock);
	return err;
}

unsigned loc_read(const struct loc_aor *a, uint64_t now_ms, struct loc_contact *out)
{
	unsigned n, i, j;
	uint32_t sn;

	do {
		unsigned total;

		sn = rte_seqlock_read_begin(&a->lock);
		total = a->n < LOC_MAX_CONTACTS ? a->n : LOC_MAX_CONTACTS;
		for (i = 0, n = 0; i < total; i++)
			if (a->c[i].expires_ms > now_ms)
				out[n++] = a->c[i];
	} while (rte_seqlock_read_retry(&a->lock, sn));
	/* Highest q first (RFC 3261 §16.6: q orders the targets); stable. */
	for (i = 1; i < n; i++) {
		struct loc_contact t = out[i];

		for (j = i; j > 0 && out[j - 1].q < t.q; j--)
			out[j] = out[j - 1];
		out[j] = t;
	}
	return n;
}

unsigned loc_expire(struct loc_aor *a, uint64_t now_ms)
{
	unsigned gone = 0, i;
	uint32_t sn;
	bool any = false;

	/* Look first without the lock: most AORs have nothing lapsed. */
	do {
		unsigned total;

		sn = rte_seqlock_read_begin(&a->lock);
		total = a->n < LOC_MAX_CONTACTS ? a->n : LOC_MAX_CONTACTS;
		for (i = 0, any = false; i < total && !any; i++)
			any = a->c[i].expires_ms <= now_ms;
	} while (rte_seqlock_read_retry(&a->lock, sn));
	if (!any)
		return 0;
	rte_seqlock_write_lock(&a->lock);
	for (i = 0; i < a->n;) {
		if (a->c[i].expires_ms <= now_ms) {
			a->c[i] = a->c[--a->n];
			gone++;
		} else {
			i++;
		}
	}
	rte_seqlock_write_unlock(&a->lock);
	return gone;
}

unsigned loc_restore(struct loc_aor *a, const struct loc_contact *c, unsigned n,
		     uint64_t now_ms)
{
	unsigned kept = 0;

	rte_seqlock_write_lock(&a->lock);
	for (unsigned i = 0; i < n && kept < LOC_MAX_CONTACTS; i++)
		if (c[i].expires_ms > now_ms && c[i].uri_len > 0 && c[i].uri_len < LOC_URI_LEN &&
		    c[i].instance_len < LOC_INSTANCE_LEN && c[i].ua_len < LOC_UA_LEN)
			a->c[kept++] = c[i];
	a->n = (uint16_t)kept;
	rte_seqlock_write_unlock(&a->lock);
	return kept;
}
