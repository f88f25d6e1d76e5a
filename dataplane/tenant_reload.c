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

/* What a reload cannot change, said once so the operator knows. */
static void tenant_reload_warn(const struct cfg *run, const struct cfg *cfg)
{
	if (memcmp(&run->eal, &cfg->eal, sizeof(cfg->eal)) != 0 || run->n_ports != cfg->n_ports ||
	    memcmp(run->ports, cfg->ports, sizeof(run->ports[0]) * run->n_ports) != 0 ||
	    memcmp(run->sip.udp_ports, cfg->sip.udp_ports, sizeof(run->sip.udp_ports)) != 0 ||
	    memcmp(&run->rtp, &cfg->rtp, sizeof(cfg->rtp)) != 0)
		SL_LOG(WARNING, DP, "reload: eal, ports, SIP ports or RTP range changed in %s; "
		       "only tenants were reloaded, the rest needs a restart\n", cfg->path);
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
