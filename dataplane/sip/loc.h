/* SPDX-License-Identifier: MIT */
/*
 * The location service: where each registered device can be reached
 * (RFC 3261 §10), shared by every worker.
 *
 * One address-of-record (struct loc_aor) per configured device, in one
 * array whose slot numbers the control plane assigns and keeps stable
 * across config reloads; the tenant snapshot tells a worker the slot of
 * each device, so no lookup table is needed here. A device's REGISTERs
 * usually reach one worker (they share a Call-ID) but need not (a reboot
 * picks a new one), and calls to the device are routed on any worker: so
 * an AOR is written under its seqlock's writer lock (rare, short) and read
 * without any lock, retrying if a writer was active (rte_seqlock).
 *
 * Bindings follow §10.3: a binding is the same as a stored one if both
 * carry the same +sip.instance (RFC 5626), or else the same contact URI;
 * within one Call-ID a REGISTER whose CSeq is not above the stored one is
 * out of order and changes nothing; a REGISTER applies wholly or not at all.
 * Each binding keeps the source address its REGISTER came from, so calls
 * reach a device behind NAT (RFC 3581) through the hole it keeps open.
 *
 * Times are milliseconds of a monotonic clock the caller supplies.
 */
#ifndef SLUICE_LOC_H
#define SLUICE_LOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_seqlock.h>

#define LOC_MAX_CONTACTS 8  /* bindings per AOR (a device's max_contacts ≤ this) */
#define LOC_URI_LEN 128
#define LOC_INSTANCE_LEN 64
#define LOC_UA_LEN 48

struct loc_contact {
	uint64_t expires_ms;   /* monotonic time it lapses */
	uint64_t since_s;      /* Unix time first registered (for the API) */
	uint32_t src_ip;       /* source of the REGISTER, host byte order */
	uint16_t src_port;
	uint16_t q;            /* 0..1000 (thousandths), 1000 if not given */
	uint32_t callid_hash;  /* Call-ID of the REGISTER that made it */
	uint32_t cseq;
	uint8_t uri_len, instance_len, ua_len;
	char uri[LOC_URI_LEN];
	char instance[LOC_INSTANCE_LEN]; /* +sip.instance value, "" if none */
	char ua[LOC_UA_LEN];             /* User-Agent, cut to fit */
};

struct loc_aor {
	rte_seqlock_t lock;
	uint16_t n;
	struct loc_contact c[LOC_MAX_CONTACTS];
};

/* One Contact of a REGISTER, pointers into the message. */
struct loc_binding {
	const char *uri;
	size_t uri_len;
	const char *instance;  /* NULL or "" when absent */
	size_t instance_len;
	uint32_t expires_s;    /* already resolved: contact param, Expires, default */
	uint16_t q;
};

/* What a REGISTER asks for, besides its bindings. */
struct loc_reg {
	uint64_t now_ms;
	uint64_t now_s;         /* Unix time */
	uint32_t src_ip;
	uint16_t src_port;
	uint32_t callid_hash;
	uint32_t cseq;
	const char *ua;
	size_t ua_len;
	bool star;              /* "Contact: *" with Expires: 0: remove all */
	unsigned max_contacts;  /* the device's limit, 1..LOC_MAX_CONTACTS */
};

/* Zeroes n AORs (a fresh array from the allocator of the caller's choice). */
void loc_init(struct loc_aor *a, size_t n);

/*
 * Applies one REGISTER's bindings (b[0..nb)) to AOR a. Returns the change
 * in the number of bindings (for the tenant's count; may be negative) as
 * *delta and 0, or: -ESTALE (a binding was set by an earlier or the same
 * CSeq of this Call-ID: §10.3 step 7, nothing changed), -ENAMETOOLONG (a
 * URI or instance does not fit), -EINVAL (a bad argument).
 * A new binding beyond max_contacts replaces the one that lapses soonest.
 */
int loc_apply(struct loc_aor *a, const struct loc_reg *r, const struct loc_binding *b,
	      unsigned nb, int *delta);

/*
 * Copies the bindings of a still valid at now_ms into out (room for
 * LOC_MAX_CONTACTS), best q first, and returns how many. Lock-free.
 */
unsigned loc_read(const struct loc_aor *a, uint64_t now_ms, struct loc_contact *out);

/* Removes the bindings lapsed at now_ms; returns how many went. */
unsigned loc_expire(struct loc_aor *a, uint64_t now_ms);

/*
 * Puts saved bindings c[0..n) back into AOR a, replacing what it held:
 * those still valid at now_ms (their expires_ms on the caller's clock),
 * at most LOC_MAX_CONTACTS. Returns how many were kept.
 */
unsigned loc_restore(struct loc_aor *a, const struct loc_contact *c, unsigned n,
		     uint64_t now_ms);

/*
 * Which AORs changed since they were last saved (the registration store,
 * controlplane/reg_saver.c): bit s of words[s / 64] for slot s. Whoever
 * changes an AOR marks it after the change; the saver takes a word (and
 * clears it) before it reads the AORs the word names, so a change made
 * meanwhile is marked again and saved next time.
 */
static inline void loc_dirty_mark(uint64_t *words, uint32_t slot)
{
	__atomic_fetch_or(&words[slot >> 6], 1ull << (slot & 63), __ATOMIC_RELEASE);
}

static inline uint64_t loc_dirty_take(uint64_t *words, uint32_t word)
{
	if (__atomic_load_n(&words[word], __ATOMIC_RELAXED) == 0)
		return 0;
	return __atomic_exchange_n(&words[word], 0, __ATOMIC_ACQUIRE);
}

#endif
