/* SPDX-License-Identifier: MIT */
/*
 * Registration of the packet metadata dynfield (see pkt.h).
 */
#include <errno.h>

#include <rte_errno.h>

#include "pkt.h"

/* Set once at start-up, read-only afterwards (DPDK's dynfield idiom). */
int pkt_meta_offset = -1;

int pkt_meta_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "sluice_pkt_meta",
		.size = sizeof(struct pkt_meta),
		.align = __alignof__(struct pkt_meta),
	};

	pkt_meta_offset = rte_mbuf_dynfield_register(&desc);
	return pkt_meta_offset < 0 ? -rte_errno : 0;
}
