/* SPDX-License-Identifier: MIT */
/*
 * The control plane's poll loop and its context (see cp.h for the threads
 * and the ring rules). Each pass drains the workers' cp_up rings in
 * bursts, answers route requests on the spot (route.c against the
 * tenant's config in the current snapshot), passes CDRs to the writer
 * thread, keeps the live-calls table the API shows, and sends the CDR
 * acks the writer has ready. Nothing here blocks: a full ring or an empty
 * message pool is counted and the message dropped (a route decision) or
 * kept for the next pass (a CDR ack).
 *
 * A route request's indices refer to the snapshot it was made under
 * (snap_gen). When a reload has replaced that snapshot, the request is
 * re-resolved by the tenant's id and the user's and trunk's names through
 * the retired snapshot; if that one is gone too, or the tenant, user or
 * trunk no longer exists, the answer is 503 and the caller may retry.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "call_live.h"
#include "cdr_store.h"
#include "cp.h"
#include "sqlite_db.h"
#include "log.h"
#include "tenant.h"

static void cp_count(struct cp *cp, enum cp_counter c)
{
	__atomic_store_n(&cp->c[c], cp->c[c] + 1, __ATOMIC_RELAXED);
}

static uint64_t cp_unix_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* ---- the live-calls table ---- */

static uint32_t cp_calls_home(const struct cp_calls *t, uint64_t ref)
{
	return (uint32_t)((ref * 0x9E3779B97F4A7C15ull) >> 32) & (t->cap - 1);
}

/* Slot of ref, or of the empty slot where it would go. Lock held. */
static uint32_t cp_calls_find(const struct cp_calls *t, uint64_t ref)
{
	uint32_t i = cp_calls_home(t, ref);

	while (t->slot[i].used && t->slot[i].call_ref != ref)
		i = (i + 1) & (t->cap - 1);
	return i;
}

