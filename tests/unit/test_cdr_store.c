/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the CDR store (controlplane/cdr_store.c) on real SQLite
 * files in a fresh temporary directory per test: every field round-trips,
 * a batch of 10k goes in one put, the filters agree with a brute-force
 * reference, paging visits every row exactly once even while rows arrive,
 * the file is in WAL mode with a schema version, readers run beside the
 * writer, and a CDR put by a process that is then killed with -9 is there
 * when the file is opened again.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sqlite3.h>

#include "cdr_store.h"
#include "test_db_dir.h"

static void setup(void)
{
	db_dir_make("test_cdr_store");
}

TestSuite(cdr_store_open, .init = setup, .fini = db_dir_remove);
TestSuite(cdr_store_put, .init = setup, .fini = db_dir_remove);
TestSuite(cdr_store_query, .init = setup, .fini = db_dir_remove);
TestSuite(cdr_store_count, .init = setup, .fini = db_dir_remove);

/* A record whose every field says which i it is. */
static void make(struct cdr *v, unsigned i, const char *tenant,
		 uint64_t start_us)
{
	memset(v, 0, sizeof(*v));
	v->call_ref = (uint64_t)(i % 4) << 48 | i;
	v->start_us = start_us;
	v->ring_us = start_us + 100000;
	v->answer_us = i % 3 ? start_us + 2000000 : 0;
	v->end_us = start_us + 60000000;
	v->ring_ms = 1900;
	v->sip_code = i % 3 ? 200 : 486;
	v->disposition = i % 3 ? CDR_ANSWERED : CDR_BUSY;
	v->worker = (uint8_t)(i % 4);
	snprintf(v->tenant, sizeof(v->tenant), "%s", tenant);
	snprintf(v->caller, sizeof(v->caller), "+1555%07u", i % 17);
	snprintf(v->callee, sizeof(v->callee), "+1666%07u", i % 23);
	snprintf(v->call_id, sizeof(v->call_id), "call-%u@198.18.0.1", i);
	snprintf(v->targets, sizeof(v->targets), "sip:%u@198.18.0.%u", i,
		 i % 250);
}

struct rows {
	struct cdr *v;
	size_t n, cap;
};

static int collect(void *arg, const struct cdr *v)
{
	struct rows *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		cr_assert_not_null(r->v);
	}
	r->v[r->n++] = *v;
	return 0;
}

static void expect_same(const struct cdr *a, const struct cdr *b)
{
	cr_expect_eq(a->call_ref, b->call_ref);
	cr_expect_eq(a->start_us, b->start_us);
	cr_expect_eq(a->ring_us, b->ring_us);
	cr_expect_eq(a->answer_us, b->answer_us);
	cr_expect_eq(a->end_us, b->end_us);
	cr_expect_eq(a->ring_ms, b->ring_ms);
	cr_expect_eq(a->sip_code, b->sip_code);
	cr_expect_eq(a->disposition, b->disposition);
	cr_expect_eq(a->worker, b->worker);
	cr_expect_str_eq(a->tenant, b->tenant);
	cr_expect_str_eq(a->caller, b->caller);
	cr_expect_str_eq(a->callee, b->callee);
	cr_expect_str_eq(a->call_id, b->call_id);
	cr_expect_str_eq(a->targets, b->targets);
	cr_expect_eq(memcmp(a, b, sizeof(*a)), 0, "padding or tails differ");
}

static struct cdr_store *open_ok(void)
{
	struct cdr_store *s = cdr_store_open(path);

	cr_assert_not_null(s, "open %s: %s", path, strerror(errno));
	return s;
}

/* Runs one SQL statement on the file with a connection of our own. */
static void raw_sql(const char *sql, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && out != NULL)
		snprintf(out, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- open / close ---- */

Test(cdr_store_open, creates_a_wal_file_with_a_schema_version)
{
	struct cdr_store *s = open_ok();
	char mode[16] = "", version[16] = "";

	raw_sql("PRAGMA journal_mode", mode, sizeof(mode));
	raw_sql("PRAGMA user_version", version, sizeof(version));
	cr_expect_str_eq(mode, "wal");
	cr_expect_eq(atoi(version), CDR_STORE_SCHEMA_VERSION);
	cdr_store_close(s);
}

Test(cdr_store_open, reopens_a_file_keeping_its_rows)
{
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "acme" };
	struct cdr v;
	uint64_t n = 0;

	make(&v, 1, "acme", 1700000000000000);
	cr_assert_eq(cdr_store_put(s, &v, 1), 0);
	cdr_store_close(s);
	s = open_ok();
	cr_assert_eq(cdr_store_count(s, &q, &n), 0);
	cr_expect_eq(n, 1);
	cdr_store_close(s);
}

