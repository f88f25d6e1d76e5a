/* SPDX-License-Identifier: MIT */
/*
 * oncpu (dataplane/oncpu.c): the time a thread was off its CPU within
 * stretches it timed with the TSC, read from its perf page. Checked against
 * the kernel's thread CPU clock (CLOCK_THREAD_CPUTIME_ID, a system call
 * here, which is fine in a test): TSC time minus what oncpu calls off must
 * be the CPU time the thread got, alone on a CPU and sharing it with a
 * spinning thread.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include <criterion/criterion.h>
#include <rte_cycles.h>

#include "oncpu.h"

#define STRETCH_US 100 /* a busy poll loop's length, give or take */
#define RUN_MS 400

static uint64_t ns_of(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The TSC's rate, against CLOCK_MONOTONIC over 50 ms (no EAL here). */
static uint64_t tsc_hz(void)
{
	uint64_t n0 = ns_of(CLOCK_MONOTONIC), t0 = rte_rdtsc(), n1;

	do
		n1 = ns_of(CLOCK_MONOTONIC);
	while (n1 - n0 < 50000000u);
	return (rte_rdtsc() - t0) * 1000000000u / (n1 - n0);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	cr_assert_eq(pthread_setaffinity_np(pthread_self(), sizeof(set), &set), 0);
}

static atomic_bool hog_stop;

static void *hog(void *arg)
{
	pin(*(int *)arg);
	while (!atomic_load_explicit(&hog_stop, memory_order_relaxed))
		;
	return NULL;
}

struct run {
	double span_ms; /* TSC time of all stretches */
	double off_ms;  /* of it, off the CPU by oncpu */
	double cpu_ms;  /* the thread's CPU time by the kernel's clock */
};

/* Back-to-back spinning stretches of STRETCH_US for RUN_MS on CPU `cpu`. */
static struct run spin_stretches(int cpu)
{
	uint64_t hz = tsc_hz(), stretch = hz / 1000000 * STRETCH_US;
	uint64_t end, t0, now, span = 0, off = 0, cpu0;
	struct oncpu c;
	struct run r;

	pin(cpu);
	cr_assert_eq(oncpu_open(&c, hz), 0, "perf task-clock (running as root?)");
	t0 = rte_rdtsc();
	end = t0 + hz / 1000 * RUN_MS;
	oncpu_mark(&c, t0);
	cpu0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
	t0 = rte_rdtsc();
	oncpu_mark(&c, t0);
	do {
		do
			now = rte_rdtsc();
		while (now - t0 < stretch);
		span += now - t0;
		off += oncpu_off(&c, t0, now);
		t0 = now;
	} while (now < end);
	r.cpu_ms = (double)(ns_of(CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e6;
	oncpu_close(&c);
	r.span_ms = (double)span * 1000 / (double)hz;
	r.off_ms = (double)off * 1000 / (double)hz;
	return r;
}

/* On-CPU time by oncpu within 5% (plus 2 ms) of the kernel's. */
static void expect_cpu_time(const struct run *r)
{
	double on = r->span_ms - r->off_ms, tol = r->cpu_ms * 0.05 + 2;

	cr_expect(on > r->cpu_ms - tol && on < r->cpu_ms + tol,
		  "on the CPU %.1f ms by oncpu, %.1f ms by the kernel "
		  "(%.1f ms of TSC time, %.1f off)", on, r->cpu_ms, r->span_ms,
		  r->off_ms);
}

Test(oncpu_off, is_the_time_another_thread_had_the_cpu)
{
	pthread_t t;
	int cpu = 0;
	struct run r;

	atomic_store(&hog_stop, false);
	cr_assert_eq(pthread_create(&t, NULL, hog, &cpu), 0);
	r = spin_stretches(cpu);
	atomic_store(&hog_stop, true);
	pthread_join(t, NULL);
	expect_cpu_time(&r);
	/* two spinners on one CPU: each gets about half; the TSC alone
	 * would call all of it this thread's */
	cr_expect(r.off_ms > r.span_ms * 0.25,
		  "%.1f ms off of %.1f ms shared with a spinner", r.off_ms,
		  r.span_ms);
}

Test(oncpu_off, is_near_zero_for_a_thread_with_its_cpu)
{
	struct run r = spin_stretches(1);

	expect_cpu_time(&r);
}

Test(oncpu_off, is_zero_without_a_clock)
{
	struct oncpu c = { .pg = NULL, .fd = -1 };

	oncpu_mark(&c, 100);
	cr_expect_eq(oncpu_off(&c, 100, 200), 0);
	oncpu_close(&c); /* a no-op */
	oncpu_close(&c);
}