/* Doubles the table; lock held. -ENOSPC at CP_CALLS_MAX, -ENOMEM. */
static int cp_calls_grow(struct cp_calls *t)
{
	struct cp_call *old = t->slot, *s;
	uint32_t old_cap = t->cap;

	if (old_cap >= CP_CALLS_MAX)
		return -ENOSPC;
	s = calloc(old_cap * 2, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	t->slot = s;
	t->cap = old_cap * 2;
	for (uint32_t i = 0; i < old_cap; i++)
		if (old[i].used)
			t->slot[cp_calls_find(t, old[i].call_ref)] = old[i];
	free(old);
	return 0;
}

/* The entry of ref, made (state ROUTING) if new; NULL when full. Lock held. */
static struct cp_call *cp_calls_put(struct cp_calls *t, uint64_t ref)
{
	uint32_t i = cp_calls_find(t, ref);

	if (!t->slot[i].used) {
		if ((t->n + 1) * 4 > t->cap * 3) {
			if (cp_calls_grow(t) < 0)
				return NULL;
			i = cp_calls_find(t, ref);
		}
		memset(&t->slot[i], 0, sizeof(t->slot[i]));
		t->slot[i].used = true;
		t->slot[i].call_ref = ref;
		t->slot[i].state = CPMSG_CALL_ROUTING;
		t->n++;
	}
	return &t->slot[i];
}

/* Removes ref if present (backward shift: no tombstones). Lock held. */
static void cp_calls_del(struct cp_calls *t, uint64_t ref)
{
	uint32_t mask = t->cap - 1, i = cp_calls_find(t, ref), j = i;

	if (!t->slot[i].used)
		return;
	for (;;) {
		uint32_t home;

		j = (j + 1) & mask;
		if (!t->slot[j].used)
			break;
		home = cp_calls_home(t, t->slot[j].call_ref);
		/* j's entry may move to i if i lies on its probe path */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i].used = false;
	t->n--;
}

int cp_calls_copy(struct cp *cp, const char *tenant, struct cp_call **out)
{
	struct cp_calls *t = &cp->calls;
	struct cp_call *v = NULL;
	uint32_t k = 0;

	*out = NULL;
	pthread_mutex_lock(&t->lock);
	if (t->n > 0 && (v = malloc(sizeof(*v) * t->n)) == NULL) {
		pthread_mutex_unlock(&t->lock);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < t->cap && k < t->n; i++)
		if (t->slot[i].used && (tenant == NULL || strcmp(t->slot[i].tenant, tenant) == 0))
			v[k++] = t->slot[i];
	pthread_mutex_unlock(&t->lock);
	if (k == 0) {
		free(v);
		return 0;
	}
	/* ringing and answered are what the call's worker published */
	for (uint32_t i = 0; i < k; i++) {
		uint8_t st = call_live_state(cp->dp, v[i].call_ref);

		if (st)
			v[i].state = st;
	}
	*out = v;
	return (int)k;
}

/* ---- sending to the workers (this thread is every cp_down's producer) ---- */

/* Enqueues m on worker w's down ring, or frees it and counts. */
static bool cp_send(struct cp *cp, uint8_t w, struct cpmsg *m)
{
	if (w < cp->dp->n_workers && rte_ring_sp_enqueue(cp->dp->cp_down[w], m) == 0)
		return true;
	cp_count(cp, CP_C_down_full);
	rte_mempool_put(cp->dp->cp_pool, m);
	return false;
}

/* ---- route requests ---- */

/*
 * Maps req (made under an older snapshot) onto cur through the retired
 * snapshot: the tenant by id, the user and trunk by name. The tenant
 * index in cur, or -1 if that cannot be done.
 */
static int cp_reresolve(const struct dp *dp, const struct tenant_snap *cur, uint32_t gen,
			struct cpmsg_route_req *req)
{
	const struct tenant_snap *old = __atomic_load_n(&dp->retired, __ATOMIC_ACQUIRE);
	const struct cfg_tenant *ot, *nt;
	int t;

	if (old == NULL || old->gen != gen || req->tenant >= old->n)
		return -1;
	ot = old->t[req->tenant].cfg;
	t = tenant_by_id(cur, ot->id);
	if (t < 0)
		return -1;
	nt = cur->t[t].cfg;
	if (req->user >= 0) {
		const char *name;
		int32_t u = -1;

		if ((uint32_t)req->user >= ot->n_users)
			return -1;
		name = ot->users[req->user].name;
		for (uint32_t i = 0; i < nt->n_users && u < 0; i++)
			if (strcmp(nt->users[i].name, name) == 0)
				u = (int32_t)i;
		if (u < 0)
			return -1;
		req->user = u;
	}
	if (req->trunk >= 0) {
		const char *name;
		int32_t k = -1;

		if ((uint32_t)req->trunk >= ot->n_trunks)
			return -1;
		name = ot->trunks[req->trunk].name;
		for (uint32_t i = 0; i < nt->n_trunks && k < 0; i++)
			if (strcmp(nt->trunks[i].name, name) == 0)
				k = (int32_t)i;
		if (k < 0)
			return -1;
		req->trunk = k;
	}
	req->tenant = (uint32_t)t;
	return t;
}

/* Answers a route request in place: the message goes back as the decision. */
static void cp_route(struct cp *cp, struct cpmsg *m)
{
	const struct tenant_snap *snap = __atomic_load_n(&cp->dp->snap, __ATOMIC_ACQUIRE);
	struct cpmsg_route_req req = m->u.route_req;
	struct cpmsg_route_dec *dec = &m->u.route_dec;
	const struct tenant *t = NULL;
	int ti = (int)req.tenant, rule;

	cp_count(cp, CP_C_route_req);
	if (req.deadline_ms != 0 && rte_rdtsc() / cp->tsc_per_ms > req.deadline_ms)
		cp_count(cp, CP_C_route_late);
	if (m->snap_gen != snap->gen) {
		ti = cp_reresolve(cp->dp, snap, m->snap_gen, &req);
		if (ti < 0)
			cp_count(cp, CP_C_route_stale);
	} else if (req.tenant >= snap->n) {
		ti = -1;
		cp_count(cp, CP_C_route_bad);
	}
	/* the decision names the snapshot its indices refer to: the one the
	 * request named, or the current one when re-resolved */
	memset(dec, 0, sizeof(*dec));
	m->type = CPMSG_ROUTE_DEC;
	m->snap_gen = snap->gen;
	if (ti < 0) {
		/* the worker's indices are from the snapshot it named: it
		 * needs only the verdict, which carries none */
		dec->action = CPMSG_A_REJECT;
		dec->reject_code = 503;
		cp_send(cp, m->worker, m);
		return;
	}
	t = &snap->t[ti];
	rule = route_decide(t->cfg, &req, dec);
	if (rule < 0)
		cp_count(cp, CP_C_route_bad);
	else
		__atomic_store_n(&cp->by_rule[rule], cp->by_rule[rule] + 1, __ATOMIC_RELAXED);
	if (dec->action == CPMSG_A_REJECT) {
		uint32_t s = (uint32_t)(t->st - cp->dp->tenant_states);

		__atomic_store_n(&cp->route_rej[s], cp->route_rej[s] + 1, __ATOMIC_RELAXED);
	} else {
		struct cp_call *c;

		pthread_mutex_lock(&cp->calls.lock);
		c = cp_calls_put(&cp->calls, m->call_ref);
		if (c != NULL) {
			c->started_us = cp_unix_us();
			c->worker = m->worker;
			snprintf(c->tenant, sizeof(c->tenant), "%s", t->cfg->id);
			snprintf(c->caller, sizeof(c->caller), "%.*s",
				 (int)sizeof(req.caller) - 1, req.caller);
			snprintf(c->callee, sizeof(c->callee), "%.*s",
				 (int)sizeof(req.callee) - 1, req.callee);
		}
		pthread_mutex_unlock(&cp->calls.lock);
		if (c == NULL)
			cp_count(cp, CP_C_calls_untracked);
	}
	cp_send(cp, m->worker, m);
}

/* ---- CDRs and call events ---- */

static void cp_cdr(struct cp *cp, struct cpmsg *m)
{
	cp_count(cp, CP_C_cdr_in);
	pthread_mutex_lock(&cp->calls.lock);
	cp_calls_del(&cp->calls, m->call_ref);
	pthread_mutex_unlock(&cp->calls.lock);
	if (cp->writer == NULL)
		cp_count(cp, CP_C_cdr_no_store);
	else if (cdr_writer_push(cp->writer, &m->u.cdr, m->worker) < 0)
		cp_count(cp, CP_C_cdr_queue_full);
	rte_mempool_put(cp->dp->cp_pool, m);
}

static void cp_handle(struct cp *cp, struct cpmsg *m)
{
	switch (m->type) {
	case CPMSG_ROUTE_REQ:
		cp_route(cp, m);
		break;
	case CPMSG_CDR:
		cp_cdr(cp, m);
		break;
	default:
		cp_count(cp, CP_C_msg_unknown);
		rte_mempool_put(cp->dp->cp_pool, m);
		break;
	}
}

/*
 * Sends the acks of committed CDRs. Acks that cannot go now (pool empty,
 * ring full) stay for the next pass: a worker waits for its ack to free
 * the CDR, so dropping one would make it send the CDR again.
 */
static unsigned cp_send_acks(struct cp *cp)
{
	unsigned sent = 0;

	if (cp->writer == NULL)
		return 0;
	if (cp->ack_next == cp->n_ack) {
		cp->n_ack = cdr_writer_acks(cp->writer, cp->ack, CP_BURST);
		cp->ack_next = 0;
	}
	while (cp->ack_next < cp->n_ack) {
		const struct cdr_writer_ack *a = &cp->ack[cp->ack_next];
		struct cpmsg *m;

		if (a->worker >= cp->dp->n_workers) {
			cp->ack_next++; /* no such worker: nobody to tell */
			continue;
		}
		if (rte_mempool_get(cp->dp->cp_pool, (void **)&m) < 0) {
			cp_count(cp, CP_C_pool_empty);
			break;
		}
		memset(m, 0, offsetof(struct cpmsg, u));
		m->type = CPMSG_CDR_ACK;
		m->worker = a->worker;
		m->snap_gen = __atomic_load_n(&cp->dp->snap, __ATOMIC_ACQUIRE)->gen;
		m->call_ref = a->call_ref;
		if (rte_ring_sp_enqueue(cp->dp->cp_down[a->worker], m) < 0) {
			cp_count(cp, CP_C_down_full);
			rte_mempool_put(cp->dp->cp_pool, m);
			break;
		}
		cp_count(cp, CP_C_cdr_acked);
		cp->ack_next++;
		sent++;
	}
	return sent;
}

unsigned cp_poll(struct cp *cp)
{
	struct cpmsg *burst[CP_BURST];
	unsigned total = 0;

	for (uint16_t w = 0; w < cp->dp->n_workers; w++) {
		unsigned n = rte_ring_sc_dequeue_burst(cp->dp->cp_up[w], (void **)burst,
						       CP_BURST, NULL);

		for (unsigned i = 0; i < n; i++)
			cp_handle(cp, burst[i]);
		total += n;
	}
	return total + cp_send_acks(cp);
}

/* ---- creation ---- */

static int cp_open_store(struct cp *cp, const char *path)
{
	int rc = sqldb_mkdirs(path);

	if (rc < 0) {
		fprintf(stderr, "sluice: cannot create the directory of cdr.path '%s': %s\n",
			path, strerror(-rc));
		return rc;
	}
	cp->store = cdr_store_open(path);
	if (cp->store == NULL) {
		rc = errno ? -errno : -EIO;
		fprintf(stderr, "sluice: cannot open the CDR store cdr.path '%s' (%s); "
			"set cdr.path to a writable file\n", path, strerror(-rc));
		return rc;
	}
	cp->writer = cdr_writer_create(cp->store, 0);
	if (cp->writer == NULL) {
		fprintf(stderr, "sluice: cannot start the CDR writer: %s\n", strerror(errno));
		return -ENOMEM;
	}
	return 0;
}

struct cp *cp_create(struct dp *dp, const struct cfg *cfg, struct reg_saver *regs)
{
	struct api_cfg ac = { 0 };
	struct cp *cp = calloc(1, sizeof(*cp));

	if (cp == NULL)
		return NULL;
	cp->dp = dp;
	cp->cfg = cfg;
	cp->regs = regs;
	cp->tsc_per_ms = rte_get_tsc_hz() / 1000 ? rte_get_tsc_hz() / 1000 : 1;
	pthread_mutex_init(&cp->calls.lock, NULL);
	pthread_mutex_init(&cp->reload.lock, NULL);
	pthread_cond_init(&cp->reload.cond, NULL);
	cp->calls.cap = CP_CALLS_MIN;
	cp->calls.slot = calloc(CP_CALLS_MIN, sizeof(*cp->calls.slot));
	cp->route_rej = calloc(TENANT_MAX_STATES, sizeof(*cp->route_rej));
	if (cp->calls.slot == NULL || cp->route_rej == NULL)
		goto fail;
	if (cp_open_store(cp, cfg->cdr.path) < 0)
		goto fail;
	ac.addr = cfg->api.listen.addr;
	ac.port = cfg->api.listen.port;
	ac.auth = cp_api_auth;
	ac.metrics = cp_api_metrics;
	ac.cdrs = cp->store;
	ac.ctx = cp;
	cp->api = api_create(&ac);
	if (cp->api == NULL) {
		fprintf(stderr, "sluice: cannot start the HTTP API on api.listen "
			"%u.%u.%u.%u:%u\n", ac.addr >> 24, (ac.addr >> 16) & 255,
			(ac.addr >> 8) & 255, ac.addr & 255, ac.port);
		goto fail;
	}
	return cp;
fail:
	cp_free(cp);
	return NULL;
}

void cp_free(struct cp *cp)
{
	if (cp == NULL)
		return;
	api_free(cp->api);          /* no request reads anything below now */
	cdr_writer_free(cp->writer); /* writes what is queued */
	cdr_store_close(cp->store);
	free(cp->route_rej);
	free(cp->calls.slot);
	pthread_mutex_destroy(&cp->calls.lock);
	pthread_mutex_destroy(&cp->reload.lock);
	pthread_cond_destroy(&cp->reload.cond);
	free(cp);
}

uint16_t cp_api_port(const struct cp *cp)
{
	return api_port(cp->api);
}
