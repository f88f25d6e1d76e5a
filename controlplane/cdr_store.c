/* SPDX-License-Identifier: MIT */
/*
 * The CDR store on SQLite: one table of call detail records, written in
 * batches by the control plane's writer thread and paged newest first by the
 * HTTP API. The contract is in cdr_store.h; this file is about keeping it.
 *
 * Durability. The file is in WAL mode with synchronous=NORMAL: a commit
 * appends the batch to the -wal file with write(2) and returns, so once
 * cdr_store_put returns the batch is in the kernel's page cache and survives
 * the process dying any way it can (kill -9 included); the next open replays
 * the WAL. What NORMAL gives up is the fsync at each commit: a power loss or
 * kernel crash may lose the last commits (never corrupt the file). FULL would
 * fsync the WAL on every commit and survive power loss too, at the price of
 * one disk flush per batch; an appliance on a UPS-less box that wants that
 * would change SQLDB_SYNCHRONOUS (sqlite_db.c, every store's).
 *
 * Threading. SQLite connections are opened NOMUTEX (multi-thread mode: a
 * connection is safe as long as one thread uses it at a time), and this file
 * guarantees that: the write connection and its statements sit behind
 * write_lock; the read connections form a pool of CDR_STORE_READERS, each
 * with its own prepared statements, borrowed under read_lock for one query.
 * WAL is what makes this pay: readers see the last committed snapshot and
 * never block the writer, nor it them. Every connection has a busy timeout
 * for the moments that still lock (WAL recovery, a checkpoint on close).
 *
 * Times and the call reference are unsigned 64-bit in struct cdr and signed
 * in SQLite; they are stored as the same 64 bits, so every value round-trips,
 * and ordering is right for every time before the year 294,000.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cdr_store.h"
#include "sqlite_db.h"

#define STORE_XSTR(x) #x
#define STORE_STR(x) STORE_XSTR(x)

static const char *const store_schema =
	"CREATE TABLE cdr ("
	" id INTEGER PRIMARY KEY," /* the rowid: insertion order, cursor tiebreak */
	" call_ref INTEGER NOT NULL,"
	" tenant TEXT NOT NULL,"
	" start_us INTEGER NOT NULL,"
	" ring_us INTEGER NOT NULL,"
	" answer_us INTEGER NOT NULL,"
	" end_us INTEGER NOT NULL,"
	" ring_ms INTEGER NOT NULL,"
	" sip_code INTEGER NOT NULL,"
	" disposition TEXT NOT NULL," /* by name: "answered", … */
	" worker INTEGER NOT NULL,"
	" caller TEXT NOT NULL,"
	" callee TEXT NOT NULL,"
	" call_id TEXT NOT NULL,"
	" targets TEXT NOT NULL);"
	/* the API's pages: one tenant, newest first (rowid is implied last) */
	"CREATE INDEX cdr_tenant_start ON cdr (tenant, start_us);"
	/* history of a number, either side of the call */
	"CREATE INDEX cdr_tenant_caller ON cdr (tenant, caller, start_us);"
	"CREATE INDEX cdr_tenant_callee ON cdr (tenant, callee, start_us);"
	"PRAGMA user_version = " STORE_STR(CDR_STORE_SCHEMA_VERSION) ";";

static const char *const store_sql_insert =
	"INSERT INTO cdr (call_ref, tenant, start_us, ring_us, answer_us,"
	" end_us, ring_ms, sip_code, disposition, worker, caller, callee,"
	" call_id, targets) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	" ?11, ?12, ?13, ?14)";

/* Column order of every SELECT below; store_row reads them by this enum. */
#define STORE_SELECT                                                   \
	"SELECT id, call_ref, tenant, start_us, ring_us, answer_us, end_us," \
	" ring_ms, sip_code, disposition, worker, caller, callee, call_id,"  \
	" targets FROM cdr "
enum {
	COL_ID, COL_CALL_REF, COL_TENANT, COL_START, COL_RING, COL_ANSWER,
	COL_END, COL_RING_MS, COL_SIP_CODE, COL_DISPOSITION, COL_WORKER,
	COL_CALLER, COL_CALLEE, COL_CALL_ID, COL_TARGETS,
};

/*
 * Parameters shared by the reads: ?1 tenant, ?2 from, ?3 to, ?4 ?5 the
 * cursor (start_us, id), ?6 the row limit, ?7 the number. The row-value
 * comparison walks the (tenant, start_us) index backwards from the cursor.
 */
#define STORE_WHERE \
	"WHERE tenant = ?1 AND start_us >= ?2 AND start_us < ?3 "
