/* SPDX-License-Identifier: MIT */
/*
 * sluice: the appliance process. Reads the config (before EAL, so a bad
 * file is reported without touching the machine), starts EAL, builds and
 * launches the dataplane, then runs the control plane on the main lcore
 * until SIGINT or SIGTERM: cp_poll (route decisions, CDRs to the writer
 * thread, call events) as often as there is work, sleeping 1 ms when a
 * pass finds none (route requests carry deadlines of tens of ms), and the
 * link watch once a second. The HTTP API and the CDR writer run on
 * threads of their own (cp.h).
 *
 * The CDR store must open: if cdr.path (default /var/lib/sluice/cdr.db,
 * its directory created if missing) cannot be, sluice says so and exits 3
 * rather than run and lose every call's record.
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
#include "cp.h"
#include "dp.h"
#include "eal.h"
#include "idle.h"
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

static void main_banner(const struct cfg *cfg, const struct dp *dp, const struct cp *cp)
{
	uint32_t a = cfg->api.listen.addr;
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
	printf("sluice: HTTP API on http://%u.%u.%u.%u:%u (sluicectl; /metrics), "
	       "CDRs in %s\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
	       cp_api_port(cp), cfg->cdr.path);
	fflush(stdout);
}

static uint64_t main_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * The control plane loop: messages from the workers whenever there are
 * some (a MAIN_SLEEP_US sleep after a pass that found none), signals, and
 * the link watch once a second. Its passes are accounted busy or idle like
 * the other lcores' (/sluice/lcore_usage, role main).
 */
#define MAIN_SLEEP_US 1000

static void main_loop(struct dp *dp, struct cp *cp)
{
	struct stats_lcore *st = &dp->stats[rte_get_main_lcore()];
	struct idle idle;
	uint64_t links_at = 0;

	idle_init(&idle, 0, MAIN_SLEEP_US, MAIN_SLEEP_US);
	idle_open(&idle);
	while (main_signal != SIGINT && main_signal != SIGTERM) {
		unsigned work = 0;
		uint64_t now;

		if (main_signal == SIGHUP) {
			char report[4096];

			main_signal = 0;
			if (cp_reload_now(cp, report, sizeof(report)) == 0)
				SL_LOG(NOTICE, MAIN, "SIGHUP: reloaded %s\n", report);
			work++;
		}
		work += cp_reload_serve(cp);
		now = main_now_ms();
		if (now >= links_at) {
			port_watch_links(dp);
			links_at = now + 1000;
		}
		work += cp_poll(cp);
		idle_step(&idle, st, work);
	}
	idle_close(&idle);
	SL_LOG(NOTICE, MAIN, "signal %d: stopping\n", (int)main_signal);
}

static int main_run(const char *argv0, const char *path)
{
	static struct cfg cfg;
	static struct cfg_errors errs;
	struct reg_saver *regs = NULL;
	struct dp *dp;
	struct cp *cp;
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
	/* the stored registrations go back before any worker runs */
	if (dp != NULL)
		regs = reg_saver_create(dp, &cfg);
	if (dp == NULL || regs == NULL || dp_launch(dp) < 0) {
		if (dp)
			dp_stop(dp);
		reg_saver_free(regs);
		dp_free(dp);
		rte_eal_cleanup();
		cfg_free(&cfg);
		return EXIT_START;
	}
	cp = cp_create(dp, &cfg, regs);
	if (cp == NULL) {
		fprintf(stderr, "sluice: the control plane failed to start\n");
		dp_stop(dp);
		reg_saver_free(regs);
		dp_free(dp);
		rte_eal_cleanup();
		cfg_free(&cfg);
		return EXIT_START;
	}
	telemetry_register(dp);
	main_banner(&cfg, dp, cp);
	main_loop(dp, cp);
	telemetry_unregister();
	dp_stop(dp);
	/* after the workers: no more messages; the writer commits what
	 * it has before cp_free returns */
	cp_poll(cp);
	cp_free(cp);
	reg_saver_free(regs); /* saves what the workers last changed */
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
