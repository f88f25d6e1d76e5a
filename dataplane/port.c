/* SPDX-License-Identifier: MIT */
/*
 * Ports (see port.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "log.h"
#include "port.h"

/* The ethdev name of a configured device: a vdev's name is the part before
 * the first comma; a PCI address gets its domain if it was left out. */
static void port_dev_name(const struct cfg_port *cp, char *name, size_t n)
{
	const char *comma;

	if (cp->is_vdev) {
		comma = strchr(cp->device, ',');
		snprintf(name, n, "%.*s",
			 (int)(comma ? (size_t)(comma - cp->device) :
				       strlen(cp->device)),
			 cp->device);
	} else if (strchr(cp->device, ':') == strrchr(cp->device, ':')) {
		snprintf(name, n, "0000:%s", cp->device);
	} else {
		snprintf(name, n, "%s", cp->device);
	}
}

/*
 * Receive buffers of a port. A frame must fit in one mbuf on the PMDs we
 * use: net_af_packet copies each frame from its ring into one mbuf and
 * refuses to start if `framesz` exceeds the mbuf data room. Its socket also
 * joins a fanout group with PACKET_FANOUT_FLAG_DEFRAG, so the kernel
 * reassembles IPv4 fragments before we see them and a datagram larger than
 * framesz arrives truncated (counted as ip_bad). A port whose device args
 * set framesz above a normal mbuf therefore gets its own rx pool with data
 * room for it; every other port shares dp->pool.
 */
static int port_rx_pool(struct dp *dp, uint16_t idx)
{
	const struct cfg_port *cp = &dp->cfg->ports[idx];
	struct dp_port *p = &dp->ports[idx];
	const char *f = strstr(cp->device, ",framesz=");
	unsigned long framesz = f ? strtoul(f + 9, NULL, 0) : 0;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned n;

	p->rx_pool = dp->pool;
	if (framesz <= RTE_MBUF_DEFAULT_DATAROOM)
		return 0;
	if (framesz > UINT16_MAX - RTE_PKTMBUF_HEADROOM) {
		SL_LOG(ERR, PORT, "port %s: framesz %lu is above %u\n", cp->name,
		       framesz, UINT16_MAX - RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	/* enough for the rx ring, the worker rings' share and caches */
	n = 2u * cp->rx_desc + 1024u;
	if (n > dp->cfg->mempool.mbufs)
		n = dp->cfg->mempool.mbufs;
	snprintf(name, sizeof(name), "rx_%u", idx);
	p->rx_pool = dp_pkt_pool(name, n, 64,
				 (uint16_t)(RTE_PKTMBUF_HEADROOM + framesz),
				 (int)rte_socket_id());
	if (p->rx_pool == NULL) {
		SL_LOG(ERR, PORT, "port %s: no memory for %u rx buffers of %lu "
		       "bytes (raise eal.memory_mb)\n", cp->name, n, framesz);
		return -ENOMEM;
	}
	SL_LOG(INFO, PORT, "port %s: %u rx buffers of %lu bytes (framesz)\n",
	       cp->name, n, framesz);
	return 0;
}

static int port_configure(struct dp *dp, uint16_t pid, uint16_t nq,
			  uint16_t mtu, const struct rte_eth_dev_info *info)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (mtu >= info->min_mtu && mtu <= info->max_mtu)
		conf.rxmode.mtu = mtu;
	/* Let the NIC check IPv4 and UDP checksums where it can (classify
	 * trusts the mbuf flags and checks in software otherwise). */
	conf.rxmode.offloads = info->rx_offload_capa &
			       (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
				RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	if (nq > 1 && info->flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) &
			info->flow_type_rss_offloads;
	}
	(void)dp;
	return rte_eth_dev_configure(pid, nq, nq, &conf);
}

int port_start(struct dp *dp, uint16_t idx)
{
	const struct cfg_port *cp = &dp->cfg->ports[idx];
	struct dp_port *p = &dp->ports[idx];
	struct rte_eth_dev_info info;
	uint16_t nq = dp->n_io, nrx = cp->rx_desc, ntx = cp->tx_desc, q;
	char name[RTE_ETH_NAME_MAX_LEN];
	int socket, rc;

	port_dev_name(cp, name, sizeof(name));
	rc = rte_eth_dev_get_port_by_name(name, &p->port_id);
	if (rc < 0) {
		SL_LOG(ERR, PORT, "port %s: no device %s (from '%s')\n",
		       cp->name, name, cp->device);
		return rc;
	}
	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	p->addr = cp->addr;
	p->mask = cp->prefix ? ~0u << (32 - cp->prefix) : 0;
	p->gateway = cp->gateway;
	p->mtu = cp->mtu;
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0)
		return rc;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		SL_LOG(ERR, PORT,
		       "port %s: %s has %u rx/%u tx queues, %u io lcores need %u each\n",
		       cp->name, info.driver_name, info.max_rx_queues,
		       info.max_tx_queues, nq, nq);
		return -EINVAL;
	}
	rc = port_rx_pool(dp, idx);
	if (rc < 0)
		return rc;
	rc = port_configure(dp, p->port_id, nq, cp->mtu, &info);
	if (rc < 0) {
		SL_LOG(ERR, PORT, "port %s: configure: %s\n", cp->name,
		       strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nrx, &ntx);
	if (rc < 0)
		return rc;
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = 0;
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nrx, socket, NULL,
					    p->rx_pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, q, ntx, socket,
						    NULL);
		if (rc < 0) {
			SL_LOG(ERR, PORT, "port %s: queue %u: %s\n", cp->name, q,
			       strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(p->port_id);
	if (rc < 0) {
		SL_LOG(ERR, PORT, "port %s: start: %s\n", cp->name,
		       strerror(-rc));
		return rc;
	}
	p->started = true;
	rte_eth_macaddr_get(p->port_id, &p->mac);
	SL_LOG(INFO, PORT,
	       "port %s: %s (%s) " RTE_ETHER_ADDR_PRT_FMT " %u.%u.%u.%u/%u mtu %u, %u queue pair(s)\n",
	       cp->name, name, info.driver_name, RTE_ETHER_ADDR_BYTES(&p->mac),
	       p->addr >> 24, (p->addr >> 16) & 255, (p->addr >> 8) & 255,
	       p->addr & 255, cp->prefix, p->mtu, nq);
	return 0;
}

void port_stop(struct dp *dp, uint16_t idx)
{
	struct dp_port *p = &dp->ports[idx];

	if (p->started) {
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
		p->started = false;
	}
	/* after close: the queues no longer hold its buffers */
	if (p->rx_pool && p->rx_pool != dp->pool)
		rte_mempool_free(p->rx_pool);
	p->rx_pool = NULL;
}

void port_watch_links(struct dp *dp)
{
	uint16_t i;

	for (i = 0; i < dp->n_ports; i++) {
		struct rte_eth_link link;
		char text[RTE_ETH_LINK_MAX_STR_LEN];
		uint8_t state;

		if (!dp->ports[i].started ||
		    rte_eth_link_get_nowait(dp->ports[i].port_id, &link) < 0)
			continue;
		state = link.link_status ? 2 : 1;
		if (state == dp->ports[i].link_seen)
			continue;
		dp->ports[i].link_seen = state;
		if (state == 2) /* up: tell the neighbours where we are */
			__atomic_store_n(&dp->ports[i].announce, ARP_ANNOUNCE_NUM,
					 __ATOMIC_RELEASE);
		rte_eth_link_to_str(text, sizeof(text), &link);
		SL_LOG(INFO, PORT, "port %s: %s\n", dp->ports[i].name, text);
	}
}