Test(cdr_store_open, fails_on_a_missing_directory)
{
	cr_expect_null(cdr_store_open("/nonexistent-sluice-dir/cdr.db"));
	cr_expect_null(cdr_store_open(NULL));
}

Test(cdr_store_open, fails_on_a_file_that_is_not_a_database)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite database, just text\n", f);
	fclose(f);
	cr_expect_null(cdr_store_open(path));
}

Test(cdr_store_open, refuses_a_newer_schema_version)
{
	cdr_store_close(open_ok());
	raw_sql("PRAGMA user_version = 99", NULL, 0);
	cr_expect_null(cdr_store_open(path));
}

Test(cdr_store_close, null_is_a_no_op)
{
	cdr_store_close(NULL);
}

/* ---- put ---- */

Test(cdr_store_put, round_trips_every_field)
{
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "tenant-with-a-31-char-long-id-x" };
	struct rows r = { 0 };
	struct cdr v;

	memset(&v, 0, sizeof(v));
	v.call_ref = (uint64_t)255 << 48 | 0xffffffffffffull; /* > 2^53 */
	v.start_us = 1714564800123456;
	v.ring_us = 1714564800523456;
	v.answer_us = 1714564803000001;
	v.end_us = 1714564863999999;
	v.ring_ms = 4294967295u;
	v.sip_code = 65535;
	v.disposition = CDR_FAILED;
	v.worker = 255;
	memset(v.tenant, 'x', sizeof(v.tenant) - 1);
	memcpy(v.tenant, q.tenant, strlen(q.tenant));
	snprintf(v.caller, sizeof(v.caller), "Jürgen \"the caller\" <+49 30 1234>");
	memset(v.callee, '9', sizeof(v.callee) - 1);
	memset(v.call_id, 'c', sizeof(v.call_id) - 1);
	memset(v.targets, 't', sizeof(v.targets) - 1);
	cr_assert_eq(cdr_store_put(s, &v, 1), 0);
	cr_assert_eq(cdr_store_query(s, &q, collect, &r, NULL), 1);
	expect_same(&r.v[0], &v);
	free(r.v);
	cdr_store_close(s);
}

Test(cdr_store_put, cuts_strings_without_a_nul_to_their_field)
{
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "acme" };
	struct rows r = { 0 };
	struct cdr v;

	make(&v, 1, "acme", 1700000000000000);
	memset(v.caller, 'a', sizeof(v.caller));   /* no NUL anywhere */
	memset(v.targets, 'b', sizeof(v.targets)); /* the struct's last field */
	v.disposition = 200;                       /* out of range */
	cr_assert_eq(cdr_store_put(s, &v, 1), 0);
	cr_assert_eq(cdr_store_query(s, &q, collect, &r, NULL), 1);
	cr_expect_eq(strlen(r.v[0].caller), sizeof(v.caller) - 1);
	cr_expect_eq(strlen(r.v[0].targets), sizeof(v.targets) - 1);
	cr_expect_eq(r.v[0].disposition, CDR_DISPOSITION_COUNT);
	cr_expect_str_eq(r.v[0].callee, v.callee);
	free(r.v);
	cdr_store_close(s);
}

Test(cdr_store_put, writes_10k_records_in_one_batch)
{
	enum { N = 10000 };
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "acme", .limit = 1 };
	struct cdr *v = calloc(N, sizeof(*v));
	struct rows r = { 0 };
	uint64_t n = 0;
	unsigned i;

	cr_assert_not_null(v);
	for (i = 0; i < N; i++)
		make(&v[i], i, "acme", 1700000000000000 + (uint64_t)i * 1000);
	cr_assert_eq(cdr_store_put(s, v, N), 0);
	cr_assert_eq(cdr_store_count(s, &q, &n), 0);
	cr_expect_eq(n, N);
	cr_assert_eq(cdr_store_query(s, &q, collect, &r, NULL), 1);
	expect_same(&r.v[0], &v[N - 1]); /* the newest */
	free(r.v);
	free(v);
	cdr_store_close(s);
}

