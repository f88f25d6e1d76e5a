/* SPDX-License-Identifier: MIT */
/*
 * The control plane: what runs on the main lcore beside the dataplane.
 * One context, struct cp, holds the dataplane it serves, the CDR store
 * and its writer thread, the HTTP API, the table of live calls and the
 * control plane's counters; cp_poll is its loop body.
 *
 * Threads and who touches which ring:
 *   control plane thread (main lcore, cp_poll)
 *       the only consumer of every cp_up[w] (rings are SC)
 *       the only producer of every cp_down[w] (rings are SP): route
 *       decisions and CDR acks both go out from here, never from another
 *       thread
 *   CDR writer thread (cdr_writer.c)
 *       commits CDRs to SQLite; hands acks back through cdr_writer_acks,
 *       which cp_poll turns into CPMSG_CDR_ACK messages
 *   API threads (libmicrohttpd, api.c)
 *       read the tenant snapshot (dp->snap), tenant states, the location
 *       array, per-lcore stats and the live-calls table (under its mutex)
 *
 * The API threads are not RCU readers: they load dp->snap and use it for
 * one request. A reload keeps a replaced snapshot alive, retired, until
 * the next reload (see dp.h), so a request never reads freed memory
 * unless two reloads happen within one request.
 */
#ifndef SLUICE_CP_H
#define SLUICE_CP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "cdr_writer.h"
#include "cfg.h"
#include "cpmsg.h"
#include "dp.h"
#include "reg_saver.h"
#include "route.h"

#define CP_BURST 32             /* messages taken from one ring at a time */
#define CP_CALLS_MIN (1u << 12) /* live-calls table slots at start */
#define CP_CALLS_MAX (1u << 21) /* and at most (3/4 of it in use) */

/* Counters of the control plane thread; read by the API's /metrics. */
#define CP_COUNTERS(X)                                                          \
	X(route_req, "route requests taken from the workers")                  \
	X(route_stale, "route requests of a replaced snapshot answered 503")   \
	X(route_bad, "route requests naming an unknown tenant, user or trunk") \
	X(route_late, "route requests already past their deadline")            \
	X(cdr_in, "CDRs taken from the workers")                               \
	X(cdr_no_store, "CDRs dropped: no CDR store")                          \
	X(cdr_queue_full, "CDRs dropped: the writer's queue was full")         \
	X(cdr_acked, "CDR acks sent to the workers")                           \
	X(calls_untracked, "calls the live-calls table had no room for")       \
	X(msg_unknown, "messages of an unknown type")                          \
	X(down_full, "messages not sent: a cp_down ring was full")             \
	X(pool_empty, "messages not sent: the message pool was empty")

enum cp_counter {
#define CP_X(id, help) CP_C_##id,
	CP_COUNTERS(CP_X)
#undef CP_X
	CP_C_COUNT
};

/* A call in progress, as call events tell it. */
struct cp_call {
	uint64_t call_ref;
	uint64_t started_us;        /* Unix time of the route request */
	char tenant[CFG_ID];
	char caller[CPMSG_NUM_LEN];
	char callee[CPMSG_NUM_LEN];
	uint8_t state;              /* enum cpmsg_call_state */
	uint8_t worker;
	bool used;
};

/* Open addressing on call_ref, linear probing, backward-shift deletion. */
struct cp_calls {
	pthread_mutex_t lock;       /* control plane thread writes, API reads */
	struct cp_call *slot;
	uint32_t cap;               /* power of two */
	uint32_t n;
};

/* Reloads asked for by API threads, carried out by the control plane thread. */
struct cp_reload {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t asked, done;       /* requests made, requests answered */
	int rc;                     /* outcome of the last reload */
	char report[4096];          /* its summary, or its errors one per line */
};

struct cp {
	struct dp *dp;
	const struct cfg *cfg;      /* the boot config: api and cdr settings */
	struct cdr_store *store;
	struct cdr_writer *writer;
	struct reg_saver *regs;     /* borrowed (main owns it); NULL: none */
	struct api *api;
	struct cp_calls calls;

	/* acks taken from the writer and not yet sent (a ring was full) */
	struct cdr_writer_ack ack[CP_BURST];
	unsigned n_ack, ack_next;

	uint64_t tsc_per_ms;
	uint64_t c[CP_C_COUNT];                /* relaxed atomics */
	uint64_t by_rule[ROUTE_RULE_COUNT];    /* decisions by route rule */
	uint64_t *route_rej;                   /* [TENANT_MAX_STATES] rejects by tenant */
	struct cp_reload reload;
};

/*
 * Builds the control plane of a running dataplane: creates the directory
 * of cfg->cdr.path if missing and opens the store there, starts the CDR
 * writer and the API on cfg->api.listen (port 0: any free one). regs (or
 * NULL) is told of reloads and reported in /metrics. NULL on
 * failure, with the reason written to stderr (a store that cannot be
 * opened, an address in use). cfg must outlive the control plane.
 */
struct cp *cp_create(struct dp *dp, const struct cfg *cfg, struct reg_saver *regs);

/*
 * Stops the API, writes what the writer has queued and frees everything
 * (not the dataplane). NULL is a no-op.
 */
void cp_free(struct cp *cp);

/*
 * One pass of the loop: drains every cp_up ring (route requests answered
 * at once, CDRs queued to the writer, call events applied to the table)
 * and sends the CDR acks the writer has ready. Returns how many messages
 * it handled or sent (0: idle). Control plane thread only.
 */
unsigned cp_poll(struct cp *cp);

/*
 * Reloads the configuration file (cfg->path of the boot config): its
 * tenants replace the running ones (tenant_reload). On error every problem
 * is logged and written to report (one per line), and nothing changes.
 * 0 or -errno. Control plane thread only (SIGHUP lands here).
 */
int cp_reload_now(struct cp *cp, char *report, size_t cap);

/* Carries out a reload an API thread asked for, if any; true if it did.
 * Control plane thread. */
bool cp_reload_serve(struct cp *cp);

/*
 * From any other thread: asks the control plane thread for a reload and
 * waits for it (at most 10 s, then -ETIMEDOUT). Same returns and report
 * as cp_reload_now.
 */
int cp_reload_request(struct cp *cp, char *report, size_t cap);

/* The API's port (the one chosen when cfg->api.listen.port was 0). */
uint16_t cp_api_port(const struct cp *cp);

/*
 * Copies the live calls of tenant id (NULL: all) into a malloc'd array,
 * *out (NULL when there are none), and returns how many, or -ENOMEM.
 * Any thread.
 */
int cp_calls_copy(struct cp *cp, const char *tenant, struct cp_call **out);

/* A counter's current value; any thread. */
static inline uint64_t cp_counter(const struct cp *cp, enum cp_counter c)
{
	return __atomic_load_n(&cp->c[c], __ATOMIC_RELAXED);
}

/* The API's callbacks (api_tenants.c); ctx is the struct cp. */
api_auth_fn cp_api_auth;
api_metrics_fn cp_api_metrics;

#endif
