/* SPDX-License-Identifier: MIT */
/*
 * Neighbour table: IPv4 next hop → MAC address, per port, learned from ARP
 * and shared by every io lcore.
 *
 * Lookups are lock-free (rte_hash with lock-free read/write concurrency and
 * multi-writer add); the MAC and the time it was confirmed sit in one 64-bit
 * word and one timestamp each written atomically, so a reader never sees
 * half an update. An entry is fresh for `reachable` seconds after it was
 * confirmed; past three quarters of that a lookup still answers but asks the
 * caller to refresh it by ARP, so busy neighbours never expire under traffic.
 * Entries are never deleted (deletion under lock-free readers would need
 * RCU for a table that only ever holds on-link hosts); a full table refuses
 * new neighbours and the packets are counted as neigh_fail.
 */
#ifndef SLUICE_NEIGH_H
#define SLUICE_NEIGH_H

#include <stdint.h>

#include <rte_ether.h>

enum neigh_state {
	NEIGH_NONE = 0,   /* unknown or expired */
	NEIGH_FRESH = 1,  /* use it */
	NEIGH_REFRESH = 2 /* use it, and send an ARP request */
};

struct neigh_table;

struct neigh_table *neigh_table_create(uint32_t entries, uint32_t reachable_s,
				       int socket);
void neigh_table_free(struct neigh_table *t);

enum neigh_state neigh_lookup(struct neigh_table *t, uint8_t port, uint32_t ip,
			      uint64_t now, struct rte_ether_addr *mac);

/* Records ip at mac as confirmed now. 0, or -ENOSPC when full. */
int neigh_update(struct neigh_table *t, uint8_t port, uint32_t ip,
		 const struct rte_ether_addr *mac, uint64_t now);

/* True if ip has an entry (used to learn only neighbours we talk to). */
int neigh_known(struct neigh_table *t, uint8_t port, uint32_t ip);

/* Visits every entry (telemetry); fn returns non-zero to stop. */
void neigh_walk(struct neigh_table *t,
		int (*fn)(void *arg, uint8_t port, uint32_t ip,
			  const struct rte_ether_addr *mac, uint64_t age_ms),
		void *arg, uint64_t now);

#endif
