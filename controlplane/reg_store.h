/* SPDX-License-Identifier: MIT */
/*
 * The registration store: every device's bindings (the location service,
 * dataplane/sip/loc.h) kept in an SQLite file, so a restart of the
 * appliance finds its phones where they were instead of waiting up to
 * their whole registration interval for them to register again.
 *
 * One row per binding, keyed by tenant id, device username and contact;
 * the saver thread (reg_saver.c) replaces a device's rows whenever its
 * AOR changed, and start-up reads them back. Expiry times are stored as
 * Unix milliseconds (the location service keeps them on a monotonic
 * clock): clock_off is Unix ms minus monotonic ms at the time of the call.
 *
 * Durability as the CDR store's (sqlite_db.h): what was committed
 * survives kill -9. One thread uses a store at a time.
 */
#ifndef SLUICE_REG_STORE_H
#define SLUICE_REG_STORE_H

#include <stdint.h>

#include "sip/loc.h"

#define REG_STORE_SCHEMA_VERSION 1

struct reg_store;

/* Opens (creating if missing) the store at path; NULL after a message. */
struct reg_store *reg_store_open(const char *path);

/* Closes it; NULL is a no-op. */
void reg_store_close(struct reg_store *s);

/* A transaction around the writes below: 0 or -errno (rolled back). */
int reg_store_begin(struct reg_store *s);
int reg_store_commit(struct reg_store *s);

/* Removes every row (a full rewrite follows in the same transaction). */
int reg_store_clear(struct reg_store *s);

/*
 * Makes the rows of (tenant, device) the bindings c[0..n) (n = 0: none).
 * 0 or -errno.
 */
int reg_store_put(struct reg_store *s, const char *tenant, const char *device,
		  const struct loc_contact *c, unsigned n, int64_t clock_off);

/* Removes the bindings lapsed by unix_ms. 0 or -errno. */
int reg_store_purge(struct reg_store *s, uint64_t unix_ms);

/*
 * Called once per device with its stored bindings (at most
 * LOC_MAX_CONTACTS, expires_ms on the caller's monotonic clock, lapsed
 * ones included: the caller knows its clock). 0 goes on, <0 stops.
 */
typedef int reg_store_dev_fn(void *arg, const char *tenant, const char *device,
			     const struct loc_contact *c, unsigned n);

/* Reads every device's bindings. 0, the callback's <0, or -errno. */
int reg_store_load(struct reg_store *s, int64_t clock_off, reg_store_dev_fn *fn, void *arg);

#endif
