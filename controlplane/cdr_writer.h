/* SPDX-License-Identifier: MIT */
/*
 * The CDR writer: a thread that owns the write path of the CDR store, so
 * that the control plane's poll loop never waits on the disk.
 *
 *   cp_poll ── cdr_writer_push ──► queue ──► writer thread: cdr_store_put
 *                                                 (one transaction a batch)
 *   cp_poll ◄─ cdr_writer_acks ◄── acks ◄────────┘ after the commit
 *
 * A record is acknowledged only after the transaction holding it has
 * committed (durable before acked). The acks go back to the control plane
 * thread, not straight to the workers: the cp_down rings are single
 * producer, and the control plane thread is their one producer.
 *
 * Both queues are bounded: a push to a full queue fails and is counted
 * (the worker keeps its CDR and may send it again); a batch the store
 * refuses is retried, with a pause, until it goes in or the writer stops.
 * Links pthreads and the CDR store only, no DPDK.
 */
#ifndef SLUICE_CDR_WRITER_H
#define SLUICE_CDR_WRITER_H

#include <stdint.h>

#include "cdr.h"

#define CDR_WRITER_QUEUE_DEFAULT 8192 /* records waiting to be written */
#define CDR_WRITER_BATCH 256          /* records per transaction at most */
#define CDR_WRITER_GATHER_US 4000     /* commits start at most this often
					 (group commit, see cdr_writer.c) */

struct cdr_store;
struct cdr_writer;

/* What was acknowledged: the call and the worker that sent its CDR. */
struct cdr_writer_ack {
	uint64_t call_ref;
	uint8_t worker;
};

/* Counters, read with cdr_writer_stats. */
struct cdr_writer_stats {
	uint64_t queued;      /* records accepted by cdr_writer_push */
	uint64_t written;     /* records committed */
	uint64_t commits;     /* transactions that committed them */
	uint64_t dropped;     /* pushes refused: the queue was full */
	uint64_t put_errors;  /* transactions that failed (and were retried) */
	uint64_t lost;        /* records still unwritten when the writer stopped */
	uint32_t depth;       /* records waiting now */
};

/*
 * Starts the writer thread on store (which must outlive the writer) with a
 * queue of queue_cap records (0: CDR_WRITER_QUEUE_DEFAULT). NULL on
 * failure (errno set).
 */
struct cdr_writer *cdr_writer_create(struct cdr_store *store, unsigned queue_cap);

/*
 * Writes what is queued, stops the thread and frees the writer; acks not
 * yet taken are discarded. NULL is a no-op.
 */
void cdr_writer_free(struct cdr_writer *w);

/*
 * Queues a copy of one record; acked later as (v->call_ref, worker).
 * 0, or -ENOBUFS when the queue is full (counted as dropped).
 */
int cdr_writer_push(struct cdr_writer *w, const struct cdr *v, uint8_t worker);

/* Takes up to max acks of committed records, oldest first; returns how many. */
unsigned cdr_writer_acks(struct cdr_writer *w, struct cdr_writer_ack *out, unsigned max);

/* A consistent copy of the counters. */
void cdr_writer_stats(struct cdr_writer *w, struct cdr_writer_stats *out);

#endif
