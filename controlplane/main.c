/* SPDX-License-Identifier: MIT */
/*
 * sluice: the appliance process. Reads the config (before EAL, so a bad
 * file is reported without touching the machine), starts EAL, builds and
 * launches the dataplane, then runs the control plane on the main lcore
 * until SIGINT or SIGTERM.
 *
 * Exit codes:
 *   0  stopped cleanly (or --check-config: the file is valid)
 *   1  the config is invalid (every error printed as file:line: key …)
 *   2  bad command line
 *   3  EAL, ports or the dataplane failed to start
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>

#include "cfg.h"
#include "dp.h"
#include "eal.h"
#include "log.h"
#include "port.h"
#include "telemetry.h"

#define SLUICE_VERSION "0.1.0"
#define DEFAULT_CONFIG "config/sluice.conf"

enum { EXIT_CONFIG = 1, EXIT_USAGE = 2, EXIT_START = 3 };

static volatile sig_atomic_t main_signal;

static void main_on_signal(int sig)
{
	main_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluice [-c FILE]           run the appliance (default %s)\n"
		"       sluice --check-config FILE validate a config and exit\n"
		"       sluice --version | --help\n"
		"exit codes: 0 ok, 1 invalid config, 2 usage, 3 start failure\n",
		DEFAULT_CONFIG);
}

static int main_check(const char *path)
{
	static struct cfg cfg;
	static struct cfg_errors errs;

	if (cfg_load(path, &cfg, &errs) < 0) {
		cfg_errors_print(&errs, stderr);
		cfg_free(&cfg);
		return EXIT_CONFIG;
	}
	cfg_free(&cfg);
	printf("%s: ok\n", path);
	return 0;
}

static void main_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void main_banner(const struct cfg *cfg, const struct dp *dp)
{
	uint16_t i, j;

	for (i = 0; i < dp->n_ports; i++) {
		const struct dp_port *p = &dp->ports[i];

		printf("sluice: port %s %u.%u.%u.%u/%u, SIP on UDP",
		       p->name, p->addr >> 24, (p->addr >> 16) & 255,
		       (p->addr >> 8) & 255, p->addr & 255,
		       cfg->ports[i].prefix);
		for (j = 0; j < cfg->sip.n_udp_ports; j++)
			printf(" %u", cfg->sip.udp_ports[j]);
		printf(", RTP %u-%u\n", cfg->rtp.port_min, cfg->rtp.port_max);
	}
	printf("sluice: %u io lcore(s), %u worker(s); counters: "
	       "dpdk-telemetry.py -f %s, then /sluice/stats\n",
	       dp->n_io, dp->n_workers, cfg->eal.file_prefix);
	fflush(stdout);
}

/* The control plane loop: signals and link watch, every 100 ms. */
static void main_loop(struct dp *dp)
{
	const struct timespec tick = { 0, 100 * 1000 * 1000 };
	unsigned n = 0;

	while (main_signal != SIGINT && main_signal != SIGTERM) {
		if (main_signal == SIGHUP) {
			SL_LOG(NOTICE, MAIN,
			       "SIGHUP: live reload is not implemented yet; "
			       "config unchanged\n");
			main_signal = 0;
		}
		if (n++ % 10 == 0)
			port_watch_links(dp);
		nanosleep(&tick, NULL);
	}
	SL_LOG(NOTICE, MAIN, "signal %d: stopping\n", (int)main_signal);
}

static int main_run(const char *argv0, const char *path)
{
	static struct cfg cfg;
	static struct cfg_errors errs;
	struct dp *dp;
	int rc;

	if (cfg_load(path, &cfg, &errs) < 0) {
		cfg_errors_print(&errs, stderr);
		cfg_free(&cfg);
		return EXIT_CONFIG;
	}
	main_signals();
	rc = eal_start(&cfg, argv0);
	if (rc < 0) {
		fprintf(stderr, "sluice: EAL init failed: %s\n", strerror(-rc));
		cfg_free(&cfg);
		return EXIT_START;
	}
	dp = dp_create(&cfg);
	if (dp == NULL || dp_launch(dp) < 0) {
		if (dp)
			dp_stop(dp);
		dp_free(dp);
		rte_eal_cleanup();
		cfg_free(&cfg);
		return EXIT_START;
	}
	telemetry_register(dp);
	main_banner(&cfg, dp);
	main_loop(dp);
	telemetry_unregister();
	dp_stop(dp);
	dp_free(dp);
	rte_eal_cleanup();
	cfg_free(&cfg);
	printf("sluice: stopped\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	int c;

	while ((c = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			return main_check(optarg);
		case 'V':
			printf("sluice %s\n", SLUICE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return main_run(argv[0], path);
}
