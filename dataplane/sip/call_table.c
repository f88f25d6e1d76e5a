/* SPDX-License-Identifier: MIT */
/*
 * The calls of one worker (see call.h): a fixed array of slots with a free
 * stack, an rte_hash from the caller's Call-ID to the slot, Call-IDs of
 * our own for the B legs that name their slot, one rte_timer per call
 * armed at its earliest deadline, and the end of a call (everything it
 * holds goes back: mbufs, the decision message, the tenant's concurrent
 * call, the slot).
 *
 * A B-leg Call-ID is "b" + slot + generation + salt in hex. Responses and
 * requests of the B side carry it, so their call is found without a
 * lookup; the salt is chosen so that the Call-ID hashes to this worker
 * (disp.h), which makes the io lcore hand every B-side message back here
 * with no change to dispatch. With n workers that takes n tries on
 * average, one CRC of 25 bytes each.
 */
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "call_live.h"
#include "disp.h"
#include "pkt.h"
#include "dp.h"
#include "sbuf.h"
#include "sip/call.h"
#include "tenant.h"
#include "worker.h"

#define CALL_B_ID_LEN 25 /* "b" + 3 × 8 hex digits */

struct call_akey {
	uint64_t h;
	uint32_t len;
	uint32_t pad;
};

static struct call_akey call_akey(const char *cid, size_t len)
{
	struct call_akey k = { 0 };

	k.h = (uint64_t)disp_crc(cid, (uint32_t)len, 0x9e3779b9u) << 32 |
	      disp_crc(cid, (uint32_t)len, 0x7f4a7c15u);
	k.len = (uint32_t)len;
	return k;
}

struct call_table *call_table_create(uint16_t w, uint32_t cap, int socket, uint64_t *counters)
{
	struct call_table *t = rte_zmalloc_socket("calls", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	char name[32];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = cap * 2,
		.key_len = sizeof(struct call_akey),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
	};

	if (t == NULL)
		return NULL;
	t->cap = cap;
	t->c = counters;
	t->calls = rte_zmalloc_socket("call_slots", sizeof(*t->calls) * cap, RTE_CACHE_LINE_SIZE,
				      socket);
	t->free = rte_malloc_socket("call_free", sizeof(*t->free) * cap, 0, socket);
	t->gen = rte_zmalloc_socket("call_gen", sizeof(*t->gen) * cap, 0, socket);
	t->live = rte_zmalloc_socket("call_live", sizeof(*t->live) * cap, 0, socket);
	snprintf(name, sizeof(name), "calls_a_%u", w);
	t->by_a = rte_hash_create(&hp);
	/* ways for 8 times the calls a table holds, at least 2^19 (8 MiB):
	 * 64*T1 of ended calls at some 15k calls/s before a set is full
	 * (then its oldest is forgotten early, counted) */
	t->lg_sets = rte_align32pow2(cap * 8 / CALL_LINGER_WAYS);
	if (t->lg_sets < (1u << 19) / CALL_LINGER_WAYS)
		t->lg_sets = (1u << 19) / CALL_LINGER_WAYS;
	t->lg = rte_zmalloc_socket("call_linger", sizeof(*t->lg) * t->lg_sets * CALL_LINGER_WAYS,
				   RTE_CACHE_LINE_SIZE, socket);
	t->acks = rte_zmalloc_socket("call_acks", sizeof(*t->acks) * CALL_ACKS,
				     RTE_CACHE_LINE_SIZE, socket);
	if (t->calls == NULL || t->free == NULL || t->gen == NULL || t->live == NULL ||
	    t->by_a == NULL || t->lg == NULL || t->acks == NULL) {
		call_table_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < cap; i++) {
		rte_timer_init(&t->calls[i].tim);
		t->free[i] = cap - 1 - i;
	}
	t->n_free = cap;
	return t;
}

