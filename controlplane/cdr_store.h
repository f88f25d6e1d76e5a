/* SPDX-License-Identifier: MIT */
/*
 * The CDR store: call detail records kept in one SQLite file in WAL mode,
 * written in batches by the control plane's writer thread and read by the
 * HTTP API's threads (newest first, filtered by tenant, time and number,
 * paged with a keyset cursor).
 *
 * Durability: cdr_store_put commits before it returns, and a committed
 * batch survives the process being killed (-9) at any point after that.
 *
 * Threading: one write connection behind a mutex (the writer thread is
 * expected to be the only caller, the mutex only makes a second one safe)
 * and a small pool of read-only connections that query threads borrow one
 * at a time. WAL lets every reader run beside the writer; nobody waits on
 * anybody except for a free read connection when more threads query at once
 * than the pool holds.
 *
 * Links sqlite3 and pthreads only, no DPDK.
 */
#ifndef SLUICE_CDR_STORE_H
#define SLUICE_CDR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cdr.h"

#define CDR_STORE_SCHEMA_VERSION 1 /* PRAGMA user_version of a current file */
#define CDR_STORE_READERS 4        /* read connections in the pool */
#define CDR_STORE_LIMIT_DEFAULT 100
#define CDR_STORE_LIMIT_MAX 1000
#define CDR_STORE_CURSOR_LEN 48    /* room for a formatted cursor and its NUL */

struct cdr_store;

/*
 * Where a page ended: the (start_us, row id) of its last, oldest row. The
 * next page holds the rows strictly older in that order, so rows stored
 * meanwhile never shift or repeat a walk.
 */
struct cdr_cursor {
	bool set;          /* false: start from the newest row */
	uint64_t start_us;
	int64_t rowid;
};

struct cdr_query {
	const char *tenant;      /* required, exact match */
	uint64_t from_us;        /* start_us >= from_us */
	uint64_t to_us;          /* start_us < to_us; 0 = no upper bound */
	const char *number;      /* NULL or "": any; else caller or callee equal */
	unsigned limit;          /* 0 = CDR_STORE_LIMIT_DEFAULT, at most _MAX */
	struct cdr_cursor after; /* continue after this row (newest first) */
};

/*
 * Called once per row, newest first. Return 0 to go on; a negative value
 * stops the query, which then returns that value.
 */
typedef int cdr_store_row_fn(void *arg, const struct cdr *v);

/*
 * Opens path, creating the file and its schema if missing, in WAL mode.
 * Returns NULL on failure (with errno set) after writing why to stderr: the
 * file cannot be opened, is not a database, or has a newer schema version.
 */
struct cdr_store *cdr_store_open(const char *path);

/*
 * Closes every connection; NULL is a no-op. Call it after the writer and
 * every query thread are done with the store (api_free first).
 */
void cdr_store_close(struct cdr_store *s);

/*
 * Writes n records in one transaction, committed before return: on 0 the
 * whole batch is durable, on error (-EIO, -EBUSY after a 5 s wait, -EINVAL
 * for a NULL argument) none of it was written. n == 0 is a no-op. Strings
 * are read up to their field's size even without a NUL.
 */
int cdr_store_put(struct cdr_store *s, const struct cdr *v, size_t n);

/*
 * Calls fn for each record matching q, newest first (start_us, then row id,
 * descending), at most q->limit of them. If more rows follow, *next is set
 * to continue after the last one delivered; else next->set is false. next
 * may be NULL. Returns the number of rows delivered, -EINVAL for a bad query
 * (no tenant, limit above the maximum), -EIO on a database error, or what
 * fn returned to stop.
 */
int cdr_store_query(struct cdr_store *s, const struct cdr_query *q,
		    cdr_store_row_fn *fn, void *arg, struct cdr_cursor *next);

/*
 * Counts the records matching q's tenant, time range and number (its limit
 * and cursor are ignored) into *out. Returns 0, -EINVAL or -EIO.
 */
int cdr_store_count(struct cdr_store *s, const struct cdr_query *q,
		    uint64_t *out);

/*
 * A cursor as text, "<start_us>-<rowid>", and back. Format returns the
 * length written (< len) or -ENOSPC; parse returns 0 or -EINVAL for
 * anything that is not exactly that shape.
 */
int cdr_store_cursor_format(const struct cdr_cursor *c, char *buf,
			    size_t len);
int cdr_store_cursor_parse(const char *text, struct cdr_cursor *c);

#endif