Test(cdr_store_put, rejects_null_and_accepts_empty_batches)
{
	struct cdr_store *s = open_ok();

	cr_expect_eq(cdr_store_put(NULL, NULL, 0), -EINVAL);
	cr_expect_eq(cdr_store_put(s, NULL, 1), -EINVAL);
	cr_expect_eq(cdr_store_put(s, NULL, 0), 0);
	cdr_store_close(s);
}

/*
 * A child process puts a CDR and says so through a pipe; the parent kills
 * it with -9 at once, so nothing of the child's runs after put returned,
 * not even cdr_store_close. Reopening must find the CDR (from the WAL).
 */
Test(cdr_store_put, survives_kill_9_right_after_put)
{
	struct cdr_query q = { .tenant = "acme" };
	struct rows r = { 0 };
	struct cdr_store *s;
	struct cdr v;
	char wal[160], c;
	struct stat st;
	int fds[2], status;
	pid_t pid;

	make(&v, 42, "acme", 1700000000000042);
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct cdr_store *cs = cdr_store_open(path);

		if (cs == NULL || cdr_store_put(cs, &v, 1) != 0)
			_exit(1);
		if (write(fds[1], "k", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	cr_assert_eq(read(fds[0], &c, 1), 1, "the child failed to put");
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(fds[0]);
	/* the record is in the WAL, not yet checkpointed into the file */
	snprintf(wal, sizeof(wal), "%s-wal", path);
	cr_expect_eq(stat(wal, &st), 0);
	cr_expect_gt(st.st_size, 0);
	s = open_ok();
	cr_assert_eq(cdr_store_query(s, &q, collect, &r, NULL), 1);
	expect_same(&r.v[0], &v);
	free(r.v);
	cdr_store_close(s);
}

/* ---- query ---- */

/* 600 records over two tenants, starts in a 600 s window with ties. */
enum { SET_N = 600 };
static const uint64_t set_t0 = 1700000000000000;

static void put_set(struct cdr_store *s, struct cdr *v)
{
	unsigned i;

	for (i = 0; i < SET_N; i++)
		make(&v[i], i, i % 3 ? "acme" : "globex",
		     set_t0 + (uint64_t)(i * 7919 % 600) * 1000000);
	cr_assert_eq(cdr_store_put(s, v, SET_N), 0);
}

static bool in_query(const struct cdr *v, const struct cdr_query *q)
{
	return strcmp(v->tenant, q->tenant) == 0 && v->start_us >= q->from_us &&
	       (q->to_us == 0 || v->start_us < q->to_us) &&
	       (q->number == NULL || q->number[0] == '\0' ||
		strcmp(v->caller, q->number) == 0 ||
		strcmp(v->callee, q->number) == 0);
}

/* Walks every page of q; checks order and that each row comes once. */
static size_t walk(struct cdr_store *s, struct cdr_query q, const struct cdr *v,
		   unsigned *seen)
{
	struct cdr_cursor next;
	size_t total = 0;
	int n;

	do {
		struct rows r = { 0 };

		n = cdr_store_query(s, &q, collect, &r, &next);
		cr_assert_geq(n, 0);
		cr_assert_leq((unsigned)n, q.limit ? q.limit : 100);
		for (size_t i = 0; i < r.n; i++) {
			unsigned idx = (unsigned)(r.v[i].call_ref & 0xffff);

			cr_assert(in_query(&r.v[i], &q));
			cr_assert_eq(seen[idx]++, 0, "row %u twice", idx);
			expect_same(&r.v[i], &v[idx]);
			if (i > 0)
				cr_assert_geq(r.v[i - 1].start_us,
					      r.v[i].start_us);
		}
		total += r.n;
		free(r.v);
		q.after = next;
	} while (next.set);
	return total;
}

static void expect_walk(struct cdr_store *s, const struct cdr_query *q,
			const struct cdr *v)
{
	unsigned seen[SET_N] = { 0 };
	size_t want = 0, got, i;
	uint64_t count = 0;

	for (i = 0; i < SET_N; i++)
		want += in_query(&v[i], q);
	got = walk(s, *q, v, seen);
	cr_expect_eq(got, want, "tenant %s from %llu to %llu number %s "
		     "limit %u: %zu rows, expected %zu", q->tenant,
		     (unsigned long long)q->from_us,
		     (unsigned long long)q->to_us,
		     q->number ? q->number : "-", q->limit, got, want);
	cr_assert_eq(cdr_store_count(s, q, &count), 0);
	cr_expect_eq(count, want);
}

Test(cdr_store_query, filters_agree_with_a_brute_force_reference)
{
	struct cdr_store *s = open_ok();
	static struct cdr v[SET_N];
	const struct cdr_query qs[] = {
		{ .tenant = "acme" },
		{ .tenant = "globex", .limit = 1000 },
		{ .tenant = "nobody" },
		{ .tenant = "acme", .from_us = set_t0 + 100000000 },
		{ .tenant = "acme", .to_us = set_t0 + 100000000 },
		{ .tenant = "acme", .from_us = set_t0 + 100000000,
		  .to_us = set_t0 + 100000001 },
		{ .tenant = "acme", .number = "+15550000003" },
		{ .tenant = "acme", .number = "+16660000005" },
		{ .tenant = "globex", .number = "+15550000003",
		  .from_us = set_t0 + 60000000, .to_us = set_t0 + 500000000,
		  .limit = 2 },
		{ .tenant = "acme", .number = "no such number" },
		{ .tenant = "acme", .number = "" }, /* "" means any */
	};

	put_set(s, v);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		expect_walk(s, &qs[i], v);
	cdr_store_close(s);
}

Test(cdr_store_query, pages_visit_every_row_exactly_once)
{
	struct cdr_store *s = open_ok();
	static struct cdr v[SET_N];
	const unsigned limits[] = { 1, 7, 100, 1000 };

	put_set(s, v);
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct cdr_query q = { .tenant = "acme", .limit = limits[i] };

		expect_walk(s, &q, v);
		q.number = "+15550000004";
		expect_walk(s, &q, v);
	}
	cdr_store_close(s);
}

Test(cdr_store_query, rows_arriving_mid_walk_neither_repeat_nor_shift)
{
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "acme", .limit = 10 };
	struct cdr_cursor next;
	struct cdr v[30], late;
	unsigned seen[30] = { 0 };
	unsigned pages = 0, i;

	for (i = 0; i < 30; i++)
		make(&v[i], i, "acme", set_t0 + (i / 2) * 1000000);
	cr_assert_eq(cdr_store_put(s, v, 30), 0);
	do {
		struct rows r = { 0 };

		cr_assert_geq(cdr_store_query(s, &q, collect, &r, &next), 0);
		for (size_t k = 0; k < r.n; k++) {
			uint64_t idx = r.v[k].call_ref & 0xffff;

			cr_assert_lt(idx, 30, "a late row showed up");
			seen[idx]++;
		}
		free(r.v);
		/* a newer call and one at the cursor's time land between pages */
		make(&late, 1000 + pages, "acme", set_t0 + 29000000);
		cr_assert_eq(cdr_store_put(s, &late, 1), 0);
		make(&late, 2000 + pages, "acme", next.start_us);
		cr_assert_eq(cdr_store_put(s, &late, 1), 0);
		q.after = next;
		pages++;
	} while (next.set);
	cr_expect_eq(pages, 3);
	for (i = 0; i < 30; i++)
		cr_expect_eq(seen[i], 1, "row %u seen %u times", i, seen[i]);
	cdr_store_close(s);
}

