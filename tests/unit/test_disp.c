/* SPDX-License-Identifier: MIT */
/*
 * Call-ID → worker mapping: every worker of 2..16 gets a fair share of
 * realistic Call-IDs, the same Call-ID always maps to the same worker, and
 * RTP port slices keep an RTP port and its RTCP port together.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "disp.h"

static int callid(char *buf, size_t n, unsigned i)
{
	/* shapes real UAs use: random hex @ host, UUIDs, counters */
	switch (i % 3) {
	case 0:
		return snprintf(buf, n, "%08x%08x@198.18.%u.%u", i * 2654435761u,
				i ^ 0x5bd1e995u, (i >> 8) & 255, i & 255);
	case 1:
		return snprintf(buf, n, "%08x-%04x-4%03x-a%03x-%012x", i,
				i & 0xffff, i & 0xfff, (i >> 4) & 0xfff, i * 7);
	default:
		return snprintf(buf, n, "call-%u", i);
	}
}

Test(disp_worker_of, spreads_evenly_over_2_to_16_workers)
{
	enum { N = 60000 };
	uint16_t workers;

	for (workers = 2; workers <= 16; workers++) {
		unsigned count[16] = { 0 };
		unsigned i, w, expect = N / workers;
		char id[64];

		for (i = 0; i < N; i++) {
			int len = callid(id, sizeof(id), i);

			count[disp_worker_of(disp_hash(id, (uint32_t)len),
					     workers)]++;
		}
		for (w = 0; w < workers; w++) {
			/* within 5% of a fair share (several sigma at N) */
			cr_expect_geq(count[w], expect * 95 / 100,
				      "%u workers: worker %u got %u of %u",
				      workers, w, count[w], N);
			cr_expect_leq(count[w], expect * 105 / 100,
				      "%u workers: worker %u got %u of %u",
				      workers, w, count[w], N);
		}
	}
}

Test(disp_worker_of, same_call_id_same_worker)
{
	const char *id = "a84b4c76e66710@pc33.atlanta.example.com";
	uint16_t w = disp_worker_of(disp_hash(id, (uint32_t)strlen(id)), 7);
	int i;

	for (i = 0; i < 100; i++)
		cr_assert_eq(disp_worker_of(disp_hash(id, (uint32_t)strlen(id)), 7),
			     w);
}

Test(disp_worker_of, call_id_is_case_sensitive)
{
	cr_assert_neq(disp_hash("abc@x", 5), disp_hash("ABC@x", 5));
}

Test(disp_worker_of, result_is_always_below_n)
{
	uint16_t n;
	uint32_t h;

	for (n = 1; n <= 64; n++)
		for (h = 0; h < 1000; h++) {
			cr_assert_lt(disp_worker_of(h * 4294967u, n), n);
			cr_assert_lt(disp_worker_of(0xffffffffu - h, n), n);
		}
}

Test(disp_rtp_worker, rtp_and_rtcp_stay_together)
{
	/* 20000-29999 over 3 workers: slices of 3332 ports (even) */
	uint16_t p;

	for (p = 20000; p < 29996; p += 2)
		cr_assert_eq(disp_rtp_worker(p, 20000, 3332),
			     disp_rtp_worker((uint16_t)(p + 1), 20000, 3332));
	cr_assert_eq(disp_rtp_worker(20000, 20000, 3332), 0);
	cr_assert_eq(disp_rtp_worker(23332, 20000, 3332), 1);
	cr_assert_eq(disp_rtp_worker(26664, 20000, 3332), 2);
}
