/* SPDX-License-Identifier: MIT */
/*
 * The registration saver: keeps the registration store (reg_store.h) a
 * copy of the location service, and puts the store's bindings back into
 * the location service when the appliance starts.
 *
 * Workers mark each AOR they change (loc_dirty_mark); the saver's thread
 * wakes every registrar.save_ms, takes the marks, reads those AORs
 * lock-free and writes their bindings in one transaction. So a binding is
 * on disk within save_ms of its REGISTER (a kill -9 loses at most that
 * much, which the phone's next refresh repairs; a CDR, by contrast, is on
 * disk before the BYE is answered). A lapsed binding leaves the store
 * when the workers' sweep takes it out of its AOR (which marks the AOR),
 * and in any case within a minute of its expiry.
 *
 * The saver names AORs by tenant id and device username through a table
 * of slots (the strings copied) built from the snapshot at start and after
 * every reload (reg_saver_names, on the control plane thread, which never
 * waits for a save), and then rewrites the store whole, so devices a
 * reload removed leave it too.
 */
#ifndef SLUICE_REG_SAVER_H
#define SLUICE_REG_SAVER_H

#include <stdint.h>

#include "cfg.h"
#include "dp.h"

struct reg_saver;

/* What the saver did, for /metrics. */
struct reg_saver_stats {
	uint64_t restored;   /* bindings put back at start */
	uint64_t dropped;    /* stored bindings of devices no longer configured */
	uint64_t saves;      /* transactions committed */
	uint64_t aors;       /* AORs written */
	uint64_t errors;     /* transactions that failed (their AORs marked again) */
};

/*
 * Opens the store of cfg (registrar.path, or registrations.db beside
 * cdr.path, its directory created if missing), puts its bindings back into
 * dp's location service and tenant counts, and starts the thread. Call it
 * before dp_launch: nothing else may write the AORs meanwhile. NULL after
 * a message on stderr.
 */
struct reg_saver *reg_saver_create(struct dp *dp, const struct cfg *cfg);

/* After a reload: names AORs by snap, and rewrites the store whole. */
void reg_saver_names(struct reg_saver *rs, const struct tenant_snap *snap);

/* Saves what is marked, stops the thread, closes the store; NULL no-op.
 * Call it after the workers have stopped. */
void reg_saver_free(struct reg_saver *rs);

void reg_saver_stats(struct reg_saver *rs, struct reg_saver_stats *out);

#endif
