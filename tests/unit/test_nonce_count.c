/* SPDX-License-Identifier: MIT */
/*
 * nonce_count (dataplane/sip/nonce_count.c): the highest nonce count
 * accepted per digest nonce, and what happens to a count that is not
 * above it, to a nonce whose slot a newer one took, and under threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "sip/nonce_count.h"

#define SLOTS 16u

static uint64_t slots[SLOTS];
static struct nonce_count t;

static void setup(void)
{
	memset(slots, 0, sizeof(slots));
	cr_assert_eq(nonce_count_init(&t, slots, SLOTS), 0);
}

TestSuite(nonce_count, .init = setup);

Test(nonce_count, init_wants_a_power_of_two)
{
	struct nonce_count x;

	cr_expect_eq(nonce_count_init(&x, slots, 12), -EINVAL);
	cr_expect_eq(nonce_count_init(&x, slots, 0), -EINVAL);
	cr_expect_eq(nonce_count_init(&x, NULL, 16), -EINVAL);
}

Test(nonce_count, counts_must_rise)
{
	uint32_t id = nonce_count_issue(&t);

	cr_assert_neq(id, 0);
	cr_expect_eq(nonce_count_use(&t, id, 1), NONCE_COUNT_OK);
	cr_expect_eq(nonce_count_use(&t, id, 1), NONCE_COUNT_REPLAY, "the same request again");
	cr_expect_eq(nonce_count_use(&t, id, 2), NONCE_COUNT_OK);
	cr_expect_eq(nonce_count_use(&t, id, 1), NONCE_COUNT_REPLAY, "an older one");
	cr_expect_eq(nonce_count_use(&t, id, 7), NONCE_COUNT_OK, "counts may skip");
	cr_expect_eq(nonce_count_use(&t, id, 5), NONCE_COUNT_REPLAY);
	/* another nonce keeps its own count */
	uint32_t id2 = nonce_count_issue(&t);

	cr_expect_eq(nonce_count_use(&t, id2, 1), NONCE_COUNT_OK);
	cr_expect_eq(nonce_count_use(&t, id, 8), NONCE_COUNT_OK);
}

Test(nonce_count, a_newer_nonce_in_the_slot_makes_the_old_one_gone)
{
	uint32_t old = nonce_count_issue(&t), newer = 0;

	cr_expect_eq(nonce_count_use(&t, old, 1), NONCE_COUNT_OK);
	for (unsigned i = 0; i < SLOTS; i++)
		newer = nonce_count_issue(&t); /* the last shares old's slot */
	cr_assert_eq(newer & (SLOTS - 1), old & (SLOTS - 1));
	/* issued but unused, the newer nonce does not take the slot yet */
	cr_expect_eq(nonce_count_use(&t, old, 2), NONCE_COUNT_OK);
	cr_expect_eq(nonce_count_use(&t, newer, 1), NONCE_COUNT_OK);
	cr_expect_eq(nonce_count_use(&t, old, 3), NONCE_COUNT_GONE);
	cr_expect_eq(nonce_count_use(&t, old, 2), NONCE_COUNT_GONE, "nor can it be replayed");
	cr_expect_eq(nonce_count_use(&t, newer, 2), NONCE_COUNT_OK);
}

Test(nonce_count, ids_wrap_past_zero)
{
	t.next_id = UINT32_MAX - 1;
	uint32_t a = nonce_count_issue(&t), b = nonce_count_issue(&t);

	cr_expect_eq(a, UINT32_MAX);
	cr_expect_eq(b, 1, "0 is skipped");
	cr_expect_eq(nonce_count_use(&t, b, 1), NONCE_COUNT_OK);
	/* slot 15 and slot 1: no clash; b is newer than a in serial order */
	cr_expect_eq(nonce_count_use(&t, a, 1), NONCE_COUNT_OK);
}

/* Four threads replay one nonce's counts 1..N each: every count is
 * accepted by exactly one of them. */
#define N_COUNTS 20000
static uint32_t shared_id;
static unsigned accepted[4];

static void *replayer(void *arg)
{
	unsigned k = (unsigned)(uintptr_t)arg;

	for (uint32_t nc = 1; nc <= N_COUNTS; nc++)
		if (nonce_count_use(&t, shared_id, nc) == NONCE_COUNT_OK)
			accepted[k]++;
	return NULL;
}

Test(nonce_count, each_count_is_accepted_once_across_threads)
{
	pthread_t th[4];
	unsigned total = 0;

	shared_id = nonce_count_issue(&t);
	for (unsigned k = 0; k < 4; k++)
		cr_assert_eq(pthread_create(&th[k], NULL, replayer, (void *)(uintptr_t)k), 0);
	for (unsigned k = 0; k < 4; k++) {
		pthread_join(th[k], NULL);
		total += accepted[k];
	}
	cr_expect_leq(total, N_COUNTS, "a count accepted twice: %u of %u", total, N_COUNTS);
	cr_expect_geq(total, 1);
	cr_expect_eq(nonce_count_use(&t, shared_id, N_COUNTS), NONCE_COUNT_REPLAY);
}