static int stop_at_two(void *arg, const struct cdr *v)
{
	unsigned *n = arg;

	(void)v;
	return ++*n == 2 ? -ECANCELED : 0;
}

Test(cdr_store_query, a_callback_can_stop_the_walk)
{
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "acme" };
	static struct cdr v[SET_N];
	unsigned n = 0;

	put_set(s, v);
	cr_expect_eq(cdr_store_query(s, &q, stop_at_two, &n, NULL), -ECANCELED);
	cr_expect_eq(n, 2);
	cdr_store_close(s);
}

Test(cdr_store_query, rejects_bad_queries_and_defaults_the_limit)
{
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "acme" };
	static struct cdr v[SET_N];
	struct rows r = { 0 };
	struct cdr_cursor next;

	put_set(s, v);
	cr_expect_eq(cdr_store_query(s, &(struct cdr_query){ 0 }, collect, &r,
				     NULL), -EINVAL);
	cr_expect_eq(cdr_store_query(s, &(struct cdr_query){ .tenant = "" },
				     collect, &r, NULL), -EINVAL);
	q.limit = CDR_STORE_LIMIT_MAX + 1;
	cr_expect_eq(cdr_store_query(s, &q, collect, &r, NULL), -EINVAL);
	q.limit = 0;
	cr_expect_eq(cdr_store_query(s, &q, NULL, &r, NULL), -EINVAL);
	cr_expect_eq(cdr_store_query(s, NULL, collect, &r, NULL), -EINVAL);
	cr_expect_eq(cdr_store_query(s, &q, collect, &r, &next),
		     CDR_STORE_LIMIT_DEFAULT);
	cr_expect(next.set);
	free(r.v);
	cdr_store_close(s);
}

