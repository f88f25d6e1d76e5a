/* SPDX-License-Identifier: MIT */
/*
 * oncpu: how much of a stretch of TSC time the calling thread really ran,
 * read without a system call.
 *
 * A polling lcore times its passes with the TSC. On a CPU it shares, a pass
 * can be preempted mid-way (a send that wakes a receiver on the same CPU is
 * the usual way), and the TSC then counts the other task's time as the
 * lcore's work. The kernel's per-task clock, a perf task-clock software
 * event opened on the thread itself with its page mapped read-only, has the
 * kernel rewrite time_running under a sequence count each time the thread
 * is switched back in, and at no other time while it runs. So an unchanged
 * count means the thread never left its CPU, and after a change
 * time_running says how long it had run until it left.
 * clock_gettime(CLOCK_THREAD_CPUTIME_ID) answers the same question but is a
 * system call, 1.3 µs on a paravirtualised guest and two a pass; this is a
 * load and a compare, and some arithmetic only after a switch.
 *
 * Where the event cannot be opened (perf_event_paranoid, seccomp, no
 * perf support), oncpu_open fails and oncpu_off answers 0: time is then
 * plain TSC time, as before.
 */
#ifndef SLUICE_ONCPU_H
#define SLUICE_ONCPU_H

#include <stdint.h>

struct perf_event_mmap_page;

struct oncpu {
	const volatile struct perf_event_mmap_page *pg; /* NULL: no clock */
	int fd;
	uint32_t seq;      /* the page's sequence count when last seen */
	uint64_t run_ns;   /* its time_running then */
	uint64_t seen_tsc; /* TSC then; on the CPU from there to a new count */
	uint64_t mhz;      /* TSC cycles per µs */
};

/* Opens the clock of the calling thread. 0 or -errno (then c->pg is NULL
 * and oncpu_off always answers 0). */
int oncpu_open(struct oncpu *c, uint64_t tsc_hz);

/* Closes it; a closed or never opened struct oncpu is a no-op. */
void oncpu_close(struct oncpu *c);

/* Notes that a stretch starts at TSC `now`: call where one ends and the
 * next begins (after a sleep, that is where the thread is back on its
 * CPU). */
void oncpu_mark(struct oncpu *c, uint64_t now);

/* Cycles of the stretch [t0, now] (t0 marked) the thread spent off its CPU,
 * and marks `now`. 0 when it never left it. */
uint64_t oncpu_off(struct oncpu *c, uint64_t t0, uint64_t now);

#endif
