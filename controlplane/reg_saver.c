/* SPDX-License-Identifier: MIT */
/*
 * The registration saver (reg_saver.h): start-up restore, then a thread
 * that writes the AORs the workers marked, every registrar.save_ms.
 *
 * Names: a table of the tenant id and username of each slot, with the
 * strings copied into it (so it depends on no snapshot's lifetime). The
 * control plane thread builds a new one after a reload and leaves it in
 * pending under lock, which is only ever held for a pointer swap: a save
 * never makes a reload, or the control plane loop, wait. The thread takes
 * the pending table at its next save and rewrites the store whole.
 * The AORs themselves are read lock-free (loc_read), as the API does.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>

#include "log.h"
#include "reg_saver.h"
#include "reg_store.h"
#include "sqlite_db.h"
#include "tenant.h"

#define RS_FILE "registrations.db"
#define RS_PURGE_MS 60000 /* lapsed rows leave at least this often */

/* What the store calls each slot of the location array. */
#define RS_NONE UINT32_MAX
struct rs_names {
	uint32_t *off;   /* [2 * n_loc]: tenant id, username in text; RS_NONE: no device */
	char *text;
};

struct reg_saver {
	struct dp *dp;
	struct reg_store *store;
	uint32_t save_ms;
	uint64_t tsc_per_ms;

	pthread_t thread;
	bool started;
	struct rs_names *names;   /* the thread's */
	bool resync;              /* the thread rewrites the store whole next save */
	uint64_t *taken;          /* the marks a save took, [(n_loc + 63) / 64] */
	uint64_t purged_ms;       /* when lapsed rows last left the store */

	pthread_mutex_t lock;     /* pending, stop; held for a swap or a flag only */
	pthread_cond_t wake;
	bool stop;
	struct rs_names *pending; /* a reload's names, not yet taken */
	struct reg_saver_stats st;
};

/* Unix ms minus the location service's monotonic ms (TSC), now. */
static int64_t rs_clock_off(const struct reg_saver *rs)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 -
	       (int64_t)(rte_rdtsc() / rs->tsc_per_ms);
}

static uint64_t rs_now_ms(const struct reg_saver *rs)
{
	return rte_rdtsc() / rs->tsc_per_ms;
}