/* One writer thread putting while three threads page: nobody fails. */
static struct cdr_store *shared;

static void *writer(void *arg)
{
	struct cdr v[20];
	unsigned b, i;

	(void)arg;
	for (b = 0; b < 40; b++) {
		for (i = 0; i < 20; i++)
			make(&v[i], b * 20 + i, "acme",
			     set_t0 + (b * 20 + i) * 1000);
		if (cdr_store_put(shared, v, 20) != 0)
			return (void *)1;
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct cdr_query q = { .tenant = "acme", .limit = 50 };
	unsigned i;

	(void)arg;
	for (i = 0; i < 40; i++) {
		struct rows r = { 0 };
		int n = cdr_store_query(shared, &q, collect, &r, NULL);

		free(r.v);
		if (n < 0)
			return (void *)1;
	}
	return NULL;
}

Test(cdr_store_query, readers_run_beside_the_writer)
{
	struct cdr_query q = { .tenant = "acme" };
	pthread_t t[1 + CDR_STORE_READERS + 2];
	uint64_t n = 0;
	void *ret;
	size_t i;

	shared = open_ok();
	/* more readers than read connections: some wait for one */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_assert_eq(pthread_create(&t[i], NULL, i ? reader : writer,
					    NULL), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_assert_eq(pthread_join(t[i], &ret), 0);
		cr_expect_null(ret, "thread %zu failed", i);
	}
	cr_assert_eq(cdr_store_count(shared, &q, &n), 0);
	cr_expect_eq(n, 800);
	cdr_store_close(shared);
}

/* ---- count and cursors ---- */

Test(cdr_store_count, ignores_limit_and_cursor)
{
	struct cdr_store *s = open_ok();
	struct cdr_query q = { .tenant = "globex", .limit = 1,
			       .after = { true, set_t0, 1 } };
	static struct cdr v[SET_N];
	uint64_t n = 0;

	put_set(s, v);
	cr_assert_eq(cdr_store_count(s, &q, &n), 0);
	cr_expect_eq(n, SET_N / 3);
	cr_expect_eq(cdr_store_count(s, &(struct cdr_query){ 0 }, &n), -EINVAL);
	cdr_store_close(s);
}

Test(cdr_store_cursor_parse, round_trips_and_rejects_junk)
{
	const struct cdr_cursor max = { true, UINT64_MAX, INT64_MAX };
	const char *const bad[] = {
		"", "1", "1-", "-1", "a-1", "1-0", "1-1x", " 1-1", "1--1",
		"+1-1", "1-+1", "1 -1", "18446744073709551616-1",
		"1-9223372036854775808", "0x10-1",
	};
	char buf[CDR_STORE_CURSOR_LEN];
	struct cdr_cursor c;

	cr_assert_gt(cdr_store_cursor_format(&max, buf, sizeof(buf)), 0);
	cr_assert_eq(cdr_store_cursor_parse(buf, &c), 0, "%s", buf);
	cr_expect(c.set);
	cr_expect_eq(c.start_us, max.start_us);
	cr_expect_eq(c.rowid, max.rowid);
	cr_expect_eq(cdr_store_cursor_format(&max, buf, 8), -ENOSPC);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(cdr_store_cursor_parse(bad[i], &c), -EINVAL,
			     "'%s' accepted", bad[i]);
	cr_expect_eq(cdr_store_cursor_parse(NULL, &c), -EINVAL);
}