#define STORE_AFTER "AND (start_us, id) < (?4, ?5) "
#define STORE_ORDER "ORDER BY start_us DESC, id DESC LIMIT ?6"
#define STORE_EITHER_SIDE(more)                                     \
	"SELECT id FROM cdr " STORE_WHERE more "AND caller = ?7 UNION " \
	"SELECT id FROM cdr " STORE_WHERE more "AND callee = ?7"

/*
 * With a number, each side of the call is an index range of its own; the
 * UNION of the two row id sets is sorted and cut to the page (an OR would
 * walk every call of the tenant instead).
 */
static const char *const store_sql_page =
	STORE_SELECT STORE_WHERE STORE_AFTER STORE_ORDER;
static const char *const store_sql_page_number =
	STORE_SELECT "WHERE id IN (" STORE_EITHER_SIDE(STORE_AFTER) ") "
	STORE_ORDER;
static const char *const store_sql_count =
	"SELECT count(*) FROM cdr " STORE_WHERE;
static const char *const store_sql_count_number =
	"SELECT count(*) FROM (" STORE_EITHER_SIDE("") ")";

struct cdr_store_reader {
	sqlite3 *db;
	sqlite3_stmt *page;
	sqlite3_stmt *page_number;
	sqlite3_stmt *count;
	sqlite3_stmt *count_number;
	bool busy; /* borrowed by a query thread */
};

struct cdr_store {
	pthread_mutex_t write_lock;
	sqlite3 *db; /* the write connection */
	sqlite3_stmt *begin;
	sqlite3_stmt *commit;
	sqlite3_stmt *rollback;
	sqlite3_stmt *insert;

	pthread_mutex_t read_lock;
	pthread_cond_t read_free;
	struct cdr_store_reader readers[CDR_STORE_READERS];
};

#define STORE_WHAT "cdr store"

static void store_msg(const char *path, const char *doing, sqlite3 *db)
{
	sqldb_msg(STORE_WHAT, path, doing, db);
}

static int store_open_writer(struct cdr_store *s, const char *path)
{
	s->db = sqldb_open_writer(STORE_WHAT, path, store_schema, CDR_STORE_SCHEMA_VERSION);
	if (s->db == NULL)
		return -EIO;
	if (sqldb_prepare(s->db, "BEGIN IMMEDIATE", &s->begin) != SQLITE_OK ||
	    sqldb_prepare(s->db, "COMMIT", &s->commit) != SQLITE_OK ||
	    sqldb_prepare(s->db, "ROLLBACK", &s->rollback) != SQLITE_OK ||
	    sqldb_prepare(s->db, store_sql_insert, &s->insert) != SQLITE_OK) {
		store_msg(path, "prepare writes", s->db);
		return -EIO;
	}
	return 0;
}

static int store_open_reader(struct cdr_store_reader *r, const char *path)
{
	/* read-only: a query cannot write by mistake */
	r->db = sqldb_connect(STORE_WHAT, path, SQLITE_OPEN_READONLY);
	if (r->db == NULL)
		return -EIO;
	if (sqldb_prepare(r->db, store_sql_page, &r->page) != SQLITE_OK ||
	    sqldb_prepare(r->db, store_sql_page_number, &r->page_number) !=
		    SQLITE_OK ||
	    sqldb_prepare(r->db, store_sql_count, &r->count) != SQLITE_OK ||
	    sqldb_prepare(r->db, store_sql_count_number, &r->count_number) !=
		    SQLITE_OK) {
		store_msg(path, "prepare reads", r->db);
		return -EIO;
	}
	return 0;
}

static void store_close_reader(struct cdr_store_reader *r)
{
	sqlite3_finalize(r->page);
	sqlite3_finalize(r->page_number);
	sqlite3_finalize(r->count);
	sqlite3_finalize(r->count_number);
	sqlite3_close_v2(r->db);
}

struct cdr_store *cdr_store_open(const char *path)
{
	struct cdr_store *s;
	unsigned i;

	if (path == NULL) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		store_msg(path, "allocate", NULL);
		return NULL;
	}
	pthread_mutex_init(&s->write_lock, NULL);
	pthread_mutex_init(&s->read_lock, NULL);
	pthread_cond_init(&s->read_free, NULL);
	/* the writer first: it creates the file and its -wal/-shm */
	if (store_open_writer(s, path) < 0)
		goto fail;
	for (i = 0; i < CDR_STORE_READERS; i++)
		if (store_open_reader(&s->readers[i], path) < 0)
			goto fail;
	return s;
fail:
	cdr_store_close(s);
	errno = EIO;
	return NULL;
}