void call_table_free(struct call_table *t)
{
	if (t == NULL)
		return;
	if (t->calls)
		for (uint32_t i = 0; i < t->cap; i++)
			rte_timer_stop(&t->calls[i].tim);
	rte_hash_free(t->by_a);
	rte_free(t->acks);
	rte_free(t->lg);
	rte_free(t->live);
	rte_free(t->gen);
	rte_free(t->free);
	rte_free(t->calls);
	rte_free(t);
}

static uint32_t call_slot(const struct call_table *t, const struct call *c)
{
	return (uint32_t)(c - t->calls);
}

struct call *call_alloc(struct wrk_ctx *w)
{
	struct call_table *t = w->calls;
	struct call *c;
	uint32_t s;

	if (t->n_free == 0)
		return NULL;
	s = t->free[t->n_free - 1];
	/* the io lcore reads the room left (call_table_room) */
	__atomic_store_n(&t->n_free, t->n_free - 1, __ATOMIC_RELAXED);
	c = &t->calls[s];
	t->gen[s] = (t->gen[s] + 1) & 0xffffff;
	/* everything after the timer starts from zero but the string space,
	 * half the call, which arena_len and an empty tried[] make empty */
	memset((char *)c + sizeof(c->tim), 0, offsetof(struct call, tried) - sizeof(c->tim));
	c->tried[0] = '\0';
	c->ref = (uint64_t)w->idx << 48 | (uint64_t)t->gen[s] << 24 | s;
	c->phase = CALL_ROUTING;
	c->winner = -1;
	c->early = -1;
	c->armed_at = SIP_TXN_NEVER;
	c->ring_end = c->route_end = c->resend_at = c->give_up = SIP_TXN_NEVER;
	return c;
}

/* ---- Call-IDs of calls ended lately ---- */

/* The set of key h: its first way. */
static struct call_linger_way *call_linger_set(const struct call_table *t, uint64_t h)
{
	return &t->lg[(h >> 32 & (t->lg_sets - 1)) * CALL_LINGER_WAYS];
}

/*
 * The key under which c's Call-ID lingers, its set prefetched; 0 if it has
 * none. Only the side that sent the BYE retransmits it (its transaction is
 * the one whose timer J this stands for); the other side's late BYE, a
 * glare after the call is gone, gets 481, which is right.
 */
static uint64_t call_linger_key(const struct call_table *t, const struct call *c)
{
	const struct call_str *id = c->bye_from == CALL_A ? &c->a_call_id : &c->b_call_id;
	uint64_t h;

	if (id->len == 0)
		return 0;
	h = call_akey(call_s(c, *id), id->len).h | 1; /* never 0 */
	rte_prefetch0(call_linger_set(t, h));
	return h;
}

/*
 * Remembers h until `until`: in h's way if it has one, else an empty or
 * expired way, else the way that expires first (forgotten early, counted).
 * Written here rather than with rte_hash: an entry only has to outlive
 * 64*T1, so a full set may drop its oldest, and without deletes and the
 * FIFO that drove them a put is one cache line.
 */
static void call_linger_put(struct call_table *t, uint64_t h, uint64_t now, uint64_t until)
{
	struct call_linger_way *set = call_linger_set(t, h), *v = set;

	for (unsigned i = 0; i < CALL_LINGER_WAYS; i++) {
		if (set[i].h == h || set[i].until <= now) {
			v = &set[i];
			goto put;
		}
		if (set[i].until < v->until)
			v = &set[i];
	}
	call_count(t, CALL_C_LINGER_EVICTED);
put:
	v->h = h;
	v->until = until;
}

void call_linger_add(struct wrk_ctx *w, const struct call *c, uint64_t now, uint32_t ms)
{
	uint64_t h = call_linger_key(w->calls, c);

	if (h)
		call_linger_put(w->calls, h, now, now + ms);
}

bool call_linger_has(struct wrk_ctx *w, const char *cid, size_t len, uint64_t now)
{
	uint64_t h = call_akey(cid, len).h | 1;
	const struct call_linger_way *set = call_linger_set(w->calls, h);

	for (unsigned i = 0; i < CALL_LINGER_WAYS; i++)
		if (set[i].h == h && set[i].until > now)
			return true;
	return false;
}

