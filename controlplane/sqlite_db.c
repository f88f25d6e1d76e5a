/* SPDX-License-Identifier: MIT */
/*
 * Opening the control plane's SQLite files (see sqlite_db.h): WAL, a
 * versioned schema created in one immediate transaction, and the messages
 * and small write steps the stores share.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqlite_db.h"

#define SQLDB_SYNCHRONOUS "NORMAL" /* see cdr_store.c for FULL */

void sqldb_msg(const char *what, const char *path, const char *doing, sqlite3 *db)
{
	fprintf(stderr, "sluice: %s '%s': %s: %s\n", what, path, doing,
		db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

int sqldb_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

int sqldb_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
}

sqlite3 *sqldb_connect(const char *what, const char *path, int flags)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sqldb_msg(what, path, "open", db);
		sqlite3_close_v2(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, SQLDB_BUSY_MS);
	return db;
}

/* Runs a PRAGMA that answers one text row; copies the answer to out. */
static int sqldb_pragma(sqlite3 *db, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(out, len, "%s", t != NULL ? (const char *)t : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		snprintf(out, len, "%s", "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Creates the schema in a fresh file or accepts a current one. BEGIN
 * IMMEDIATE takes the write lock first, so two processes opening a new file
 * at once cannot both create it.
 */
static int sqldb_schema_check(sqlite3 *db, const char *what, const char *path,
			      const char *schema, long version)
{
	char v_text[24];
	long v;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		sqldb_msg(what, path, "lock for schema check", db);
		return -EIO;
	}
	if (sqldb_pragma(db, "PRAGMA user_version", v_text, sizeof(v_text)) != SQLITE_OK) {
		sqldb_msg(what, path, "read schema version", db);
		goto fail;
	}
	v = strtol(v_text, NULL, 10);
	if (v == 0 && sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		sqldb_msg(what, path, "create schema", db);
		goto fail;
	}
	if (v > version) {
		fprintf(stderr, "sluice: %s '%s': schema version %ld is newer than this "
			"build's (%ld)\n", what, path, v, version);
		goto fail;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqldb_msg(what, path, "commit schema", db);
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -EIO;
}

sqlite3 *sqldb_open_writer(const char *what, const char *path, const char *schema,
			   long version)
{
	sqlite3 *db = sqldb_connect(what, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	char mode[16];

	if (db == NULL)
		return NULL;
	/* WAL is a property of the file: set once, every later open has it */
	if (sqldb_pragma(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode)) != SQLITE_OK) {
		sqldb_msg(what, path, "set WAL mode", db);
		goto fail;
	}
	if (strcmp(mode, "wal") != 0) {
		fprintf(stderr, "sluice: %s '%s': journal mode is '%s', WAL unavailable here\n",
			what, path, mode);
		goto fail;
	}
	if (sqlite3_exec(db, "PRAGMA synchronous = " SQLDB_SYNCHRONOUS, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sqldb_msg(what, path, "set synchronous", db);
		goto fail;
	}
	if (sqldb_schema_check(db, what, path, schema, version) < 0)
		goto fail;
	return db;
fail:
	sqlite3_close_v2(db);
	return NULL;
}

int sqldb_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void sqldb_bind_text(sqlite3_stmt *st, int i, const char *s, size_t size)
{
	sqlite3_bind_text(st, i, s, (int)strnlen(s, size), SQLITE_STATIC);
}

int sqldb_mkdirs(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
