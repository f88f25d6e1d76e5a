/* SPDX-License-Identifier: MIT */
/*
 * sluice-callgen: options, EAL and port set-up, and the polling loop (see
 * cg.h for what the generator does).
 *
 *   sluice-callgen [EAL options] -- [options]
 *
 * The loop runs on the main lcore and does, in order: receive a burst and
 * hand each frame to net_input (ARP, then SIP to the UAC or the UAS), fire
 * the timers due (retransmissions, hold time, deadlines), keep the next hop
 * resolved and the UAS registered, start the calls the rate allows, and
 * flush what was queued for transmission. A loop that did nothing backs
 * off (pause, then sleeps of 1 µs doubling to 256 µs) so that the
 * generator leaves a shared 2-core box to the system under test when it
 * has nothing to do; loops that did work are counted as busy cycles.
 *
 * The run always ends by itself: when the UAC has made --calls calls and
 * every one has ended (or, for a UAS alone, when it has seen that many
 * calls end), at --duration seconds, or on SIGINT/SIGTERM. Calls in
 * progress then are counted as failed ("unfinished").
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_pause.h>

#include "cg.h"

#define CG_IDLE_SPIN   256
#define CG_IDLE_MAX_US 256

static volatile sig_atomic_t cg_stop;

static void cg_on_signal(int sig)
{
	(void)sig;
	cg_stop = 1;
}

static void usage(const char *prog)
{
	fprintf(stderr,
"usage: %s [EAL options] -- [options]\n"
"  --role uac|uas|both     roles this process runs (default both)\n"
"  --calls N               calls the UAC makes (default 1000, at most 1e9)\n"
"  --rate N                new calls per second; 0 = as fast as the window\n"
"                          allows (default 0)\n"
"  --window N              most calls in progress at once (default 10000)\n"
"  --duration S            stop after S seconds whatever happens (default 60)\n"
"  --hold MS               ACK to BYE (default 0)\n"
"  --t1 MS, --t2 MS        RFC 3261 timers (default 500, 4000)\n"
"  --call-timeout MS       INVITE to final response (default 64*T1)\n"
"  --uac IP[:PORT]         the UAC's address (default 198.18.0.11:5060)\n"
"  --uas IP[:PORT]         the UAS's address (default 198.18.0.12:5060)\n"
"  --target IP[:PORT]      where INVITEs and REGISTERs go: sluice, or the\n"
"                          UAS itself (default 198.18.0.1:5060)\n"
"  --gateway IP            next hop to resolve by ARP (default the target)\n"
"  --peer-mac MAC          next hop's MAC: no ARP\n"
"  --caller USER           From user (default callgen)\n"
"  --callee USER           To user, and a user the UAS answers (default 1000)\n"
"  --register USER:PASS@DOMAIN  REGISTER the UAS (MD5 digest) before calling\n"
"  --expires S             registration expiry (default 3600)\n"
"  --port N                DPDK port id (default 0)\n"
"  --mbufs N               mbuf pool size (default 2*window + 8192)\n"
"  --json                  the report as one JSON object\n"
"  --quiet                 no progress lines\n"
"  --rx-loss PPM           drop this many received frames per million (to\n"
"                          test retransmissions; default 0)\n"
"All addresses must be in 198.18.0.0/15 (RFC 2544 benchmarking).\n", prog);
}

/* "a.b.c.d[:port]" in 198.18.0.0/15; port left alone if absent. */
static int parse_addr(const char *s, uint32_t *ip, uint16_t *port)
{
	char buf[64], *colon, *end;
	struct in_addr a;
	unsigned long p;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (port == NULL)
			return -EINVAL;
		p = strtoul(colon + 1, &end, 10);
		if (*end || p == 0 || p > 65535)
			return -EINVAL;
		*port = (uint16_t)p;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	if ((*ip & 0xfffe0000u) != 0xc6120000u)
		return -ERANGE;
	return 0;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_user(const char *s, char *out)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CG_USER_MAX || strpbrk(s, " \t\r\n<>@:;\"") != NULL)
		return -EINVAL;
	memcpy(out, s, n + 1);
	return 0;
}

/* USER:PASS@DOMAIN */
static int parse_register(const char *s, struct cg_opts *o)
{
	char buf[3 * CG_USER_MAX], *colon, *at;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	colon = strchr(buf, ':');
	at = strrchr(buf, '@');
	if (colon == NULL || at == NULL || at < colon)
		return -EINVAL;
	*colon = *at = '\0';
	if (parse_user(buf, o->reg_user) < 0 || strlen(colon + 1) >= CG_USER_MAX ||
	    strlen(at + 1) == 0 || strlen(at + 1) >= CG_USER_MAX)
		return -EINVAL;
	snprintf(o->reg_pass, sizeof(o->reg_pass), "%s", colon + 1);
	snprintf(o->reg_domain, sizeof(o->reg_domain), "%s", at + 1);
	return 0;
}

