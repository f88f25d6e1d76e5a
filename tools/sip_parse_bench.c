/* SPDX-License-Identifier: MIT */
/*
 * sip_parse_bench: times the SIP parser alone on the messages of a pcap
 * (e.g. one from sip_pcap_gen), with no ports, rings or workers, so the
 * parser's cost can be followed apart from the rest of the io lcore and on
 * a busy machine: each pass over all messages is timed and the fastest of
 * the passes is reported (other load only ever adds time).
 *
 *   sip_parse_bench FILE.pcap [passes [max]]
 *
 * Prints ns per message for the io lcore's lazy parse and for the workers'
 * full parse. Messages are copied to their own exact-size buffers first, as
 * in mbufs, so the parser never reads past a message. max (default 500)
 * takes only the first messages, so that they stay in cache like a packet
 * the port has just written: the parser's own cost, not memory latency.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sip_parse.h"

struct bench_msg {
	char *buf;
	size_t len;
};

/* UDP payload of an Ethernet/IPv4/UDP frame, or NULL. */
static const uint8_t *bench_payload(const uint8_t *f, size_t caplen, size_t *len)
{
	size_t ihl;

	if (caplen < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 17)
		return NULL;
	ihl = (size_t)(f[14] & 0x0f) * 4;
	if (caplen < 14 + ihl + 8)
		return NULL;
	*len = caplen - 14 - ihl - 8;
	return f + 14 + ihl + 8;
}

static size_t bench_load(const char *path, size_t max, struct bench_msg **out)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const uint8_t *f;
	size_t n = 0, cap = 0;

	if (!p) {
		fprintf(stderr, "sip_parse_bench: %s\n", err);
		exit(1);
	}
	while (n < max && pcap_next_ex(p, &h, &f) == 1) {
		size_t len;
		const uint8_t *pl = bench_payload(f, h->caplen, &len);

		if (!pl)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			*out = realloc(*out, cap * sizeof(**out));
		}
		(*out)[n].buf = malloc(len);
		memcpy((*out)[n].buf, pl, len);
		(*out)[n++].len = len;
	}
	pcap_close(p);
	return n;
}

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fastest pass, in ns per message; fails on any message that does not parse. */
static double bench_run(const struct bench_msg *v, size_t n, unsigned passes,
			int (*parse)(const char *, size_t, struct sip_msg *))
{
	static struct sip_msg m;
	double best = 1e30;
	uint64_t sink = 0;

	for (unsigned r = 0; r < passes; r++) {
		double t0 = bench_now(), dt;

		for (size_t i = 0; i < n; i++) {
			int rc = parse(v[i].buf, v[i].len, &m);

			if (rc < 0) {
				fprintf(stderr, "sip_parse_bench: message %zu: %s\n", i,
					sip_perr_str(rc));
				exit(1);
			}
			sink += m.call_id.len;
		}
		dt = bench_now() - t0;
		if (dt < best)
			best = dt;
	}
	if (sink == 0)
		fprintf(stderr, "no Call-IDs?\n");
	return best * 1e9 / (double)n;
}

int main(int argc, char **argv)
{
	struct bench_msg *v = NULL;
	unsigned passes = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	size_t max = argc > 3 ? (size_t)atol(argv[3]) : 500;
	size_t n;
	double lazy, full;

	if (argc < 2 || passes == 0 || max == 0) {
		fprintf(stderr, "usage: sip_parse_bench FILE.pcap [passes [max]]\n");
		return 2;
	}
	n = bench_load(argv[1], max, &v);
	if (n == 0) {
		fprintf(stderr, "sip_parse_bench: no UDP messages in %s\n", argv[1]);
		return 1;
	}
	lazy = bench_run(v, n, passes, sip_parse_lazy);
	full = bench_run(v, n, passes, sip_parse);
	printf("messages=%zu passes=%u lazy_ns=%.1f full_ns=%.1f\n", n, passes, lazy, full);
	for (size_t i = 0; i < n; i++)
		free(v[i].buf);
	free(v);
	return 0;
}