void cdr_store_close(struct cdr_store *s)
{
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < CDR_STORE_READERS; i++)
		store_close_reader(&s->readers[i]);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	sqlite3_finalize(s->insert);
	/* last connection out checkpoints the WAL into the file */
	sqlite3_close_v2(s->db);
	pthread_cond_destroy(&s->read_free);
	pthread_mutex_destroy(&s->read_lock);
	pthread_mutex_destroy(&s->write_lock);
	free(s);
}

static int store_insert(sqlite3_stmt *st, const struct cdr *v)
{
	sqlite3_bind_int64(st, 1, (int64_t)v->call_ref);
	sqldb_bind_text(st, 2, v->tenant, sizeof(v->tenant));
	sqlite3_bind_int64(st, 3, (int64_t)v->start_us);
	sqlite3_bind_int64(st, 4, (int64_t)v->ring_us);
	sqlite3_bind_int64(st, 5, (int64_t)v->answer_us);
	sqlite3_bind_int64(st, 6, (int64_t)v->end_us);
	sqlite3_bind_int64(st, 7, v->ring_ms);
	sqlite3_bind_int(st, 8, v->sip_code);
	/* out of range stores "": the record is kept, its cause unknown */
	sqlite3_bind_text(st, 9, cdr_disposition_str(v->disposition), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 10, v->worker);
	sqldb_bind_text(st, 11, v->caller, sizeof(v->caller));
	sqldb_bind_text(st, 12, v->callee, sizeof(v->callee));
	sqldb_bind_text(st, 13, v->call_id, sizeof(v->call_id));
	sqldb_bind_text(st, 14, v->targets, sizeof(v->targets));
	return sqldb_step_done(st);
}

int cdr_store_put(struct cdr_store *s, const struct cdr *v, size_t n)
{
	int rc;
	size_t i;

	if (s == NULL || (v == NULL && n > 0))
		return -EINVAL;
	if (n == 0)
		return 0;
	pthread_mutex_lock(&s->write_lock);
	rc = sqldb_step_done(s->begin);
	for (i = 0; rc == SQLITE_OK && i < n; i++)
		rc = store_insert(s->insert, &v[i]);
	if (rc == SQLITE_OK)
		rc = sqldb_step_done(s->commit);
	if (rc != SQLITE_OK && !sqlite3_get_autocommit(s->db))
		sqldb_step_done(s->rollback);
	sqlite3_clear_bindings(s->insert);
	pthread_mutex_unlock(&s->write_lock);
	return rc == SQLITE_OK ? 0 : sqldb_errno(rc);
}

static struct cdr_store_reader *store_borrow(struct cdr_store *s)
{
	struct cdr_store_reader *r = NULL;
	unsigned i;

	pthread_mutex_lock(&s->read_lock);
	for (;;) {
		for (i = 0; i < CDR_STORE_READERS && r == NULL; i++)
			if (!s->readers[i].busy)
				r = &s->readers[i];
		if (r != NULL)
			break;
		pthread_cond_wait(&s->read_free, &s->read_lock);
	}
	r->busy = true;
	pthread_mutex_unlock(&s->read_lock);
	return r;
}

static void store_give_back(struct cdr_store *s, struct cdr_store_reader *r)
{
	pthread_mutex_lock(&s->read_lock);
	r->busy = false;
	pthread_cond_signal(&s->read_free);
	pthread_mutex_unlock(&s->read_lock);
}

static int64_t store_bound(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static bool store_has_number(const struct cdr_query *q)
{
	return q->number != NULL && q->number[0] != '\0';
}

static int store_check_query(const struct cdr_query *q)
{
	if (q == NULL || q->tenant == NULL || q->tenant[0] == '\0')
		return -EINVAL;
	if (q->limit > CDR_STORE_LIMIT_MAX)
		return -EINVAL;
	return 0;
}

/* Binds ?1 ?2 ?3 and, when the statement has it, ?7. */
static void store_bind_filter(sqlite3_stmt *st, const struct cdr_query *q)
{
	sqlite3_bind_text(st, 1, q->tenant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, store_bound(q->from_us));
	sqlite3_bind_int64(st, 3, q->to_us != 0 ? store_bound(q->to_us)
						: INT64_MAX);
	if (store_has_number(q))
		sqlite3_bind_text(st, 7, q->number, -1, SQLITE_STATIC);
}

static void store_copy_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, len, "%s", t != NULL ? (const char *)t : "");
}

static uint8_t store_disposition(const unsigned char *name)
{
	unsigned d;

	for (d = 0; name != NULL && d < CDR_DISPOSITION_COUNT; d++)
		if (strcmp((const char *)name, cdr_disposition_str(d)) == 0)
			return (uint8_t)d;
	return CDR_DISPOSITION_COUNT;
}