/* The store's path: registrar.path, or registrations.db beside cdr.path. */
static int rs_path(const struct cfg *cfg, char *out, size_t cap)
{
	const char *slash;
	int n;

	if (cfg->registrar.path[0])
		n = snprintf(out, cap, "%s", cfg->registrar.path);
	else if ((slash = strrchr(cfg->cdr.path, '/')) != NULL)
		n = snprintf(out, cap, "%.*s/" RS_FILE, (int)(slash - cfg->cdr.path),
			     cfg->cdr.path);
	else
		n = snprintf(out, cap, RS_FILE);
	return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

/* ---- start-up ---- */

struct rs_restore {
	struct reg_saver *rs;
	const struct tenant_snap *snap;
	uint64_t now_ms;
};

static int rs_restore_dev(void *arg, const char *tenant, const char *device,
			  const struct loc_contact *c, unsigned n)
{
	struct rs_restore *r = arg;
	const struct tenant_snap *s = r->snap;
	int t = tenant_by_id(s, tenant), d;
	unsigned kept;

	d = t < 0 ? -1 : tenant_dev_find(s, (uint32_t)t, device, strlen(device));
	if (d < 0) {
		r->rs->st.dropped += n;
		return 0;
	}
	kept = loc_restore(&r->rs->dp->loc[s->devs[d].loc], c, n, r->now_ms);
	__atomic_fetch_add(&s->t[t].st->regs, (int)kept, __ATOMIC_RELAXED);
	r->rs->st.restored += kept;
	return 0;
}

/* ---- saving ---- */

/* Writes slot's bindings under its name (no device there: nothing). In a
 * full rewrite the store starts empty: an AOR with no binding is skipped. */
static int rs_put_slot(struct reg_saver *rs, uint32_t slot, uint64_t now_ms, int64_t off,
		       bool full)
{
	const struct rs_names *nm = rs->names;
	struct loc_contact c[LOC_MAX_CONTACTS];
	unsigned n;

	if (nm->off[2 * slot] == RS_NONE)
		return 0;
	n = loc_read(&rs->dp->loc[slot], now_ms, c);
	if (full && n == 0)
		return 0;
	__atomic_fetch_add(&rs->st.aors, 1, __ATOMIC_RELAXED);
	return reg_store_put(rs->store, nm->text + nm->off[2 * slot],
			     nm->text + nm->off[2 * slot + 1], c, n, off);
}

/*
 * One save: every named AOR after a reload or at start (resync), else the
 * marked ones, then what lapsed goes. With nothing marked, no transaction
 * at all, and lapsed rows wait for RS_PURGE_MS. The marks taken are put
 * back if the transaction fails, so nothing is lost to a busy disk.
 */
static void rs_save(struct reg_saver *rs)
{
	uint32_t words = (rs->dp->n_loc + 63) / 64;
	uint64_t now_ms = rs_now_ms(rs), any = 0;
	int64_t off = rs_clock_off(rs);
	bool full = rs->resync;
	int rc;

	for (uint32_t w = 0; w < words; w++)
		any |= rs->taken[w] = loc_dirty_take(rs->dp->loc_dirty, w);
	if (!full && !any && now_ms - rs->purged_ms < RS_PURGE_MS)
		return;
	rc = reg_store_begin(rs->store);
	if (rc == 0 && full)
		rc = reg_store_clear(rs->store);
	for (uint32_t s = 0; full && s < rs->dp->n_loc && rc == 0; s++)
		rc = rs_put_slot(rs, s, now_ms, off, true);
	for (uint32_t w = 0; !full && w < words && rc == 0; w++)
		for (uint64_t bits = rs->taken[w]; bits && rc == 0; bits &= bits - 1)
			rc = rs_put_slot(rs, w * 64 + (uint32_t)__builtin_ctzll(bits), now_ms, off,
					 false);
	if (rc == 0)
		rc = reg_store_purge(rs->store, (uint64_t)((int64_t)now_ms + off));
	if (rc == 0)
		rc = reg_store_commit(rs->store);
	if (rc == 0) {
		__atomic_fetch_add(&rs->st.saves, 1, __ATOMIC_RELAXED);
		rs->resync = false;
		rs->purged_ms = now_ms;
		return;
	}
	/* rolled back: mark again what this save took */
	for (uint32_t w = 0; w < words; w++)
		if (rs->taken[w])
			__atomic_fetch_or(&rs->dp->loc_dirty[w], rs->taken[w], __ATOMIC_RELEASE);
	__atomic_fetch_add(&rs->st.errors, 1, __ATOMIC_RELAXED);
	SL_LOG(WARNING, MAIN, "registration store: save failed (%s); retried in %u ms\n",
	       strerror(-rc), rs->save_ms);
}

static void rs_names_free(struct rs_names *nm)
{
	if (nm == NULL)
		return;
	free(nm->off);
	free(nm->text);
	free(nm);
}

static void *rs_thread(void *arg)
{
	struct reg_saver *rs = arg;
	bool stop = false;

	while (!stop) {
		struct rs_names *fresh;
		struct timespec until;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(rs->save_ms % 1000) * 1000000;
		until.tv_sec += rs->save_ms / 1000 + until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_mutex_lock(&rs->lock);
		while (!rs->stop && pthread_cond_timedwait(&rs->wake, &rs->lock, &until) == 0)
			;
		stop = rs->stop;
		fresh = rs->pending;
		rs->pending = NULL;
		pthread_mutex_unlock(&rs->lock);
		if (fresh) {
			rs_names_free(rs->names);
			rs->names = fresh;
			rs->resync = true;
		}
		/* the last pass, on the way out, saves what the workers left */
		rs_save(rs);
	}
	return NULL;
}

/* ---- the interface ---- */

/* A condition whose timed waits run on CLOCK_MONOTONIC (the thread's). */
static void rs_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}

/* The names of snapshot s's devices by slot, strings copied; NULL: no memory. */
static struct rs_names *rs_names_build(const struct tenant_snap *s, uint32_t n_loc)
{
	struct rs_names *nm = calloc(1, sizeof(*nm));
	size_t len = 0, at = 0, id_at = 0;

	for (uint32_t t = 0; t < s->n; t++)
		len += strlen(s->t[t].cfg->id) + 1;
	for (uint32_t d = 0; d < s->n_devs; d++)
		len += strlen(s->devs[d].cfg->username) + 1;
	if (nm == NULL || (nm->off = malloc(2 * sizeof(*nm->off) * n_loc)) == NULL ||
	    (nm->text = malloc(len ? len : 1)) == NULL) {
		rs_names_free(nm);
		return NULL;
	}
	memset(nm->off, 0xff, 2 * sizeof(*nm->off) * n_loc); /* RS_NONE */
	for (uint32_t d = 0; d < s->n_devs; d++) {
		const struct tenant_dev *dev = &s->devs[d];
		const char *id = s->t[dev->tenant].cfg->id;

		/* a tenant's devices are together: its id is copied once */
		if (d == 0 || s->devs[d - 1].tenant != dev->tenant) {
			id_at = at;
			memcpy(nm->text + at, id, strlen(id) + 1);
			at += strlen(id) + 1;
		}
		nm->off[2 * dev->loc] = (uint32_t)id_at;
		nm->off[2 * dev->loc + 1] = (uint32_t)at;
		memcpy(nm->text + at, dev->cfg->username, strlen(dev->cfg->username) + 1);
		at += strlen(dev->cfg->username) + 1;
	}
	return nm;
}