enum {
	OPT_ROLE = 256, OPT_CALLS, OPT_RATE, OPT_WINDOW, OPT_DURATION, OPT_HOLD,
	OPT_T1, OPT_T2, OPT_CALL_TIMEOUT, OPT_UAC, OPT_UAS, OPT_TARGET,
	OPT_GATEWAY, OPT_PEER_MAC, OPT_CALLER, OPT_CALLEE, OPT_REGISTER,
	OPT_EXPIRES, OPT_PORT, OPT_MBUFS, OPT_RX_LOSS, OPT_JSON, OPT_QUIET, OPT_HELP,
};

static const struct option cg_long_opts[] = {
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "calls", required_argument, NULL, OPT_CALLS },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "t1", required_argument, NULL, OPT_T1 },
	{ "t2", required_argument, NULL, OPT_T2 },
	{ "call-timeout", required_argument, NULL, OPT_CALL_TIMEOUT },
	{ "uac", required_argument, NULL, OPT_UAC },
	{ "uas", required_argument, NULL, OPT_UAS },
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "peer-mac", required_argument, NULL, OPT_PEER_MAC },
	{ "caller", required_argument, NULL, OPT_CALLER },
	{ "callee", required_argument, NULL, OPT_CALLEE },
	{ "register", required_argument, NULL, OPT_REGISTER },
	{ "expires", required_argument, NULL, OPT_EXPIRES },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "rx-loss", required_argument, NULL, OPT_RX_LOSS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int parse_opts(int argc, char **argv, struct cg_opts *o)
{
	uint64_t v;
	int c, rc = 0;
	bool call_timeout_set = false;

	memset(o, 0, sizeof(*o));
	o->total = 1000;
	o->window = 10000;
	o->duration_s = 60;
	o->t1_ms = 500;
	o->t2_ms = 4000;
	o->uac_ip = 0xc612000bu;     /* 198.18.0.11 */
	o->uas_ip = 0xc612000cu;     /* 198.18.0.12 */
	o->target_ip = 0xc6120001u;  /* 198.18.0.1 */
	o->uac_port = o->uas_port = o->target_port = 5060;
	o->uac = o->uas = true;
	o->reg_expires = 3600;
	snprintf(o->caller, sizeof(o->caller), "callgen");
	snprintf(o->callee, sizeof(o->callee), "1000");

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", cg_long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROLE:
			o->uac = strcmp(optarg, "uac") == 0 || strcmp(optarg, "both") == 0;
			o->uas = strcmp(optarg, "uas") == 0 || strcmp(optarg, "both") == 0;
			rc = o->uac || o->uas ? 0 : -EINVAL;
			break;
		case OPT_CALLS:
			rc = parse_u64(optarg, 1, 1000000000, &o->total);
			break;
		case OPT_RATE:
			rc = parse_u64(optarg, 0, 100000000, &v);
			o->rate = (uint32_t)v;
			break;
		case OPT_WINDOW:
			rc = parse_u64(optarg, 1, 4000000, &v);
			o->window = (uint32_t)v;
			break;
		case OPT_DURATION:
			rc = parse_u64(optarg, 1, 86400, &v);
			o->duration_s = (uint32_t)v;
			break;
		case OPT_HOLD:
			rc = parse_u64(optarg, 0, 3600000, &v);
			o->hold_ms = (uint32_t)v;
			break;
		case OPT_T1:
			rc = parse_u64(optarg, 10, 10000, &v);
			o->t1_ms = (uint32_t)v;
			break;
		case OPT_T2:
			rc = parse_u64(optarg, 10, 60000, &v);
			o->t2_ms = (uint32_t)v;
			break;
		case OPT_CALL_TIMEOUT:
			rc = parse_u64(optarg, 10, 600000, &v);
			o->call_timeout_ms = (uint32_t)v;
			call_timeout_set = true;
			break;
		case OPT_UAC:
			rc = parse_addr(optarg, &o->uac_ip, &o->uac_port);
			break;
		case OPT_UAS:
			rc = parse_addr(optarg, &o->uas_ip, &o->uas_port);
			break;
		case OPT_TARGET:
			rc = parse_addr(optarg, &o->target_ip, &o->target_port);
			break;
		case OPT_GATEWAY:
			rc = parse_addr(optarg, &o->gw_ip, NULL);
			break;
		case OPT_PEER_MAC:
			rc = rte_ether_unformat_addr(optarg, &o->peer_mac) < 0 ? -EINVAL : 0;
			o->have_peer_mac = true;
			break;
		case OPT_CALLER:
			rc = parse_user(optarg, o->caller);
			break;
		case OPT_CALLEE:
			rc = parse_user(optarg, o->callee);
			break;
		case OPT_REGISTER:
			rc = parse_register(optarg, o);
			break;
		case OPT_EXPIRES:
			rc = parse_u64(optarg, 10, 86400, &v);
			o->reg_expires = (uint32_t)v;
			break;
		case OPT_PORT:
			rc = parse_u64(optarg, 0, RTE_MAX_ETHPORTS - 1, &v);
			o->port_id = (uint16_t)v;
			break;
		case OPT_MBUFS:
			rc = parse_u64(optarg, 1024, 16000000, &v);
			o->mbufs = (uint32_t)v;
			break;
		case OPT_RX_LOSS:
			rc = parse_u64(optarg, 0, 500000, &v);
			o->rx_loss_ppm = (uint32_t)v;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		default:
			return -EINVAL;
		}
		if (rc < 0) {
			fprintf(stderr, "callgen: option --%s: bad value '%s'%s\n",
				cg_long_opts[c - OPT_ROLE].name, optarg,
				rc == -ERANGE ? " (not in 198.18.0.0/15)" : "");
			return rc;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "callgen: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->t2_ms < o->t1_ms) {
		fprintf(stderr, "callgen: --t2 must be at least --t1\n");
		return -EINVAL;
	}
	if (o->uac && o->uas && o->uac_ip == o->uas_ip && o->uac_port == o->uas_port) {
		fprintf(stderr, "callgen: --uac and --uas must differ\n");
		return -EINVAL;
	}
	if (!call_timeout_set)
		o->call_timeout_ms = 64 * o->t1_ms;
	if (o->mbufs == 0)
		o->mbufs = 2 * o->window + 8192;
	return 0;
}

