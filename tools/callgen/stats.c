/* SPDX-License-Identifier: MIT */
/*
 * The report of sluice-callgen at the end of a run: every counter of the
 * UAC, the UAS and the port (tables from the X-macros in cg.h, so a new
 * counter shows up in both forms), and the rates derived from them: calls/s
 * achieved over the calling window (first INVITE to the end of the last
 * call), packets/s, and the generator's own busy cycles (loops that did
 * work, as sluice counts its lcores) per call and per packet.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cg.h"

struct stats_derived {
	double secs;            /* calling window */
	double cps;             /* completed calls per second */
	double offered;         /* INVITEs of new calls per second */
	double pps;             /* frames in + out per second */
	double busy_share;      /* busy cycles / (busy + idle) */
	double cycles_per_call;
	double cycles_per_pkt;
	double fail_ratio;      /* failed / attempted */
	double setup_ms_avg;
};

static void stats_derive(const struct cg *cg, double run_secs, struct stats_derived *d)
{
	uint64_t end = cg->run_end_tsc ? cg->run_end_tsc : cg->last_tsc;
	uint64_t pkts = cg->net_st.rx + cg->net_st.tx;
	uint64_t cyc = cg->busy_cycles + cg->idle_cycles;
	uint64_t calls = cg->uac ? cg->uac_st.completed : cg->uas_st.byes;

	d->secs = cg->run_start_tsc && end > cg->run_start_tsc ?
		  (double)(end - cg->run_start_tsc) / (double)cg->hz : run_secs;
	if (d->secs <= 0)
		d->secs = 1e-9;
	d->cps = (double)calls / d->secs;
	d->offered = cg->offer_end_tsc > cg->run_start_tsc ?
		     (double)cg->uac_st.attempted * (double)cg->hz /
		     (double)(cg->offer_end_tsc - cg->run_start_tsc) : 0;
	d->pps = (double)pkts / run_secs;
	d->busy_share = cyc ? (double)cg->busy_cycles / (double)cyc : 0;
	d->cycles_per_call = calls ? (double)cg->busy_cycles / (double)calls : 0;
	d->cycles_per_pkt = pkts ? (double)cg->busy_cycles / (double)pkts : 0;
	d->fail_ratio = cg->uac_st.attempted ?
			(double)cg->uac_st.failed / (double)cg->uac_st.attempted : 0;
	d->setup_ms_avg = cg->uac_st.established ?
			  (double)cg->uac_st.setup_ms_sum / (double)cg->uac_st.established : 0;
}

/* "503": 12, "481": 3 — the non-zero codes of a histogram. */
static void stats_codes(const uint64_t *codes, const char *fmt_one)
{
	const char *sep = "";
	unsigned i;

	for (i = 0; i < 400; i++) {
		if (codes[i] == 0)
			continue;
		printf("%s", sep);
		printf(fmt_one, i + 300, codes[i]);
		sep = ", ";
	}
}

void stats_print(const struct cg *cg, double run_secs)
{
	struct stats_derived d;

	stats_derive(cg, run_secs, &d);
	if (cg->uac) {
		printf("uac: attempted %" PRIu64 ", established %" PRIu64
		       ", completed %" PRIu64 ", failed %" PRIu64 " (%.3f%%)\n",
		       cg->uac_st.attempted, cg->uac_st.established,
		       cg->uac_st.completed, cg->uac_st.failed, 100 * d.fail_ratio);
		if (cg->uac_st.failed - cg->uac_st.fail_timeout - cg->uac_st.unfinished -
		    cg->uac_st.fail_bye_timeout - cg->uac_st.fail_peer_bye) {
			printf("uac: final responses: INVITE ");
			stats_codes(cg->inv_codes, "%u x%" PRIu64);
			printf("; BYE ");
			stats_codes(cg->bye_codes, "%u x%" PRIu64);
			printf("\n");
		}
		printf("uac: %.0f calls/s completed over %.3f s (offered %.0f/s), "
		       "setup avg %.1f ms max %" PRIu64 " ms\n", d.cps, d.secs,
		       d.offered, d.setup_ms_avg, cg->uac_st.setup_ms_max);
	}
	printf("port: %.0f packets/s (%" PRIu64 " rx, %" PRIu64 " tx in %.3f s)\n",
	       d.pps, cg->net_st.rx, cg->net_st.tx, run_secs);
	printf("generator: busy %.1f%% of its lcore, %.0f busy cycles/call, "
	       "%.0f cycles/packet (TSC %.2f GHz)\n", 100 * d.busy_share,
	       d.cycles_per_call, d.cycles_per_pkt, (double)cg->hz / 1e9);
#define CG_X(name, help) \
	if (cg->uac && cg->uac_st.name) \
		printf("  uac.%-18s %12" PRIu64 "  %s\n", #name, cg->uac_st.name, help);
	CG_UAC_STATS(CG_X)
#undef CG_X
#define CG_X(name, help) \
	if (cg->uas && cg->uas_st.name) \
		printf("  uas.%-18s %12" PRIu64 "  %s\n", #name, cg->uas_st.name, help);
	CG_UAS_STATS(CG_X)
#undef CG_X
#define CG_X(name, help) \
	if (cg->net_st.name) \
		printf("  net.%-18s %12" PRIu64 "  %s\n", #name, cg->net_st.name, help);
	CG_NET_STATS(CG_X)
#undef CG_X
	fflush(stdout);
}

void stats_json(const struct cg *cg, double run_secs)
{
	struct stats_derived d;
	const char *sep;

	stats_derive(cg, run_secs, &d);
	printf("{\"seconds\": %.6f, \"call_seconds\": %.6f, \"calls_per_s\": %.1f, "
	       "\"offered_per_s\": %.1f, \"packets_per_s\": %.1f, \"fail_ratio\": %.6f, "
	       "\"setup_ms_avg\": %.3f, \"busy_cycles\": %" PRIu64 ", "
	       "\"idle_cycles\": %" PRIu64 ", \"busy_share\": %.4f, "
	       "\"cycles_per_call\": %.0f, \"cycles_per_packet\": %.0f, "
	       "\"tsc_hz\": %" PRIu64,
	       run_secs, d.secs, d.cps, d.offered, d.pps, d.fail_ratio, d.setup_ms_avg,
	       cg->busy_cycles, cg->idle_cycles, d.busy_share,
	       d.cycles_per_call, d.cycles_per_pkt, cg->hz);
	if (cg->uac) {
		printf(", \"invite_codes\": {");
		stats_codes(cg->inv_codes, "\"%u\": %" PRIu64);
		printf("}, \"bye_codes\": {");
		stats_codes(cg->bye_codes, "\"%u\": %" PRIu64);
		printf("}");
		sep = "";
		printf(", \"uac\": {");
#define CG_X(name, help) \
		printf("%s\"%s\": %" PRIu64, sep, #name, cg->uac_st.name); sep = ", ";
		CG_UAC_STATS(CG_X)
#undef CG_X
		printf("}");
	}
	if (cg->uas) {
		sep = "";
		printf(", \"uas\": {");
#define CG_X(name, help) \
		printf("%s\"%s\": %" PRIu64, sep, #name, cg->uas_st.name); sep = ", ";
		CG_UAS_STATS(CG_X)
#undef CG_X
		printf("}");
	}
	sep = "";
	printf(", \"net\": {");
#define CG_X(name, help) \
	printf("%s\"%s\": %" PRIu64, sep, #name, cg->net_st.name); sep = ", ";
	CG_NET_STATS(CG_X)
#undef CG_X
	printf("}}\n");
	fflush(stdout);
}