void reg_saver_names(struct reg_saver *rs, const struct tenant_snap *snap)
{
	struct rs_names *nm, *old;

	if (rs == NULL)
		return;
	nm = rs_names_build(snap, rs->dp->n_loc);
	if (nm == NULL) {
		/* the old names stay: devices a reload added are saved once
		 * a later reload finds the memory */
		SL_LOG(ERR, MAIN, "registration store: no memory for the names of a "
		       "reload\n");
		return;
	}
	pthread_mutex_lock(&rs->lock);
	old = rs->pending;
	rs->pending = nm;
	pthread_mutex_unlock(&rs->lock);
	rs_names_free(old);
}

struct reg_saver *reg_saver_create(struct dp *dp, const struct cfg *cfg)
{
	struct reg_saver *rs = calloc(1, sizeof(*rs));
	char path[PATH_MAX];
	struct rs_restore r;
	int rc;

	if (rs == NULL)
		return NULL;
	rs->dp = dp;
	rs->save_ms = cfg->registrar.save_ms;
	rs->tsc_per_ms = rte_get_tsc_hz() / 1000 ? rte_get_tsc_hz() / 1000 : 1;
	pthread_mutex_init(&rs->lock, NULL);
	rs_cond_init(&rs->wake);
	rs->taken = calloc((dp->n_loc + 63) / 64, sizeof(*rs->taken));
	if (rs->taken == NULL)
		goto fail;
	if (rs_path(cfg, path, sizeof(path)) < 0 || (rc = sqldb_mkdirs(path)) < 0) {
		fprintf(stderr, "sluice: cannot create the directory of the registration "
			"store '%s'\n", path);
		goto fail;
	}
	rs->store = reg_store_open(path);
	if (rs->store == NULL) {
		fprintf(stderr, "sluice: cannot open the registration store '%s'; set "
			"registrar.path to a writable file, or move a damaged one aside "
			"(its phones then register again)\n", path);
		goto fail;
	}
	r = (struct rs_restore){ .rs = rs, .snap = dp->snap, .now_ms = rs_now_ms(rs) };
	rc = reg_store_load(rs->store, rs_clock_off(rs), rs_restore_dev, &r);
	if (rc < 0) {
		fprintf(stderr, "sluice: registration store '%s': read: %s\n", path,
			strerror(-rc));
		goto fail;
	}
	SL_LOG(NOTICE, MAIN, "registrations: %lu binding(s) restored from %s, %lu of devices "
	       "no longer configured dropped\n", (unsigned long)rs->st.restored, path,
	       (unsigned long)rs->st.dropped);
	/* the store mirrors memory from the first save on */
	rs->names = rs_names_build(dp->snap, dp->n_loc);
	rs->resync = true;
	if (rs->names == NULL || pthread_create(&rs->thread, NULL, rs_thread, rs) != 0)
		goto fail;
	rs->started = true;
	return rs;
fail:
	reg_saver_free(rs);
	return NULL;
}

void reg_saver_free(struct reg_saver *rs)
{
	if (rs == NULL)
		return;
	if (rs->started) {
		pthread_mutex_lock(&rs->lock);
		rs->stop = true;
		pthread_cond_signal(&rs->wake);
		pthread_mutex_unlock(&rs->lock);
		/* the thread saves once more as it leaves */
		pthread_join(rs->thread, NULL);
	}
	reg_store_close(rs->store);
	rs_names_free(rs->names);
	rs_names_free(rs->pending);
	free(rs->taken);
	pthread_cond_destroy(&rs->wake);
	pthread_mutex_destroy(&rs->lock);
	free(rs);
}

/* Lock-free: a save holds the lock for as long as it writes. */
void reg_saver_stats(struct reg_saver *rs, struct reg_saver_stats *out)
{
	out->restored = rs->st.restored; /* set before the thread started */
	out->dropped = rs->st.dropped;
	out->saves = __atomic_load_n(&rs->st.saves, __ATOMIC_RELAXED);
	out->aors = __atomic_load_n(&rs->st.aors, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&rs->st.errors, __ATOMIC_RELAXED);
}
