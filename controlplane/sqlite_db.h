/* SPDX-License-Identifier: MIT */
/*
 * What the control plane's SQLite stores (the CDR store, the registration
 * store) share: opening a file in WAL mode with a versioned schema,
 * messages that name the store and the file, and the small steps of
 * writing. Each store keeps its own tables, statements and threading.
 *
 * Durability of every store opened here: WAL with synchronous=NORMAL (a
 * commit is in the kernel's page cache when it returns, so it survives the
 * process being killed, kill -9 included; a power loss may lose the last
 * commits, never corrupt the file). See cdr_store.c for the trade.
 *
 * Links sqlite3 only.
 */
#ifndef SLUICE_SQLITE_DB_H
#define SLUICE_SQLITE_DB_H

#include <stddef.h>

#include <sqlite3.h>

#define SQLDB_BUSY_MS 5000

/* "sluice: <what> '<path>': <doing>: <sqlite's message>" on stderr. */
void sqldb_msg(const char *what, const char *path, const char *doing, sqlite3 *db);

/* -EBUSY, -ENOMEM or -EIO for an SQLite result code. */
int sqldb_errno(int rc);

/* A connection (NOMUTEX: one thread at a time uses it) with extended
 * codes and a busy timeout; NULL after a message. */
sqlite3 *sqldb_connect(const char *what, const char *path, int flags);

/*
 * The write connection of path, created if missing: WAL, synchronous
 * NORMAL, and the schema (SQL run once in a fresh file, which must set
 * PRAGMA user_version to version); a file of a newer version is refused.
 * NULL after a message.
 */
sqlite3 *sqldb_open_writer(const char *what, const char *path, const char *schema,
			   long version);

/* mkdir -p of the directory holding the file path. 0 or -errno. */
int sqldb_mkdirs(const char *path);

/* A statement kept for the connection's life. SQLITE_OK or a code. */
int sqldb_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out);

/* Steps a statement that returns no rows and resets it: SQLITE_OK or a code. */
int sqldb_step_done(sqlite3_stmt *st);

/* Binds the string s, read up to size bytes, as text (not copied). */
void sqldb_bind_text(sqlite3_stmt *st, int i, const char *s, size_t size);

#endif
