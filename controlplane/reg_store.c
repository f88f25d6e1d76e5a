/* SPDX-License-Identifier: MIT */
/*
 * The registration store on SQLite (contract in reg_store.h): one table
 * of bindings, each row one contact of one device, written by the saver
 * thread a device at a time (delete its rows, insert what it has now) and
 * read back whole at start-up, grouped by device.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "reg_store.h"
#include "sqlite_db.h"

#define RS_WHAT "registration store"
#define RS_XSTR(x) #x
#define RS_STR(x) RS_XSTR(x)

static const char *const rs_schema =
	"CREATE TABLE binding ("
	" tenant TEXT NOT NULL,"
	" device TEXT NOT NULL,"
	" uri TEXT NOT NULL,"
	" instance TEXT NOT NULL,"       /* +sip.instance, "" none */
	" ua TEXT NOT NULL,"
	" src_ip INTEGER NOT NULL,"      /* host byte order */
	" src_port INTEGER NOT NULL,"
	" q INTEGER NOT NULL,"
	" callid_hash INTEGER NOT NULL,"
	" cseq INTEGER NOT NULL,"
	" since_s INTEGER NOT NULL,"     /* Unix seconds */
	" expires_ms INTEGER NOT NULL,"  /* Unix milliseconds */
	" PRIMARY KEY (tenant, device, uri, instance)) WITHOUT ROWID;"
	"CREATE INDEX binding_expires ON binding (expires_ms);"
	"PRAGMA user_version = " RS_STR(REG_STORE_SCHEMA_VERSION) ";";

enum { RS_BEGIN, RS_COMMIT, RS_ROLLBACK, RS_CLEAR, RS_DELETE, RS_INSERT, RS_PURGE, RS_LOAD,
       RS_N };

static const char *const rs_sql[RS_N] = {
	[RS_BEGIN] = "BEGIN IMMEDIATE",
	[RS_COMMIT] = "COMMIT",
	[RS_ROLLBACK] = "ROLLBACK",
	[RS_CLEAR] = "DELETE FROM binding",
	[RS_DELETE] = "DELETE FROM binding WHERE tenant = ?1 AND device = ?2",
	[RS_INSERT] = "INSERT OR REPLACE INTO binding (tenant, device, uri, instance, ua,"
		      " src_ip, src_port, q, callid_hash, cseq, since_s, expires_ms)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[RS_PURGE] = "DELETE FROM binding WHERE expires_ms <= ?1",
	[RS_LOAD] = "SELECT tenant, device, uri, instance, ua, src_ip, src_port, q,"
		    " callid_hash, cseq, since_s, expires_ms FROM binding"
		    " ORDER BY tenant, device, expires_ms DESC",
};

struct reg_store {
	sqlite3 *db;
	sqlite3_stmt *st[RS_N];
};

struct reg_store *reg_store_open(const char *path)
{
	struct reg_store *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		sqldb_msg(RS_WHAT, path, "allocate", NULL);
		return NULL;
	}
	s->db = sqldb_open_writer(RS_WHAT, path, rs_schema, REG_STORE_SCHEMA_VERSION);
	if (s->db == NULL)
		goto fail;
	for (int i = 0; i < RS_N; i++)
		if (sqldb_prepare(s->db, rs_sql[i], &s->st[i]) != SQLITE_OK) {
			sqldb_msg(RS_WHAT, path, "prepare", s->db);
			goto fail;
		}
	return s;
fail:
	reg_store_close(s);
	return NULL;
}

void reg_store_close(struct reg_store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < RS_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close_v2(s->db);
	free(s);
}

static int rs_run(struct reg_store *s, int which)
{
	int rc = sqldb_step_done(s->st[which]);

	return rc == SQLITE_OK ? 0 : sqldb_errno(rc);
}

int reg_store_begin(struct reg_store *s)
{
	return rs_run(s, RS_BEGIN);
}

int reg_store_commit(struct reg_store *s)
{
	int rc = rs_run(s, RS_COMMIT);

	if (rc < 0)
		rs_run(s, RS_ROLLBACK);
	return rc;
}

int reg_store_clear(struct reg_store *s)
{
	return rs_run(s, RS_CLEAR);
}

