/* SPDX-License-Identifier: MIT */
/*
 * Idle back-off and busy/idle cycle accounting for polling lcores.
 *
 * A polling lcore calls idle_step() once per loop with the amount of work the
 * loop did. While work arrives it polls at full speed; after `spin` empty
 * loops it pauses, then sleeps for growing periods (`min_us` doubling to
 * `max_us`), so an idle appliance on a small box leaves the cores to others.
 * The first packet after a sleep resets the back-off. The io and worker
 * lcores start at 1 µs; the main lcore (the control plane, which can wait)
 * sleeps 1 ms at once.
 *
 * The same step accounts TSC cycles as busy (the loop did work) or idle (it
 * did not, including sleeps). A loop that did work but was switched off its
 * CPU part of the way (another task on a shared CPU) counts only the time
 * it ran as busy and the rest as preempted (oncpu.h), so busy cycles are
 * CPU the lcore used, as a process's CPU time in /proc is; where the
 * thread's clock cannot be opened, busy is the loop's whole TSC time, as
 * before, and preempted stays 0. DPDK 22.11 has no lcore usage callback
 * (rte_lcore_register_usage_cb arrived in 23.03), so these counters are
 * ours and telemetry reports them in the same shape (/sluice/lcore_usage).
 */
#ifndef SLUICE_IDLE_H
#define SLUICE_IDLE_H

#include <stdint.h>

#include "oncpu.h"
#include "stats.h"

struct idle {
	uint32_t spin;      /* empty loops before sleeping */
	uint32_t min_us;    /* first sleep */
	uint32_t max_us;    /* longest sleep */
	uint32_t empty;     /* consecutive empty loops */
	uint32_t sleep_us;  /* next sleep length */
	uint64_t last_tsc;  /* end of the previous step */
	struct oncpu cpu;   /* the lcore thread's own clock (idle_open) */
};

void idle_init(struct idle *idle, uint32_t spin, uint32_t min_us,
	       uint32_t max_us);

/* Opens the calling thread's clock: the lcore calls it first thing in its
 * loop (init may run on another thread). 0 or -errno, logged; busy time is
 * then TSC time, preemption included. */
int idle_open(struct idle *idle);

/* Closes it, as the lcore leaves its loop. */
void idle_close(struct idle *idle);

/* Accounts the loop that just ran and backs off if it was empty. */
void idle_step(struct idle *idle, struct stats_lcore *st, unsigned work);

#endif
