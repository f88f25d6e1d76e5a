/* SPDX-License-Identifier: MIT */
/*
 * The CDR writer thread (see cdr_writer.h). Two bounded FIFOs under one
 * mutex: records in (from the control plane thread), acks out (to it). The
 * thread copies up to a batch of records out of the queue, lets go of the
 * lock while the store commits them, then queues their acks: the lock is
 * never held across disk I/O, so cdr_writer_push costs a memcpy.
 *
 * The ack FIFO is as large as the record FIFO plus one batch, so a record
 * taken in always has room for its ack: acks cannot be lost even when the
 * control plane is slow to take them (the writer waits for room instead).
 *
 * Group commit. A commit costs about as much for one record as for ten (the
 * same few pages go to the WAL, and each wake-up of this thread is a pair of
 * context switches), so commits start at most CDR_WRITER_GATHER_US apart:
 * a record that arrives sooner after the last commit began waits for the
 * rest of that interval with whatever else comes. Under light load nothing
 * waits; under load a record is held at most that long before its commit,
 * and so is the answer to the BYE that ended its call. The thread sleeps
 * that wait without being a waiter of the condition, so pushes meanwhile
 * do not wake it; after a commit it sleeps out the interval before it
 * waits on the condition, so a steady stream never wakes it at all.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdr_store.h"
#include "cdr_writer.h"

#define CDR_WRITER_RETRY_MS 200   /* pause before retrying a failed batch */

struct cdr_writer {
	struct cdr_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;    /* records queued, room for acks, or stop */
	bool wait_room;         /* the thread waits for room for acks */
	uint64_t commit_ns;     /* when the last commit began (monotonic) */

	struct cdr *q;          /* record FIFO: q[(head + i) % cap] */
	uint8_t *q_worker;
	unsigned cap, head, n;

	struct cdr_writer_ack *acks; /* ack FIFO, ack_cap = cap + batch */
	unsigned ack_cap, ack_head, ack_n;

	bool stop;
	struct cdr_writer_stats st;

	struct cdr batch[CDR_WRITER_BATCH]; /* the writer thread's own */
	uint8_t batch_worker[CDR_WRITER_BATCH];
};

/* Takes up to a batch of records off the queue; lock held. */
static unsigned cdr_writer_take(struct cdr_writer *w)
{
	unsigned k = 0;

	while (k < CDR_WRITER_BATCH && w->n > 0) {
		w->batch[k] = w->q[w->head];
		w->batch_worker[k] = w->q_worker[w->head];
		w->head = (w->head + 1) % w->cap;
		w->n--;
		k++;
	}
	return k;
}

/* Queues the acks of a committed batch; lock held, room guaranteed. */
static void cdr_writer_ack_batch(struct cdr_writer *w, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		struct cdr_writer_ack *a = &w->acks[(w->ack_head + w->ack_n) % w->ack_cap];

		a->call_ref = w->batch[i].call_ref;
		a->worker = w->batch_worker[i];
		w->ack_n++;
	}
	w->st.written += k;
	w->st.commits++;
}

