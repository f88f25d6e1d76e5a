/* SPDX-License-Identifier: MIT */
/*
 * nonce_count: the highest nonce count accepted per digest nonce, shared
 * by the workers (see nonce_count.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "sip/nonce_count.h"

int nonce_count_init(struct nonce_count *t, uint64_t *slots, uint32_t n)
{
	if (slots == NULL || n == 0 || (n & (n - 1)) != 0)
		return -EINVAL;
	t->slot = slots;
	t->mask = n - 1;
	t->next_id = 0;
	return 0;
}

uint32_t nonce_count_issue(struct nonce_count *t)
{
	uint32_t id;

	do
		id = __atomic_add_fetch(&t->next_id, 1, __ATOMIC_RELAXED);
	while (id == 0); /* an empty slot reads as id 0 */
	return id;
}

enum nonce_count_verdict nonce_count_use(struct nonce_count *t, uint32_t id, uint32_t nc)
{
	uint64_t *p = &t->slot[id & t->mask];
	uint64_t old = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	uint64_t want = (uint64_t)id << 32 | nc;

	for (;;) {
		uint32_t held = (uint32_t)(old >> 32);

		if (held == id) {
			if (nc <= (uint32_t)old)
				return NONCE_COUNT_REPLAY;
		} else if (held != 0 && (int32_t)(id - held) < 0) {
			return NONCE_COUNT_GONE; /* ids in serial order (RFC 1982) */
		}
		/* a first use, or a higher count: take the slot */
		if (__atomic_compare_exchange_n(p, &old, want, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return NONCE_COUNT_OK;
	}
}
