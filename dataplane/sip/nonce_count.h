/* SPDX-License-Identifier: MIT */
/*
 * Replay protection for digest nonces (RFC 7616 §3.3 and §5.x): the
 * highest nonce count (nc) accepted with each nonce, so that a request
 * whose nc is not above it, such as a captured request sent again, is
 * refused.
 *
 * Nonces stay stateless to make (sip/digest.h); each carries an id from
 * nonce_count_issue, and the table keeps one 64-bit word per slot, id << 32
 * | highest nc, slot = id modulo the table's size. Every worker reads and
 * updates it with a compare-and-swap: a device's REGISTERs and INVITEs go
 * to whichever worker their Call-IDs hash to, and a replay may come with
 * any Call-ID. A slot taken by a newer nonce makes the older one "gone":
 * the client is challenged again with stale=true and carries on with a new
 * nonce, so a full table costs a round trip, never a refusal. Nonces live
 * AUTH_NONCE_AGE_S, so a table of 2^20 slots serves about 3,500 challenges
 * a second before that happens.
 *
 * Lock-free and allocation-free after nonce_count_init; links with libc
 * only.
 */
#ifndef SLUICE_SIP_NONCE_COUNT_H
#define SLUICE_SIP_NONCE_COUNT_H

#include <stdint.h>

#define NONCE_COUNT_SLOTS (1u << 20) /* the dataplane's table (8 MiB) */

struct nonce_count {
	uint64_t *slot;   /* [mask + 1]: id << 32 | highest nc accepted */
	uint32_t mask;
	uint32_t next_id; /* the last id issued; 0 is never one */
};

enum nonce_count_verdict {
	NONCE_COUNT_OK = 0, /* nc above any before it with this nonce: recorded */
	NONCE_COUNT_REPLAY, /* nc not above the highest accepted: a replay */
	NONCE_COUNT_GONE,   /* the slot holds a newer nonce: treat as stale */
};

/* Uses slots[0..n) (zeroed; n a power of two) for t. 0, or -EINVAL. */
int nonce_count_init(struct nonce_count *t, uint64_t *slots, uint32_t n);

/* A fresh id for a nonce about to be handed out (never 0). */
uint32_t nonce_count_issue(struct nonce_count *t);

/* Records nc for the nonce with id once its request has verified. */
enum nonce_count_verdict nonce_count_use(struct nonce_count *t, uint32_t id, uint32_t nc);

#endif