static void call_mbuf_drop(struct rte_mbuf **m)
{
	rte_pktmbuf_free(*m); /* NULL is a no-op */
	*m = NULL;
}

void call_free(struct wrk_ctx *w, struct call *c)
{
	struct call_table *t = w->calls;
	uint64_t lg = 0;

	rte_timer_stop(&c->tim);
	/* its set is a miss in a table of megabytes: asked for now, put last */
	if (c->phase == CALL_ENDING)
		lg = call_linger_key(t, c);
	if (c->a_call_id.len) {
		struct call_akey k = call_akey(call_s(c, c->a_call_id), c->a_call_id.len);
		void *data = NULL;

		/* only our own entry: a later call may reuse the Call-ID */
		if (rte_hash_lookup_data(t->by_a, &k, &data) >= 0 &&
		    (uintptr_t)data == call_slot(t, c))
			rte_hash_del_key(t->by_a, &k);
	}
	call_mbuf_drop(&c->a_inv);
	call_mbuf_drop(&c->a_resp);
	call_mbuf_drop(&c->bye_ok);
	for (unsigned i = 0; i < 2; i++) {
		call_mbuf_drop(&c->rel[i].req);
		call_mbuf_drop(&c->rel[i].out);
		call_mbuf_drop(&c->rel[i].resp);
	}
	for (unsigned i = 0; i < c->n_legs; i++)
		call_mbuf_drop(&c->leg[i].inv);
	if (lg) {
		uint64_t now = rte_rdtsc() / w->tsc_per_ms;

		call_linger_put(t, lg, now, now + 64u * w->txn.t1);
	}
	call_mbuf_drop(&c->dec);
	if (c->held) {
		__atomic_fetch_sub(&w->dp->tenant_states[c->tstate - 1].calls, 1,
				   __ATOMIC_RELAXED);
		c->held = 0;
	}
	c->phase = CALL_FREE;
	c->armed_at = SIP_TXN_NEVER;
	t->free[t->n_free] = call_slot(t, c);
	__atomic_store_n(&t->n_free, t->n_free + 1, __ATOMIC_RELAXED);
}

struct call *call_by_a(struct wrk_ctx *w, const char *cid, size_t len)
{
	struct call_akey k = call_akey(cid, len);
	void *data;
	struct call *c;

	if (rte_hash_lookup_data(w->calls->by_a, &k, &data) < 0)
		return NULL;
	c = &w->calls->calls[(uintptr_t)data];
	if (c->phase == CALL_FREE || c->a_call_id.len != len ||
	    memcmp(call_s(c, c->a_call_id), cid, len) != 0)
		return NULL;
	return c;
}

int call_index_a(struct wrk_ctx *w, struct call *c)
{
	struct call_akey k = call_akey(call_s(c, c->a_call_id), c->a_call_id.len);

	return rte_hash_add_key_data(w->calls->by_a, &k,
				     (void *)(uintptr_t)call_slot(w->calls, c));
}