static void store_row(sqlite3_stmt *st, struct cdr *v)
{
	memset(v, 0, sizeof(*v));
	v->call_ref = (uint64_t)sqlite3_column_int64(st, COL_CALL_REF);
	v->start_us = (uint64_t)sqlite3_column_int64(st, COL_START);
	v->ring_us = (uint64_t)sqlite3_column_int64(st, COL_RING);
	v->answer_us = (uint64_t)sqlite3_column_int64(st, COL_ANSWER);
	v->end_us = (uint64_t)sqlite3_column_int64(st, COL_END);
	v->ring_ms = (uint32_t)sqlite3_column_int64(st, COL_RING_MS);
	v->sip_code = (uint16_t)sqlite3_column_int(st, COL_SIP_CODE);
	v->disposition =
		store_disposition(sqlite3_column_text(st, COL_DISPOSITION));
	v->worker = (uint8_t)sqlite3_column_int(st, COL_WORKER);
	store_copy_text(st, COL_TENANT, v->tenant, sizeof(v->tenant));
	store_copy_text(st, COL_CALLER, v->caller, sizeof(v->caller));
	store_copy_text(st, COL_CALLEE, v->callee, sizeof(v->callee));
	store_copy_text(st, COL_CALL_ID, v->call_id, sizeof(v->call_id));
	store_copy_text(st, COL_TARGETS, v->targets, sizeof(v->targets));
}

/*
 * Steps the page statement: limit rows to fn, one more to learn whether a
 * next page exists. Returns rows delivered or <0.
 */
static int store_walk(sqlite3_stmt *st, unsigned limit, cdr_store_row_fn *fn,
		      void *arg, struct cdr_cursor *next)
{
	struct cdr_cursor last = { 0 };
	struct cdr v;
	unsigned rows = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows == limit) {
			if (next != NULL)
				*next = last;
			return (int)rows;
		}
		store_row(st, &v);
		last.set = true;
		last.start_us = v.start_us;
		last.rowid = sqlite3_column_int64(st, COL_ID);
		rc = fn(arg, &v);
		if (rc < 0)
			return rc;
		rows++;
	}
	return rc == SQLITE_DONE ? (int)rows : sqldb_errno(rc);
}

int cdr_store_query(struct cdr_store *s, const struct cdr_query *q,
		    cdr_store_row_fn *fn, void *arg, struct cdr_cursor *next)
{
	struct cdr_store_reader *r;
	sqlite3_stmt *st;
	unsigned limit;
	int rc;

	if (next != NULL)
		memset(next, 0, sizeof(*next));
	if (s == NULL || fn == NULL || store_check_query(q) < 0)
		return -EINVAL;
	limit = q->limit != 0 ? q->limit : CDR_STORE_LIMIT_DEFAULT;
	r = store_borrow(s);
	st = store_has_number(q) ? r->page_number : r->page;
	store_bind_filter(st, q);
	if (q->after.set) {
		sqlite3_bind_int64(st, 4, store_bound(q->after.start_us));
		sqlite3_bind_int64(st, 5, q->after.rowid);
	} else {
		sqlite3_bind_int64(st, 4, INT64_MAX);
		sqlite3_bind_int64(st, 5, INT64_MAX);
	}
	sqlite3_bind_int(st, 6, (int)limit + 1);
	rc = store_walk(st, limit, fn, arg, next);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	store_give_back(s, r);
	return rc;
}

int cdr_store_count(struct cdr_store *s, const struct cdr_query *q,
		    uint64_t *out)
{
	struct cdr_store_reader *r;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || out == NULL || q == NULL || q->tenant == NULL ||
	    q->tenant[0] == '\0')
		return -EINVAL;
	r = store_borrow(s);
	st = store_has_number(q) ? r->count_number : r->count;
	store_bind_filter(st, q);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	store_give_back(s, r);
	return rc == SQLITE_ROW ? 0 : sqldb_errno(rc);
}

int cdr_store_cursor_format(const struct cdr_cursor *c, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%" PRIu64 "-%" PRId64, c->start_us,
			 c->rowid);

	return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}

/* Decimal digits only (no sign, no space), at least one, no overflow. */
static const char *store_parse_u64(const char *p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *start = p;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == start || p - start > 20)
		return NULL;
	*out = v;
	return p;
}

int cdr_store_cursor_parse(const char *text, struct cdr_cursor *c)
{
	uint64_t start, rowid;
	const char *p;

	if (text == NULL)
		return -EINVAL;
	p = store_parse_u64(text, UINT64_MAX, &start);
	if (p == NULL || *p != '-')
		return -EINVAL;
	p = store_parse_u64(p + 1, INT64_MAX, &rowid);
	if (p == NULL || *p != '\0' || rowid == 0)
		return -EINVAL;
	c->set = true;
	c->start_us = start;
	c->rowid = (int64_t)rowid;
	return 0;
}