static int rs_insert(struct reg_store *s, const char *tenant, const char *device,
		     const struct loc_contact *c, int64_t clock_off)
{
	sqlite3_stmt *st = s->st[RS_INSERT];

	sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, device, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->uri, c->uri_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->instance, c->instance_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->ua, c->ua_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c->src_ip);
	sqlite3_bind_int(st, 7, c->src_port);
	sqlite3_bind_int(st, 8, c->q);
	sqlite3_bind_int64(st, 9, c->callid_hash);
	sqlite3_bind_int64(st, 10, c->cseq);
	sqlite3_bind_int64(st, 11, (int64_t)c->since_s);
	sqlite3_bind_int64(st, 12, (int64_t)c->expires_ms + clock_off);
	return rs_run(s, RS_INSERT);
}

int reg_store_put(struct reg_store *s, const char *tenant, const char *device,
		  const struct loc_contact *c, unsigned n, int64_t clock_off)
{
	sqlite3_stmt *del = s->st[RS_DELETE];
	int rc;

	sqlite3_bind_text(del, 1, tenant, -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 2, device, -1, SQLITE_STATIC);
	rc = rs_run(s, RS_DELETE);
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = rs_insert(s, tenant, device, &c[i], clock_off);
	return rc;
}

int reg_store_purge(struct reg_store *s, uint64_t unix_ms)
{
	sqlite3_bind_int64(s->st[RS_PURGE], 1, (int64_t)unix_ms);
	return rs_run(s, RS_PURGE);
}

/* Copies column i, a text of at most cap - 1 bytes, into out; its length. */
static uint8_t rs_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;

	if (n >= cap)
		n = 0; /* a row this build cannot hold: loc_restore refuses an empty URI */
	memcpy(out, t ? (const char *)t : "", n);
	out[n] = '\0';
	return (uint8_t)n;
}

static void rs_row(sqlite3_stmt *st, struct loc_contact *c, int64_t clock_off)
{
	memset(c, 0, sizeof(*c));
	c->uri_len = rs_text(st, 2, c->uri, sizeof(c->uri));
	c->instance_len = rs_text(st, 3, c->instance, sizeof(c->instance));
	c->ua_len = rs_text(st, 4, c->ua, sizeof(c->ua));
	c->src_ip = (uint32_t)sqlite3_column_int64(st, 5);
	c->src_port = (uint16_t)sqlite3_column_int(st, 6);
	c->q = (uint16_t)sqlite3_column_int(st, 7);
	c->callid_hash = (uint32_t)sqlite3_column_int64(st, 8);
	c->cseq = (uint32_t)sqlite3_column_int64(st, 9);
	c->since_s = (uint64_t)sqlite3_column_int64(st, 10);
	int64_t exp = sqlite3_column_int64(st, 11) - clock_off;
	c->expires_ms = exp > 0 ? (uint64_t)exp : 0;
}

int reg_store_load(struct reg_store *s, int64_t clock_off, reg_store_dev_fn *fn, void *arg)
{
	sqlite3_stmt *st = s->st[RS_LOAD];
	struct loc_contact c[LOC_MAX_CONTACTS];
	char tenant[64] = "", device[128] = "";
	unsigned n = 0;
	int rc, out = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		const char *d = (const char *)sqlite3_column_text(st, 1);

		t = t ? t : "";
		d = d ? d : "";
		if (n && (strcmp(t, tenant) != 0 || strcmp(d, device) != 0)) {
			out = fn(arg, tenant, device, c, n);
			n = 0;
			if (out < 0)
				break;
		}
		if (n == 0) {
			snprintf(tenant, sizeof(tenant), "%s", t);
			snprintf(device, sizeof(device), "%s", d);
		}
		/* newest expiry first: beyond the AOR's room the oldest go */
		if (n < LOC_MAX_CONTACTS)
			rs_row(st, &c[n++], clock_off);
	}
	if (out == 0 && n && (rc == SQLITE_DONE || rc == SQLITE_ROW))
		out = fn(arg, tenant, device, c, n);
	sqlite3_reset(st);
	if (out < 0)
		return out;
	return rc == SQLITE_DONE ? 0 : sqldb_errno(rc);
}