static int call_hex32(const char *s, uint32_t *v)
{
	uint32_t x = 0;

	for (unsigned i = 0; i < 8; i++) {
		char ch = s[i];

		x <<= 4;
		if (ch >= '0' && ch <= '9')
			x |= (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			x |= (uint32_t)(ch - 'a' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

struct call *call_by_b(struct wrk_ctx *w, const char *cid, size_t len)
{
	uint32_t slot, gen;
	struct call *c;

	if (len != CALL_B_ID_LEN || cid[0] != 'b' || call_hex32(cid + 1, &slot) < 0 ||
	    call_hex32(cid + 9, &gen) < 0 || slot >= w->calls->cap ||
	    w->calls->gen[slot] != gen)
		return NULL;
	c = &w->calls->calls[slot];
	if (c->phase == CALL_FREE || c->b_call_id.len != len ||
	    memcmp(call_s(c, c->b_call_id), cid, len) != 0)
		return NULL;
	return c;
}

void call_live(struct wrk_ctx *w, struct call *c, uint8_t state)
{
	uint32_t s = call_slot(w->calls, c);

	__atomic_store_n(&w->calls->live[s], w->calls->gen[s] << 8 | state, __ATOMIC_RELAXED);
}

uint8_t call_live_state(const struct dp *dp, uint64_t ref)
{
	uint32_t wi = (uint32_t)(ref >> 48), s = (uint32_t)(ref & 0xffffff);
	uint32_t gen = (uint32_t)(ref >> 24) & 0xffffff, v;
	const struct call_table *t;

	if (wi >= dp->n_workers || dp->wrk[wi] == NULL || (t = dp->wrk[wi]->calls) == NULL ||
	    s >= t->cap)
		return 0;
	v = __atomic_load_n(&t->live[s], __ATOMIC_RELAXED);
	return v >> 8 == gen ? (uint8_t)v : 0;
}

struct call *call_by_ref(struct wrk_ctx *w, uint64_t ref)
{
	uint32_t slot = (uint32_t)(ref & 0xffffff);
	struct call *c;

	if (slot >= w->calls->cap)
		return NULL;
	c = &w->calls->calls[slot];
	return c->phase != CALL_FREE && c->ref == ref ? c : NULL;
}

int call_keep(struct call *c, struct call_str *out, const char *s, size_t n)
{
	if (n > (size_t)(CALL_ARENA - c->arena_len)) {
		out->off = out->len = 0;
		return -ENOSPC;
	}
	memcpy(c->arena + c->arena_len, s, n);
	out->off = c->arena_len;
	out->len = (uint16_t)n;
	c->arena_len = (uint16_t)(c->arena_len + n);
	return 0;
}

int call_make_b_ids(struct wrk_ctx *w, struct call *c)
{
	char id[CALL_B_ID_LEN], tag[8];
	uint32_t slot = call_slot(w->calls, c), salt = (uint32_t)rte_rdtsc();
	struct sbuf b;

	for (;;) {
		b = sbuf_make(id, sizeof(id));
		sbuf_put(&b, "b", 1);
		sbuf_hex32(&b, slot);
		sbuf_hex32(&b, w->calls->gen[slot]);
		sbuf_hex32(&b, salt);
		if (disp_worker_of(disp_hash(id, sizeof(id)), w->dp->n_workers) == w->idx)
			break;
		salt = salt * 1103515245u + 12345u;
	}
	b = sbuf_make(tag, sizeof(tag));
	sbuf_hex32(&b, salt ^ (uint32_t)(c->ref >> 16) ^ w->dp->tag_seed);
	if (call_keep(c, &c->b_call_id, id, sizeof(id)) < 0 ||
	    call_keep(c, &c->b_from_tag, tag, sizeof(tag)) < 0)
		return -ENOSPC;
	return 0;
}

static uint64_t call_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void call_on_timer(struct rte_timer *tim, void *arg)
{
	struct wrk_ctx *w = arg;
	struct call *c = container_of(tim, struct call, tim);
	uint64_t now = rte_rdtsc() / w->tsc_per_ms;

	c->armed_at = SIP_TXN_NEVER;
	if (c->phase == CALL_ROUTING || c->phase == CALL_TRYING || c->phase == CALL_FAILED)
		call_setup_timers(w, c, now);
	else
		call_dialog_timers(w, c, now);
	if (c->phase != CALL_FREE)
		call_arm(w, c);
}

void call_arm(struct wrk_ctx *w, struct call *c)
{
	uint64_t at = call_min(c->ring_end, call_min(c->route_end, c->resend_at));
	uint64_t now, ticks;

	at = call_min(at, c->give_up);
	if (c->ist.state != SIP_TXN_STATE_TERMINATED)
		at = call_min(at, sip_txn_deadline(&c->ist));
	for (unsigned i = 0; i < c->n_legs; i++) {
		const struct call_leg *l = &c->leg[i];

		if (l->ict.state != SIP_TXN_STATE_TERMINATED)
			at = call_min(at, sip_txn_deadline(&l->ict));
		if (l->cancel_at)
			at = call_min(at, l->cancel_at);
	}
	for (unsigned i = 0; i < 2; i++)
		if (c->rel[i].txn.state != SIP_TXN_STATE_TERMINATED)
			at = call_min(at, sip_txn_deadline(&c->rel[i].txn));
	/* Lazily: a deadline that moved later (or went away) leaves the timer
	 * where it is; it fires early, finds nothing due and is armed again
	 * for what is left. Most calls so reset their timer once or twice
	 * (each reset is a skip-list removal and insert) and end before it
	 * fires: call_free stops it. */
	if (at >= c->armed_at)
		return;
	c->armed_at = at;
	now = rte_rdtsc() / w->tsc_per_ms;
	ticks = (at > now ? at - now : 1) * w->tsc_per_ms;
	rte_timer_reset(&c->tim, ticks, SINGLE, rte_lcore_id(), call_on_timer, w);
}

void call_keep_a_inv(struct call *c, struct rte_mbuf *m, const struct sip_msg *msg)
{
	/* The parse goes at the end of m's buffer, 8-aligned, past the
	 * datagram: nothing writes there while the call keeps m (it is only
	 * read, never sent or copied). Without the room, call_a_msg parses. */
	uintptr_t base = (uintptr_t)m->buf_addr;
	uintptr_t at = (base + m->buf_len - sip_msg_packed_size(msg)) & ~(uintptr_t)7;
	uintptr_t used = (uintptr_t)rte_pktmbuf_mtod(m, char *) + m->data_len;

	c->a_inv = m;
	c->a_pack_off = 0;
	if (m->nb_segs != 1 || at < used || at - base > UINT16_MAX)
		return;
	sip_msg_pack(msg, (void *)at);
	c->a_pack_off = (uint16_t)(at - base);
}

const struct sip_msg *call_a_msg(struct wrk_ctx *w, struct call *c)
{
	if (c->a_inv == NULL)
		return NULL;
	/* a call keeps one A INVITE until it is up: same call, same parse */
	if (w->amsg_of == c->a_inv && w->amsg_ref == c->ref)
		return &w->amsg;
	w->amsg_of = NULL;
	/* with 1000s of calls in flight the last parse is rarely this call's:
	 * restoring the kept one costs a copy of a few hundred bytes, a
	 * parse of the whole INVITE (cold by then) several times that */
	if (c->a_pack_off)
		sip_msg_unpack((const char *)c->a_inv->buf_addr + c->a_pack_off, &w->amsg);
	else if (sip_parse(pkt_payload(c->a_inv), pkt_meta(c->a_inv)->payload_len, &w->amsg) < 0)
		return NULL;
	w->amsg_of = c->a_inv;
	w->amsg_ref = c->ref;
	return &w->amsg;
}

const struct sip_msg *call_kept_msg(struct wrk_ctx *w, struct rte_mbuf *m)
{
	w->amsg_of = NULL;
	if (sip_parse(pkt_payload(m), pkt_meta(m)->payload_len, &w->amsg) < 0)
		return NULL;
	return &w->amsg;
}

struct cpmsg *call_msg_get(struct wrk_ctx *w, const struct call *c, uint8_t type, size_t size)
{
	struct cpmsg *m;

	if (rte_mempool_get(w->dp->cp_pool, (void **)&m) < 0)
		return NULL;
	memset(m, 0, offsetof(struct cpmsg, u) + size);
	m->type = type;
	m->worker = (uint8_t)w->idx;
	m->snap_gen = c->snap_gen;
	m->call_ref = c->ref;
	return m;
}

const char *call_reason(const char *buf, const struct sip_msg *msg, char *out, size_t cap,
			const char *dflt)
{
	struct sbuf b = sbuf_make(out, cap - 1);

	sbuf_slice(&b, buf, msg->reason);
	out[b.over ? 0 : b.len] = '\0';
	return out[0] ? out : dflt;
}

uint64_t call_unix_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL); /* vDSO: no system call */
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}
