/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the CDR writer thread (controlplane/cdr_writer.c) on a real
 * SQLite file in a fresh temporary directory per test: every record pushed
 * is acked once, after it is in the store; a burst, or records trickling
 * in while a commit is recent, go in as group commits, not one transaction
 * per record; and freeing the writer still writes what was queued.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cdr_store.h"
#include "cdr_writer.h"
#include "test_db_dir.h"

static void setup(void)
{
	db_dir_make("test_cdr_writer");
}

TestSuite(cdr_writer, .init = setup, .fini = db_dir_remove, .timeout = 60);

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void push(struct cdr_writer *w, unsigned i)
{
	struct cdr v;

	memset(&v, 0, sizeof(v));
	v.call_ref = 1000 + i;
	v.start_us = 1700000000000000 + (uint64_t)i;
	v.end_us = v.start_us + 1000000;
	snprintf(v.tenant, sizeof(v.tenant), "acme");
	snprintf(v.caller, sizeof(v.caller), "100");
	snprintf(v.callee, sizeof(v.callee), "200");
	snprintf(v.call_id, sizeof(v.call_id), "call-%u", i);
	cr_assert_eq(cdr_writer_push(w, &v, (uint8_t)(i % 3)), 0);
}

/* Takes acks until n have come (at most 10 s); each is checked against
 * seen[] (call_ref - 1000 indexes it) so that none comes twice. */
static void take_acks(struct cdr_writer *w, unsigned n, bool *seen, unsigned cap)
{
	const struct timespec tick = { 0, 1000000 };
	struct cdr_writer_ack a[64];
	unsigned got = 0;

	for (int t = 0; t < 10000 && got < n; t++) {
		unsigned k = cdr_writer_acks(w, a, 64);

		for (unsigned i = 0; i < k; i++) {
			unsigned idx = (unsigned)(a[i].call_ref - 1000);

			cr_assert_lt(idx, cap, "ack of an unknown record %llu",
				     (unsigned long long)a[i].call_ref);
			cr_assert(!seen[idx], "record %u acked twice", idx);
			cr_assert_eq(a[i].worker, idx % 3);
			seen[idx] = true;
		}
		got += k;
		if (k == 0)
			nanosleep(&tick, NULL);
	}
	cr_assert_eq(got, n, "%u of %u acks", got, n);
}

static uint64_t stored(struct cdr_store *s)
{
	struct cdr_query q = { .tenant = "acme" };
	uint64_t n = 0;

	cr_assert_eq(cdr_store_count(s, &q, &n), 0);
	return n;
}

Test(cdr_writer, a_burst_after_a_commit_goes_in_as_one_group)
{
	enum { BURST = 100 };
	struct cdr_store *s = cdr_store_open(path);
	struct cdr_writer *w;
	struct cdr_writer_stats st;
	bool seen[1 + BURST] = { false };

	cr_assert_not_null(s);
	w = cdr_writer_create(s, 0);
	cr_assert_not_null(w);

	push(w, 0); /* alone: committed as soon as the writer wakes */
	take_acks(w, 1, seen, 1 + BURST);
	cr_assert_eq(stored(s), 1, "acked before it was in the store");

	for (unsigned i = 1; i <= BURST; i++)
		push(w, i);
	take_acks(w, BURST, seen, 1 + BURST);
	cr_assert_eq(stored(s), 1 + BURST);

	cdr_writer_stats(w, &st);
	cr_expect_eq(st.queued, 1 + BURST);
	cr_expect_eq(st.written, 1 + BURST);
	cr_expect_eq(st.dropped, 0);
	/* The lone record took one commit; the burst came within a gather
	 * interval of it, or at worst split once at the writer's wake-up. */
	cr_expect_leq(st.commits, 3, "%llu commits for %d records",
		      (unsigned long long)st.commits, 1 + BURST);
	cdr_writer_free(w);
	cdr_store_close(s);
}

Test(cdr_writer, records_trickling_in_share_commits)
{
	enum { N = 20 };
	const struct timespec gap = { 0, 200000 }; /* 200 µs: 20 in 4 ms */
	struct cdr_store *s = cdr_store_open(path);
	struct cdr_writer *w;
	struct cdr_writer_stats st;
	bool seen[N] = { false };
	uint64_t t0, span_us;

	cr_assert_not_null(s);
	w = cdr_writer_create(s, 0);
	cr_assert_not_null(w);
	/* One at a time, each long after a commit of one record would be
	 * done: without group commit, about one transaction each. */
	t0 = now_us();
	for (unsigned i = 0; i < N; i++) {
		push(w, i);
		nanosleep(&gap, NULL);
	}
	span_us = now_us() - t0;
	take_acks(w, N, seen, N);
	cr_assert_eq(stored(s), N);
	cdr_writer_stats(w, &st);
	cr_expect_eq(st.written, N);
	/* one commit as the first arrives, then one per gather interval the
	 * pushes spanned (their sleeps overshoot on a loaded box), and one
	 * for the tail: about 3 here, where one each would be 20 */
	cr_expect_leq(st.commits, span_us / CDR_WRITER_GATHER_US + 2,
		      "%llu commits for %d records over %llu us",
		      (unsigned long long)st.commits, N, (unsigned long long)span_us);
	cr_expect_lt(st.commits, N);
	cdr_writer_free(w);
	cdr_store_close(s);
}

Test(cdr_writer, free_writes_what_is_queued)
{
	struct cdr_store *s = cdr_store_open(path);
	struct cdr_writer *w;

	cr_assert_not_null(s);
	w = cdr_writer_create(s, 0);
	cr_assert_not_null(w);
	for (unsigned i = 0; i < 50; i++)
		push(w, i);
	cdr_writer_free(w);
	cr_expect_eq(stored(s), 50);
	cdr_store_close(s);
}
