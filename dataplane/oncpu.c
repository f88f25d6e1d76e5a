/* SPDX-License-Identifier: MIT */
/*
 * oncpu: the calling thread's on-CPU time from the kernel's perf task-clock
 * page (see oncpu.h for why and what the kernel guarantees).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <rte_atomic.h>

#include "oncpu.h"

int oncpu_open(struct oncpu *c, uint64_t tsc_hz)
{
	struct perf_event_attr a;
	void *pg;
	long fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	/* this thread (pid 0), any CPU; no inheritance, no sampling */
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	pg = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED,
		  (int)fd, 0);
	if (pg == MAP_FAILED) {
		int err = -errno;

		close((int)fd);
		return err;
	}
	c->fd = (int)fd;
	c->pg = pg;
	c->mhz = tsc_hz / 1000000 ? tsc_hz / 1000000 : 1;
	c->seq = UINT32_MAX; /* the first mark reads the page */
	return 0;
}

void oncpu_close(struct oncpu *c)
{
	if (c->pg != NULL)
		munmap((void *)(uintptr_t)c->pg, (size_t)sysconf(_SC_PAGESIZE));
	if (c->fd >= 0)
		close(c->fd);
	c->pg = NULL;
	c->fd = -1;
}

/* time_running and the count it goes with, read as the kernel's seqcount
 * asks (include/uapi/linux/perf_event.h): retry while it moves. */
static uint32_t oncpu_read(const volatile struct perf_event_mmap_page *pg,
			   uint64_t *run_ns)
{
	uint32_t seq;

	do {
		seq = pg->lock;
		rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
		*run_ns = pg->time_running;
		rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (pg->lock != seq);
	return seq;
}

void oncpu_mark(struct oncpu *c, uint64_t now)
{
	if (c->pg == NULL || c->pg->lock == c->seq)
		return;
	c->seq = oncpu_read(c->pg, &c->run_ns);
	c->seen_tsc = now;
}

uint64_t oncpu_off(struct oncpu *c, uint64_t t0, uint64_t now)
{
	uint64_t run_ns, ran, before, span = now - t0;

	if (c->pg == NULL || c->pg->lock == c->seq)
		return 0;
	/* Switched out at least once since t0. From seen_tsc to the last
	 * switch-out the thread ran run_ns - c->run_ns; of that, t0 -
	 * seen_tsc came before the stretch (it ran without a break from
	 * seen_tsc to t0, or the count would have moved at the mark). What
	 * ran after the last switch-in is not known: it counts as off here
	 * and as run in the next stretch that is switched out, an error of a
	 * few µs that cancels; the TSC alone would count the whole time off
	 * the CPU. */
	c->seq = oncpu_read(c->pg, &run_ns);
	ran = (run_ns - c->run_ns) * c->mhz / 1000;
	before = t0 - c->seen_tsc;
	ran = ran > before ? ran - before : 0;
	c->run_ns = run_ns;
	c->seen_tsc = now;
	return span > ran ? span - ran : 0;
}