static void cdr_writer_pause(void)
{
	const struct timespec ts = { 0, CDR_WRITER_RETRY_MS * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t cdr_writer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleeps out the rest of the gather interval (see the top); lock held on
 * entry and on return, not while asleep. */
static void cdr_writer_gather(struct cdr_writer *w)
{
	uint64_t due = w->commit_ns + CDR_WRITER_GATHER_US * 1000u;
	uint64_t now = cdr_writer_now_ns();
	struct timespec ts;

	if (w->stop || w->n >= CDR_WRITER_BATCH || now >= due)
		return;
	ts.tv_sec = (time_t)((due - now) / 1000000000u);
	ts.tv_nsec = (long)((due - now) % 1000000000u);
	pthread_mutex_unlock(&w->lock);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&w->lock);
}

/*
 * Commits batch[0..k), retrying until it goes in or the writer stops;
 * lock not held. Returns true once committed.
 */
static bool cdr_writer_commit(struct cdr_writer *w, unsigned k)
{
	for (;;) {
		bool stop;

		if (cdr_store_put(w->store, w->batch, k) == 0)
			return true;
		pthread_mutex_lock(&w->lock);
		w->st.put_errors++;
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			return false;
		cdr_writer_pause();
	}
}

static void *cdr_writer_main(void *arg)
{
	struct cdr_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		unsigned k;

		/* wait for records, and for room for their acks */
		while (!w->stop && (w->n == 0 || w->ack_cap - w->ack_n < CDR_WRITER_BATCH)) {
			w->wait_room = w->n > 0;
			pthread_cond_wait(&w->wake, &w->lock);
		}
		w->wait_room = false;
		if (w->n == 0 || w->ack_cap - w->ack_n < CDR_WRITER_BATCH)
			break; /* stopping: nothing left, or nobody takes acks */
		cdr_writer_gather(w);
		k = cdr_writer_take(w);
		w->commit_ns = cdr_writer_now_ns();
		pthread_mutex_unlock(&w->lock);
		if (!cdr_writer_commit(w, k)) {
			pthread_mutex_lock(&w->lock);
			w->st.lost += k;
			break;
		}
		pthread_mutex_lock(&w->lock);
		cdr_writer_ack_batch(w, k);
		/* Sleep out this interval before looking again, rather than
		 * wait on the condition and be woken by the next push: while
		 * records keep coming that is one wake-up a commit, not two
		 * (and no futex call for the pusher). */
		if (w->n == 0)
			cdr_writer_gather(w);
	}
	w->st.lost += w->n;
	w->n = 0;
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct cdr_writer *cdr_writer_create(struct cdr_store *store, unsigned queue_cap)
{
	struct cdr_writer *w;
	int rc;

	if (store == NULL) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->store = store;
	w->cap = queue_cap ? queue_cap : CDR_WRITER_QUEUE_DEFAULT;
	w->ack_cap = w->cap + CDR_WRITER_BATCH;
	w->q = calloc(w->cap, sizeof(*w->q));
	w->q_worker = calloc(w->cap, sizeof(*w->q_worker));
	w->acks = calloc(w->ack_cap, sizeof(*w->acks));
	if (w->q == NULL || w->q_worker == NULL || w->acks == NULL)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	rc = pthread_create(&w->thread, NULL, cdr_writer_main, w);
	if (rc != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		errno = rc;
		goto fail;
	}
	return w;
fail:
	free(w->acks);
	free(w->q_worker);
	free(w->q);
	free(w);
	return NULL;
}

void cdr_writer_free(struct cdr_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	/* what is queued still goes in: discard the acks nobody will take */
	w->ack_n = 0;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->acks);
	free(w->q_worker);
	free(w->q);
	free(w);
}

int cdr_writer_push(struct cdr_writer *w, const struct cdr *v, uint8_t worker)
{
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	if (w->n == w->cap || w->stop) {
		w->st.dropped++;
		rc = -ENOBUFS;
	} else {
		unsigned i = (w->head + w->n) % w->cap;

		w->q[i] = *v;
		w->q_worker[i] = worker;
		w->n++;
		w->st.queued++;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

unsigned cdr_writer_acks(struct cdr_writer *w, struct cdr_writer_ack *out, unsigned max)
{
	unsigned k = 0;

	pthread_mutex_lock(&w->lock);
	while (k < max && w->ack_n > 0) {
		out[k++] = w->acks[w->ack_head];
		w->ack_head = (w->ack_head + 1) % w->ack_cap;
		w->ack_n--;
	}
	if (k > 0 && w->wait_room)
		pthread_cond_signal(&w->wake); /* room for acks again */
	pthread_mutex_unlock(&w->lock);
	return k;
}

void cdr_writer_stats(struct cdr_writer *w, struct cdr_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->st;
	out->depth = w->n;
	pthread_mutex_unlock(&w->lock);
}
