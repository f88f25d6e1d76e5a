/* SPDX-License-Identifier: MIT */
/*
 * Neighbour table (see neigh.h) and the io lcore's queue of packets waiting
 * for a next hop to answer ARP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "io_lcore.h"
#include "neigh.h"

#define NEIGH_VALID (1ULL << 63)
#define NEIGH_RETRY_MS 1000  /* between ARP requests for a waiting packet */
#define NEIGH_TRIES 3        /* requests before its packets are dropped */

struct neigh_key {
	uint32_t ip;
	uint8_t port;
	uint8_t pad[3];
};

struct neigh_entry {
	uint64_t mac;        /* NEIGH_VALID | 48-bit MAC */
	uint64_t confirmed;  /* TSC */
	uint64_t asked;      /* TSC of the last refresh request */
};

struct neigh_table {
	struct rte_hash *hash;
	struct neigh_entry *e;
	uint32_t n_e;
	uint64_t fresh_tsc;   /* 3/4 of reachable */
	uint64_t expire_tsc;  /* reachable */
	uint64_t hz;
};

static uint64_t neigh_mac_pack(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	return v | NEIGH_VALID;
}

static void neigh_mac_unpack(uint64_t v, struct rte_ether_addr *mac)
{
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
}

struct neigh_table *neigh_table_create(uint32_t entries, uint32_t reachable_s,
				       int socket)
{
	static unsigned seq;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.entries = entries,
		.key_len = sizeof(struct neigh_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD,
	};
	struct neigh_table *t;

	t = rte_zmalloc_socket("neigh", sizeof(*t), 0, socket);
	if (t == NULL)
		return NULL;
	snprintf(name, sizeof(name), "neigh%u", seq++);
	hp.name = name;
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto fail;
	t->n_e = (uint32_t)rte_hash_max_key_id(t->hash) + 1;
	t->e = rte_zmalloc_socket("neigh_e", sizeof(*t->e) * t->n_e,
				  RTE_CACHE_LINE_SIZE, socket);
	if (t->e == NULL)
		goto fail;
	t->hz = rte_get_tsc_hz();
	t->expire_tsc = t->hz * reachable_s;
	t->fresh_tsc = t->expire_tsc / 4 * 3;
	return t;
fail:
	neigh_table_free(t);
	return NULL;
}

void neigh_table_free(struct neigh_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	rte_free(t->e);
	rte_free(t);
}

static int neigh_pos(struct neigh_table *t, uint8_t port, uint32_t ip)
{
	struct neigh_key k = { .ip = ip, .port = port };
	int pos = rte_hash_lookup(t->hash, &k);

	return pos >= 0 && (uint32_t)pos < t->n_e ? pos : -ENOENT;
}

