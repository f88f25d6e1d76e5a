/* SPDX-License-Identifier: MIT */
/*
 * Tenant reloads: a new configuration's tenants replace the running ones
 * without stopping a packet.
 *
 *   build the new snapshot (devices keep their AOR slots) ─ publish it ─
 *   rte_rcu_qsbr_synchronize (every io and worker lcore has moved on) ─
 *   free the slots of devices that are gone ─ retire the old snapshot
 *
 * Only the tenant part of the file applies: ports, lcores, SIP ports and
 * the rest are what the dataplane started with, and a change there is
 * reported as needing a restart. A snapshot is never freed while an lcore
 * may read it (RCU); the API threads read without RCU, so a replaced
 * snapshot lives on, retired, until the next reload.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "dp.h"
#include "log.h"
#include "sip/loc.h"
#include "tenant.h"

void tenant_retired_free(struct dp *dp)
{
	tenant_snap_free(dp->retired);
	dp->retired = NULL;
	if (dp->retired_cfg) {
		cfg_free(dp->retired_cfg);
		free(dp->retired_cfg);
		dp->retired_cfg = NULL;
	}
}

/*
 * Devices of old that new does not have: their bindings go (and out of
 * their tenant's count), their slots are free again. Called once no lcore
 * can be using old.
 */
static void tenant_reload_release(struct dp *dp, const struct tenant_snap *old,
				  const struct tenant_snap *new)
{
	for (uint32_t d = 0; d < old->n_devs; d++) {
		const struct tenant_dev *dev = &old->devs[d];
		struct loc_aor *aor = &dp->loc[dev->loc];

		if (tenant_dev_same(old, new, d) >= 0)
			continue;
		__atomic_fetch_sub(&old->t[dev->tenant].st->regs, (int)aor->n, __ATOMIC_RELAXED);
		loc_init(aor, 1);
		dp->loc_slots.free[dp->loc_slots.n_free++] = dev->loc;
	}
}

/* The groups of the file only a restart applies (the dataplane, the API,
 * the stores read them once, at start). cfg_load zeroes a cfg before it
 * fills it, so a group compares bytewise. */
#define RELOAD_GROUP(g) { #g, offsetof(struct cfg, g), sizeof(((struct cfg *)0)->g) }
static const struct {
	const char *name;
	size_t off, len;
} reload_restart_groups[] = {
	RELOAD_GROUP(eal),
	{ "ports", offsetof(struct cfg, ports),
	  offsetof(struct cfg, n_ports) + sizeof(uint16_t) - offsetof(struct cfg, ports) },
	RELOAD_GROUP(sip), RELOAD_GROUP(rtp), RELOAD_GROUP(workers), RELOAD_GROUP(mempool),
	RELOAD_GROUP(net), RELOAD_GROUP(poll), RELOAD_GROUP(api), RELOAD_GROUP(cdr),
	RELOAD_GROUP(registrar),
};

/* Names, in the log, the groups of cfg that differ from the running file:
 * they apply at the next restart, not now. (All the names together fit
 * the buffer.) */
static void tenant_reload_warn(const struct cfg *run, const struct cfg *cfg)
{
	char names[160] = "";
	size_t n = 0;

	for (size_t i = 0; i < sizeof(reload_restart_groups) / sizeof(reload_restart_groups[0]); i++)
		if (memcmp((const char *)run + reload_restart_groups[i].off,
			   (const char *)cfg + reload_restart_groups[i].off,
			   reload_restart_groups[i].len) != 0)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "",
					      reload_restart_groups[i].name);
	if (n)
		SL_LOG(WARNING, DP, "reload: %s changed in %s; only tenants were reloaded, "
		       "the rest needs a restart\n", names, cfg->path);
}

int tenant_reload(struct dp *dp, struct cfg *cfg, char *err, size_t errlen)
{
	struct tenant_snap *old = dp->snap, *snap;

	snap = tenant_snap_create(cfg, old->gen + 1, dp->tenant_states, old, &dp->loc_slots,
				  (int)rte_socket_id(), err, errlen);
	if (snap == NULL)
		return -EINVAL;
	tenant_reload_warn(dp->cfg, cfg);
	__atomic_store_n(&dp->snap, snap, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(dp->rcu, RTE_QSBR_THRID_INVALID);
	tenant_reload_release(dp, old, snap);
	tenant_retired_free(dp);
	dp->retired = old;
	dp->retired_cfg = dp->snap_cfg; /* NULL for the boot cfg: dp->cfg stays */
	dp->snap_cfg = cfg;
	SL_LOG(NOTICE, DP, "reload: %u tenant(s), %u device(s), snapshot %u\n", snap->n,
	       snap->n_devs, snap->gen);
	return 0;
}
