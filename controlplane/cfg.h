/* SPDX-License-Identifier: MIT */
/*
 * Appliance configuration: the libconfig file read into one typed struct.
 *
 * A keyword table (cfg_keys.c) names every key with its type, range, default
 * and validator; loading walks the file against that table, so an unknown key,
 * a wrong type or a value out of range is reported with the file and line it
 * came from. Every error is reported, not only the first, as
 *   file:line: key 'x.y': expected …, got …
 * Loading links only libconfig (no DPDK), so `--check-config` runs before EAL
 * and the loader can be fuzzed alone.
 */
#ifndef SLUICE_CFG_H
#define SLUICE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_LCORES 128
#define CFG_MAX_IO 8
#define CFG_MAX_WORKERS 64
#define CFG_MAX_PORTS 8
#define CFG_MAX_SIP_PORTS 8
#define CFG_MAX_EAL_ARGS 32
#define CFG_STR 256

struct cfg_port {
	char name[32];         /* for logs and stats, unique */
	char device[CFG_STR];  /* vdev spec "net_tap0,iface=x" or PCI "0000:01:00.0" */
	bool is_vdev;          /* device names a vdev (starts with "net_") */
	uint32_t addr;         /* IPv4, host byte order */
	uint8_t prefix;        /* 1..32 */
	uint32_t gateway;      /* host byte order, 0 = none */
	uint16_t mtu;          /* 576..9000, default 1500 */
	uint16_t rx_desc;      /* default 1024 */
	uint16_t tx_desc;      /* default 1024 */
};

struct cfg {
	char path[CFG_STR]; /* file it was loaded from */

	struct {
		char lcores[CFG_STR];   /* EAL --lcores map, "" = one lcore per listed core */
		uint16_t main_lcore;
		uint16_t io_lcores[CFG_MAX_IO];
		uint16_t n_io;
		uint16_t worker_lcores[CFG_MAX_WORKERS];
		uint16_t n_workers;
		uint32_t memory_mb;     /* -m, default 512 */
		bool hugepages;         /* false → --no-huge */
		char file_prefix[64];   /* --file-prefix, default "sluice" */
		char log_level[16];     /* emerg..debug, default "info" */
		char args[CFG_MAX_EAL_ARGS][CFG_STR]; /* extra EAL arguments */
		uint16_t n_args;
	} eal;

	struct cfg_port ports[CFG_MAX_PORTS];
	uint16_t n_ports;

	struct {
		uint16_t udp_ports[CFG_MAX_SIP_PORTS];
		uint16_t n_udp_ports;
	} sip;

	struct {
		uint16_t port_min; /* even */
		uint16_t port_max; /* port_max - port_min + 1 >= 2 * n_workers */
	} rtp;

	struct {
		uint32_t ring_size; /* power of two, 64..65536, default 4096 */
		uint16_t burst;     /* 1..64, default 32 */
	} workers;

	struct {
		uint32_t mbufs;      /* per socket, default 16383 */
		uint32_t cache;      /* per-lcore mempool cache, default 256 */
	} mempool;

	struct {
		uint32_t reachable_s; /* neighbour entry lifetime, default 300 */
		uint32_t frag_timeout_ms; /* IPv4 reassembly timeout, default 2000 */
	} net;

	struct {
		uint32_t idle_spin;   /* empty polls before sleeping, default 64 */
		uint32_t idle_max_us; /* longest idle sleep, default 1000 */
	} poll;
};

/* Collected load errors, in file order. */
#define CFG_MAX_ERRORS 64
struct cfg_errors {
	unsigned n;            /* may exceed CFG_MAX_ERRORS; only the first are kept */
	char msg[CFG_MAX_ERRORS][320];
};

/*
 * Loads and validates a file into *out (defaults first, then the file).
 * Returns 0 if valid, -EINVAL with errs filled if not, -ENOENT/-EIO if the
 * file cannot be read (also reported in errs). errs may be NULL. On error
 * *out holds defaults and whatever was read: load a reload into a spare.
 * @include is refused (one file is the whole configuration).
 */
int cfg_load(const char *path, struct cfg *out, struct cfg_errors *errs);

/*
 * Same from a string; name (NULL: "<string>") stands in for the file name in
 * messages. Never touches the filesystem.
 */
int cfg_load_string(const char *text, const char *name, struct cfg *out,
		    struct cfg_errors *errs);

/* Fills *out with every default (ports and lcore lists empty). */
void cfg_defaults(struct cfg *out);

/* Writes every error, one per line, to f (a FILE *). */
void cfg_errors_print(const struct cfg_errors *errs, void *f);

/*
 * --check-config: loads path and writes its errors, or "<path>: ok", to f
 * (a FILE *). Returns what cfg_load returned.
 */
int cfg_check_file(const char *path, void *f);

/* eal.log_level as a number, emerg = 1 .. debug = 8 (RTE_LOG_*); -1 if unknown. */
int cfg_log_level_num(const char *name);

#endif
