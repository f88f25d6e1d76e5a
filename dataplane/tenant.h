/* SPDX-License-Identifier: MIT */
/*
 * Tenants as the fast path sees them: an immutable snapshot built from the
 * configuration by the control plane, read by io lcores (attribution and
 * admission) and workers (devices, users, trunks), replaced whole on a
 * reload (rte_rcu_qsbr: the old one is freed once every lcore has passed a
 * quiescent state).
 *
 * What must outlive a snapshot — the calls-per-second bucket, concurrent
 * calls, registrations, counters — lives in struct tenant_state, one per
 * tenant id in an array that never moves; a snapshot's tenant points at its
 * state by index, and a reload keeps a tenant's index as long as its id
 * stays.
 *
 * Lookups hash the string they are given to a small fixed key and then
 * compare the configured string, so a packet can never match a tenant by
 * a hash collision alone.
 */
#ifndef SLUICE_TENANT_H
#define SLUICE_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "cfg.h"

struct rte_hash;

#define TENANT_MAX_STATES CFG_MAX_TENANTS

/* Per-tenant counters and admission state; written by several lcores. */
struct tenant_state {
	/* calls-per-second bucket: tokens in 1/256ths (high 32 bits) and the
	 * time of the last refill in ms, wrapping (low 32), CAS-updated */
	uint64_t bucket;
	int32_t calls;          /* concurrent calls admitted and not yet ended */
	int32_t regs;           /* registered bindings */
	uint64_t admitted;      /* new calls let through to a worker */
	uint64_t rej_cps;       /* 503: over calls per second */
	uint64_t rej_calls;     /* 503: over concurrent calls */
	uint64_t rej_load;      /* 503: shed for an overloaded worker (admit_load) */
	uint64_t rej_regs;      /* 403: over registrations */
	char id[CFG_ID];        /* which tenant owns this slot, "" = free */
} __rte_cache_aligned;

struct tenant {
	const struct cfg_tenant *cfg;
	struct tenant_state *st;
	uint32_t user0;             /* its users' entries in user_dev[] start here */
};

/* A device as the registrar and routing see it. */
struct tenant_dev {
	uint32_t tenant;            /* index in the snapshot */
	uint32_t user;              /* index in the tenant's users[] */
	uint32_t loc;               /* its AOR in the dataplane's location array */
	const struct cfg_device *cfg;
};

/* A trunk as found by a source address. */
struct tenant_trunk_ref {
	uint32_t tenant;
	uint32_t trunk;
};

struct tenant_snap {
	uint32_t gen;
	const struct cfg *cfg;      /* borrowed: outlives the snapshot */
	uint32_t n;
	struct tenant *t;
	struct rte_hash *by_id;     /* tenant id → index */
	struct rte_hash *by_addr;   /* appliance address:port → index */
	struct rte_hash *by_domain; /* request-URI host → index */
	struct rte_hash *by_did;    /* number (exact or prefix) → index */
	bool has_did_prefix;        /* any prefix DIDs ("+1555*") at all */
	struct rte_hash *by_cidr[33]; /* per prefix length: network → trunks[] index */
	uint64_t cidr_lens;         /* bit n: some trunk network is a /n */
	struct tenant_trunk_ref *trunks;
	uint32_t n_trunks;
	struct tenant_dev *devs;    /* every device, by tenant then user */
	uint32_t n_devs;
	uint32_t *user_dev;         /* [t.user0 + u]: first of user u's devices in devs[] */
	struct rte_hash *by_dev;    /* (tenant, username) → devs[] index */
	int32_t *t_of_state;        /* [state index] → tenant index, -1 */
};

/*
 * Builds the snapshot of cfg, which must outlive it (the control plane
 * frees a replaced cfg with its snapshot, after the grace period). states
 * is the array of TENANT_MAX_STATES slots shared by every snapshot: each
 * tenant keeps the slot of its id, new ids take free slots. Each device
 * keeps the location slot (AOR) it had in prev (same tenant id and
 * username), so a reload loses no registration; new devices take slots
 * from slots. NULL with a message in err on failure (slots then as before).
 */
/* Free slots of the location array: a stack, taken from by snapshots. */
struct tenant_slots {
	uint32_t *free;
	uint32_t n_free;
};

struct tenant_snap *tenant_snap_create(const struct cfg *cfg, uint32_t gen,
				       struct tenant_state *states,
				       const struct tenant_snap *prev, struct tenant_slots *slots,
				       int socket, char *err, size_t errlen);

/* Frees a snapshot (not its cfg); NULL is a no-op. */
void tenant_snap_free(struct tenant_snap *s);

/* Tenant index by id, or -1. */
int tenant_by_id(const struct tenant_snap *s, const char *id);

/* Tenant owning appliance address:port (host order), or -1. */
int tenant_by_addr(const struct tenant_snap *s, uint32_t addr, uint16_t port);

/* Tenant owning the request-URI host (case-insensitive), or -1. */
int tenant_by_domain(const struct tenant_snap *s, const char *host, size_t len);

/* Tenant owning a number: exact DID first, then the longest prefix; or -1. */
int tenant_by_did(const struct tenant_snap *s, const char *num, size_t len);

/* Device index of username in tenant t, or -1. */
int tenant_dev_find(const struct tenant_snap *s, uint32_t t, const char *user, size_t len);

/* The same device (tenant id and username) in another snapshot, or -1. */
int tenant_dev_same(const struct tenant_snap *s, const struct tenant_snap *other, uint32_t dev);


/* Tenant index of a state index (pkt_meta tenant - 1), or -1 if gone. */
static inline int tenant_of_state(const struct tenant_snap *s, uint32_t state)
{
	return state < TENANT_MAX_STATES ? s->t_of_state[state] : -1;
}

/* The trunk whose CIDRs hold src (host order): true and *ref, else false. */
bool tenant_trunk_by_src(const struct tenant_snap *s, uint32_t src, struct tenant_trunk_ref *ref);

#endif