static int port_init(struct cg *cg)
{
	const struct cg_opts *o = cg->o;
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = 1024, ntx = 1024;
	int rc;

	if (!rte_eth_dev_is_valid_port(o->port_id)) {
		fprintf(stderr, "callgen: no port %u (give EAL a --vdev)\n", o->port_id);
		return -ENODEV;
	}
	cg->port = o->port_id;
	cg->pool = rte_pktmbuf_pool_create("callgen_pool", o->mbufs, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   rte_eth_dev_socket_id(cg->port) < 0 ? 0 :
					   (unsigned)rte_eth_dev_socket_id(cg->port));
	if (cg->pool == NULL) {
		fprintf(stderr, "callgen: no memory for %u mbufs (raise EAL -m)\n",
			o->mbufs);
		return -ENOMEM;
	}
	rc = rte_eth_dev_info_get(cg->port, &info);
	if (rc < 0)
		return rc;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(cg->port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(cg->port, &nrx, &ntx);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(cg->port, 0, nrx, SOCKET_ID_ANY, NULL, cg->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(cg->port, 0, ntx, SOCKET_ID_ANY, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(cg->port);
	if (rc < 0) {
		fprintf(stderr, "callgen: port %u (%s): %s\n", cg->port,
			info.driver_name, strerror(-rc));
		return rc;
	}
	rte_eth_promiscuous_enable(cg->port); /* not every vdev can: fine */
	rte_eth_macaddr_get(cg->port, &cg->mac);
	if (!o->quiet)
		fprintf(stderr, "callgen: port %u %s " RTE_ETHER_ADDR_PRT_FMT "\n",
			cg->port, info.driver_name, RTE_ETHER_ADDR_BYTES(&cg->mac));
	return 0;
}

static bool link_up(uint16_t port)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(port, &link) == 0 && link.link_status;
}

static void idle_sleep(uint32_t us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	nanosleep(&ts, NULL);
}

enum cg_end { END_DONE, END_DURATION, END_SIGNAL, END_REG_FAILED };

static enum cg_end cg_loop(struct cg *cg)
{
	const struct cg_opts *o = cg->o;
	struct rte_mbuf *pkts[CG_BURST];
	uint32_t end_ms = o->duration_s * 1000, empty = 0, sleep_us = 1;
	uint32_t link_ms = 0, report_ms = 1000;
	bool up = false;
	uint64_t last = rte_rdtsc();

	for (;;) {
		uint64_t now = rte_rdtsc();
		unsigned work = 0;
		uint16_t n, i, b;

		cg->last_tsc = now;
		cg->now_ms = cg_ms(cg, now);
		/* up to 4 bursts: replies go before new calls */
		for (b = 0; b < 4; b++) {
			n = rte_eth_rx_burst(cg->port, 0, pkts, CG_BURST);
			for (i = 0; i < n; i++) {
				if (i + 1 < n)
					rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
				net_input(cg, pkts[i]);
			}
			work += n;
			if (n < CG_BURST)
				break;
		}
		work += uac_timers(cg) + uas_timers(cg);
		if (!up && (int32_t)(cg->now_ms - link_ms) >= 0) {
			up = link_up(cg->port);
			link_ms = cg->now_ms + 10;
		}
		if (up) {
			net_arp_poll(cg);
			reg_poll(cg);
			if (cg->peer_known && reg_ready(cg))
				work += uac_start_calls(cg);
		}
		if (cg->n_tx) {
			work++;
			net_flush(cg);
		}

		/* busy/idle accounting and back-off */
		now = rte_rdtsc();
		if (work) {
			cg->busy_cycles += now - last;
			empty = 0;
			sleep_us = 1;
		} else {
			if (++empty <= CG_IDLE_SPIN) {
				rte_pause();
			} else {
				idle_sleep(sleep_us);
				sleep_us = sleep_us * 2 > CG_IDLE_MAX_US ?
					   CG_IDLE_MAX_US : sleep_us * 2;
			}
			cg->idle_cycles += rte_rdtsc() - last;
		}
		last = rte_rdtsc();

		if (cg_stop)
			return END_SIGNAL;
		if (reg_failed(cg))
			return END_REG_FAILED;
		if ((int32_t)(cg->now_ms - end_ms) >= 0)
			return END_DURATION;
		if (o->uac ? uac_done(cg) :
			     cg->uas_st.byes + cg->uas_st.no_ack >= o->total &&
			     uas_active(cg) == 0)
			return END_DONE;
		if (!o->quiet && (int32_t)(cg->now_ms - report_ms) >= 0) {
			report_ms += 1000;
			fprintf(stderr, "callgen: %us: uac started %lu active %u "
				"completed %lu failed %lu | uas active %u answered %lu"
				" | rx %lu tx %lu%s\n", cg->now_ms / 1000,
				(unsigned long)cg->uac_st.attempted, uac_active(cg),
				(unsigned long)cg->uac_st.completed,
				(unsigned long)cg->uac_st.failed, uas_active(cg),
				(unsigned long)cg->uas_st.invites,
				(unsigned long)cg->net_st.rx, (unsigned long)cg->net_st.tx,
				!up ? " (link down)" : !cg->peer_known ?
				" (resolving next hop)" : !reg_ready(cg) ?
				" (registering)" : "");
		}
	}
}

int main(int argc, char **argv)
{
	static struct cg cg;
	struct cg_opts o;
	enum cg_end end;
	int rc, ret = 1;
	double secs;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "callgen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= rc;
	argv += rc;
	argv[0] = (char *)"sluice-callgen";
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(argv[0]);
			goto out_eal;
		}
	if (parse_opts(argc, argv, &o) < 0) {
		usage(argv[0]);
		goto out_eal;
	}
	cg.o = &o;
	cg.hz = rte_get_tsc_hz();
	cg.tsc0 = rte_rdtsc();
	cg.run_id = (uint32_t)(cg.tsc0 ^ (cg.tsc0 >> 32) ^ ((uint64_t)getpid() << 16));
	cg.rng = cg.tsc0 | 1;
	cg.next_hop = o.gw_ip ? o.gw_ip : o.target_ip;
	if (o.have_peer_mac) {
		cg.peer_mac = o.peer_mac;
		cg.peer_known = true;
	}
	if (port_init(&cg) < 0)
		goto out_eal;
	if ((o.uac && (cg.uac = uac_create(&cg)) == NULL) ||
	    (o.uas && (cg.uas = uas_create(&cg)) == NULL) ||
	    (cg.reg = reg_create(&cg)) == NULL) {
		fprintf(stderr, "callgen: no memory for %u calls\n", o.window);
		goto out_port;
	}
	signal(SIGINT, cg_on_signal);
	signal(SIGTERM, cg_on_signal);

	end = cg_loop(&cg);
	net_flush(&cg);
	rte_pktmbuf_free_bulk(cg.tx, cg.n_tx);
	cg.n_tx = 0;
	if (cg.run_end_tsc == 0 && uac_active(&cg))
		cg.run_end_tsc = rte_rdtsc();
	uac_abandon(&cg);
	secs = (double)(rte_rdtsc() - cg.tsc0) / (double)cg.hz;
	if (!o.quiet)
		fprintf(stderr, "callgen: stopped: %s\n",
			end == END_DONE ? "all calls ended" :
			end == END_DURATION ? "duration reached" :
			end == END_SIGNAL ? "signal" : "registration failed");
	if (o.json)
		stats_json(&cg, secs);
	else
		stats_print(&cg, secs);
	ret = end == END_DONE ? 0 : end == END_REG_FAILED ? 4 : 3;
out_port:
	uac_free(cg.uac);
	uas_free(cg.uas);
	reg_free(cg.reg);
	rte_eth_dev_stop(cg.port);
	rte_eth_dev_close(cg.port);
	rte_mempool_free(cg.pool);
out_eal:
	rte_eal_cleanup();
	return ret;
}