enum neigh_state neigh_lookup(struct neigh_table *t, uint8_t port, uint32_t ip,
			      uint64_t now, struct rte_ether_addr *mac)
{
	struct neigh_entry *e;
	uint64_t v, age;
	int pos = neigh_pos(t, port, ip);

	if (pos < 0)
		return NEIGH_NONE;
	e = &t->e[pos];
	v = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
	if (!(v & NEIGH_VALID))
		return NEIGH_NONE;
	age = now - __atomic_load_n(&e->confirmed, __ATOMIC_RELAXED);
	if (age > t->expire_tsc)
		return NEIGH_NONE;
	neigh_mac_unpack(v, mac);
	if (age > t->fresh_tsc) {
		/* Ask once a second at most, whichever io lcore sees it. */
		uint64_t asked = __atomic_load_n(&e->asked, __ATOMIC_RELAXED);

		if (now - asked > t->hz &&
		    __atomic_compare_exchange_n(&e->asked, &asked, now, 0,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return NEIGH_REFRESH;
	}
	return NEIGH_FRESH;
}

int neigh_update(struct neigh_table *t, uint8_t port, uint32_t ip,
		 const struct rte_ether_addr *mac, uint64_t now)
{
	struct neigh_key k = { .ip = ip, .port = port };
	struct neigh_entry *e;
	int pos = rte_hash_add_key(t->hash, &k);

	if (pos < 0 || (uint32_t)pos >= t->n_e)
		return -ENOSPC;
	e = &t->e[pos];
	__atomic_store_n(&e->confirmed, now, __ATOMIC_RELAXED);
	__atomic_store_n(&e->mac, neigh_mac_pack(mac), __ATOMIC_RELEASE);
	return 0;
}

int neigh_known(struct neigh_table *t, uint8_t port, uint32_t ip)
{
	return neigh_pos(t, port, ip) >= 0;
}

void neigh_walk(struct neigh_table *t,
		int (*fn)(void *arg, uint8_t port, uint32_t ip,
			  const struct rte_ether_addr *mac, uint64_t age_ms),
		void *arg, uint64_t now)
{
	const void *key;
	void *data;
	uint32_t iter = 0;
	int32_t pos;

	while ((pos = rte_hash_iterate(t->hash, &key, &data, &iter)) >= 0) {
		const struct neigh_key *k = key;
		struct neigh_entry *e = &t->e[pos];
		struct rte_ether_addr mac;
		uint64_t v = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
		uint64_t age = now - __atomic_load_n(&e->confirmed,
						     __ATOMIC_RELAXED);

		if (!(v & NEIGH_VALID))
			continue;
		neigh_mac_unpack(v, &mac);
		if (fn(arg, k->port, k->ip, &mac, age * 1000 / t->hz))
			break;
	}
}

/* Sends m now if its next hop is known; returns 0, or -ENOENT. */
static int neigh_try(struct io_ctx *io, uint8_t port, uint32_t nh,
		     struct rte_mbuf *m, uint64_t now)
{
	struct rte_ether_addr mac;
	enum neigh_state s = neigh_lookup(io->dp->neigh, port, nh, now, &mac);

	if (s == NEIGH_NONE)
		return -ENOENT;
	if (s == NEIGH_REFRESH)
		arp_request(io, port, nh);
	eth_out(io, port, &mac, RTE_ETHER_TYPE_IPV4, m);
	return 0;
}

void neigh_send(struct io_ctx *io, uint8_t port, uint32_t nh,
		struct rte_mbuf *m)
{
	uint64_t now = rte_rdtsc();
	struct neigh_wait *w;
	unsigned i;
	int asked = 0;

	if (neigh_try(io, port, nh, m, now) == 0)
		return;
	if (io->n_wait == NEIGH_WAIT_MAX) {
		io_drop(io, m, DROP_NEIGH_QUEUE);
		return;
	}
	/* One ARP request per next hop, however many packets wait for it. */
	for (i = 0; i < io->n_wait; i++)
		if (io->wait[i].nh == nh && io->wait[i].port == port)
			asked = 1;
	w = &io->wait[io->n_wait++];
	w->m = m;
	w->nh = nh;
	w->port = port;
	w->tries = 1;
	w->next_tsc = now + io->hz * NEIGH_RETRY_MS / 1000;
	if (!asked)
		arp_request(io, port, nh);
}

void neigh_wait_poll(struct io_ctx *io, uint64_t now)
{
	unsigned i = 0;

	while (i < io->n_wait) {
		struct neigh_wait *w = &io->wait[i];

		if (neigh_try(io, w->port, w->nh, w->m, now) == 0) {
			*w = io->wait[--io->n_wait];
			continue;
		}
		if ((int64_t)(now - w->next_tsc) >= 0) {
			if (w->tries >= NEIGH_TRIES) {
				io_drop(io, w->m, DROP_NEIGH_FAIL);
				*w = io->wait[--io->n_wait];
				continue;
			}
			w->tries++;
			w->next_tsc = now + io->hz * NEIGH_RETRY_MS / 1000;
			arp_request(io, w->port, w->nh);
		}
		i++;
	}
}
