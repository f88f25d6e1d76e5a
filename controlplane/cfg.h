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
 *
 * Most of the struct is fixed-size. Tenants and everything inside them
 * (users, devices, trunks, routes, match lists) are arrays allocated while
 * loading, each a pointer with a count: a hosted box carries thousands of
 * tenants and tens of thousands of users, far too many for fixed arrays.
 * cfg_free releases them. A loaded struct cfg owns its arrays: never copy it
 * by value (two copies would share them); keep a pointer and swap pointers
 * on reload.
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

/*
 * Bounds on the allocated lists, so that a hostile or broken file cannot
 * make loading take unbounded memory: each list has a bound per parent and
 * the kinds below also one for the whole file. Together they cap the lists
 * at about 140 MiB (a real box: a few MiB); the file itself is at most
 * 16 MiB, which libconfig parses into roughly ten times that, briefly.
 */
#define CFG_MAX_TENANTS 10000          /* in the file */
#define CFG_MAX_USERS 100000           /* in the file, all tenants together */
#define CFG_MAX_DEVICES 200000         /* in the file */
#define CFG_MAX_TRUNKS 20000           /* in the file */
#define CFG_MAX_CIDRS 100000           /* trunk CIDRs in the file */
#define CFG_MAX_ROUTES 200000          /* in the file */
#define CFG_MAX_TARGETS 400000         /* route and fallback targets in the file */
#define CFG_MAX_DIDS 200000            /* in the file */
#define CFG_MAX_DOMAINS 50000          /* in the file */
#define CFG_MAX_ADDRESSES 20000        /* tenant address:ports in the file */
#define CFG_MAX_TENANT_ADDRESSES 16
#define CFG_MAX_TENANT_DOMAINS 64
#define CFG_MAX_TENANT_TRUNKS 256
#define CFG_MAX_USER_DEVICES 16
#define CFG_MAX_TRUNK_CIDRS 256
#define CFG_MAX_ROUTE_TARGETS 16

#define CFG_ID 32       /* tenant id: 1..31 of [a-z0-9_-] */
#define CFG_NAME 64     /* names of tenants, users, trunks; SIP usernames */
#define CFG_TOKEN 128   /* API tokens: 16..127 characters */
#define CFG_DOMAIN 256  /* host names: at most 253 characters */
#define CFG_NUMBER 18   /* "+" 15 digits "*": a DID or a route pattern */
#define CFG_EXT 16      /* extension: 1..15 digits */

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

/* An IPv4 address and UDP/TCP port, both host byte order. */
struct cfg_endpoint {
	uint32_t addr;
	uint16_t port;
};

/* An IPv4 network: addr has no bits set beyond prefix. */
struct cfg_cidr {
	uint32_t addr;
	uint8_t prefix;
};

/* How a device proves who it is (digest auth); set by the loader. */
enum cfg_auth {
	CFG_AUTH_NONE,       /* only in a config that failed to load */
	CFG_AUTH_PASSWORD,
	CFG_AUTH_HA1_MD5,    /* MD5(username:realm:password), hex */
	CFG_AUTH_HA1_SHA256, /* SHA-256(username:realm:password), hex */
};

/* Which INVITEs from a tenant's devices must carry credentials (407). */
enum cfg_invite_auth {
	CFG_INVITE_AUTH_SOURCE, /* trusted from a registered source, else challenged */
	CFG_INVITE_AUTH_ALWAYS, /* every device INVITE is challenged */
};

/* A SIP device (phone, softphone) of a user: one digest identity. */
struct cfg_device {
	char username[CFG_NAME];  /* digest username, unique in the tenant */
	char password[CFG_NAME];  /* exactly one of password, ha1_md5, ha1_sha256 */
	char ha1_md5[33];
	char ha1_sha256[65];
	uint16_t max_contacts;    /* registrations at once, default 5 */
	uint8_t auth;             /* enum cfg_auth: which of the three is set */
};

/* A person: one extension, any number of devices. */
struct cfg_user {
	char name[CFG_NAME];      /* unique in the tenant */
	char extension[CFG_EXT];  /* digits, unique in the tenant */
	struct cfg_device *devices;
	uint32_t n_devices;
};

/* A SIP trunk: where outbound calls go, and whose inbound calls are whose. */
struct cfg_trunk {
	char name[CFG_NAME];         /* unique in the tenant */
	struct cfg_endpoint address; /* where calls go out */
	struct cfg_cidr *cidrs;      /* sources of the trunk's inbound calls */
	uint32_t n_cidrs;
};

enum cfg_ring {
	CFG_RING_SEQUENTIAL, /* one target after the other */
	CFG_RING_PARALLEL,   /* all targets at once (forking) */
};

/* Something a call rings: a user of the tenant or one of its trunks. */
struct cfg_target {
	char user[CFG_NAME];  /* exactly one of user and trunk */
	char trunk[CFG_NAME];
	uint16_t ring_s;      /* 0 = the tenant's limits.max_ring_s */
	bool is_trunk;        /* set by the loader: trunk (else user) */
	uint32_t index;       /* set by the loader: into users[] or trunks[] */
};

/* Calls whose number matches go to the targets. */
struct cfg_route {
	char match[CFG_NUMBER]; /* "1001", "+15551230001", prefix "+1555*" */
	bool is_prefix;         /* set by the loader: match ends with '*' */
	struct cfg_target *targets;
	uint32_t n_targets;
	uint8_t mode;           /* enum cfg_ring, default sequential */
};

/* What applies when routing fails (no route, broken template, no answer). */
struct cfg_fallback {
	struct cfg_target *targets; /* none: reject at once */
	uint32_t n_targets;
	uint8_t mode;               /* enum cfg_ring */
	uint16_t status;            /* SIP final response at the end, default 480 */
};

/* Admission limits, enforced by the dataplane; 0 = unlimited. */
struct cfg_limits {
	uint32_t cps;              /* new calls per second, default 10 */
	uint32_t burst;            /* calls admitted at once above the rate, default 20 */
	uint32_t concurrent_calls; /* default 0 */
	uint32_t registrations;    /* registered contacts, default 1000 */
	uint16_t max_ring_s;       /* longest ring of a call, 1..3600, default 60 */
};

/* A customer: its traffic, limits, people, trunks and routes. */
struct cfg_tenant {
	char id[CFG_ID];             /* unique, [a-z0-9_-] */
	char name[CFG_NAME];         /* for display */
	char api_token[CFG_TOKEN];   /* unique, not the admin token */
	char realm[CFG_DOMAIN];      /* digest realm; default: first domain, else id */
	char auth_algorithms[3][16]; /* digest algorithms offered: "SHA-256", "MD5", … */
	uint16_t n_auth_algorithms;  /* 0: SHA-256 and MD5 (RFC 8760) */
	uint8_t invite_auth;         /* enum cfg_invite_auth, default source */
	struct {
		struct cfg_endpoint *addresses; /* appliance address:ports of its own */
		uint32_t n_addresses;
		char (*domains)[CFG_DOMAIN];    /* request-URI hosts, any case */
		uint32_t n_domains;
		char (*dids)[CFG_NUMBER];       /* "+15551230001" or prefix "+1555123*" */
		uint32_t n_dids;
	} match;                     /* no two tenants claim the same traffic */
	struct cfg_limits limits;
	struct cfg_user *users;
	uint32_t n_users;
	struct cfg_trunk *trunks;
	uint32_t n_trunks;
	struct cfg_route *routes;
	uint32_t n_routes;
	char default_trunk[CFG_NAME]; /* outbound route of last resort, "" = none */
	int32_t default_trunk_index;  /* set by the loader: into trunks[], -1 = none */
	struct cfg_fallback fallback;
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
		uint32_t t1_ms;    /* RFC 3261 timers: T1 default 500 */
		uint32_t t2_ms;    /* T2 >= T1, default 4000 */
		uint32_t t4_ms;    /* T4 default 5000 */
	} sip;

	struct {
		uint16_t port_min; /* even */
		uint16_t port_max; /* port_max - port_min + 1 >= 2 * n_workers */
	} rtp;

	struct {
		uint32_t ring_size; /* power of two, 64..65536, default 4096 */
		uint16_t burst;     /* 1..64, default 32 */
		uint32_t max_calls; /* calls each worker holds at once, default 8192 */
		uint32_t shed_backlog; /* backlog (messages) that may stand, default 128 */
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
		uint32_t tx_drain_us; /* io lcore tx buffers flushed this often, default 100 */
	} poll;

	struct {
		struct cfg_endpoint listen; /* default 127.0.0.1:8080 */
		char admin_token[CFG_TOKEN]; /* "" = no admin access */
	} api;

	struct {
		char path[CFG_STR];  /* SQLite file, default /var/lib/sluice/cdr.db */
	} cdr;

	struct {
		/* SQLite file of the bindings, "" = registrations.db in the
		 * directory of cdr.path (the default) */
		char path[CFG_STR];
		uint32_t save_ms;         /* changed bindings are saved this often */
		uint32_t min_expires;     /* s; shorter: 423 with Min-Expires */
		uint32_t max_expires;     /* s; longer asks are cut to it */
		uint32_t default_expires; /* s; a Contact with no expires, no Expires */
	} registrar;

	struct cfg_tenant *tenants; /* allocated; cfg_free releases */
	uint32_t n_tenants;
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
 * file cannot be read (also reported in errs), -ENOMEM. errs may be NULL.
 * On error *out holds defaults and whatever was read: load a reload into a
 * spare and keep the running one. @include is refused (one file is the
 * whole configuration).
 *
 * What *out held from an earlier load is released first, so loading into
 * the same struct again never leaks: *out must therefore be zeroed (static,
 * calloc, = { 0 }), filled by cfg_defaults or loaded before, never
 * uninitialised memory. Whatever the result, cfg_free(out) releases it.
 */
int cfg_load(const char *path, struct cfg *out, struct cfg_errors *errs);

/*
 * Same from a string; name (NULL: "<string>") stands in for the file name in
 * messages. Never touches the filesystem.
 */
int cfg_load_string(const char *text, const char *name, struct cfg *out,
		    struct cfg_errors *errs);

/*
 * Fills *out with every default (ports, lcore lists and tenants empty). It
 * initialises: it does not release what *out held (cfg_free does).
 */
void cfg_defaults(struct cfg *out);

/*
 * Releases the lists a load allocated and leaves them empty; the rest of
 * *out is kept. Safe on a config that failed to load, on one never loaded
 * (zeroed or defaulted), twice, and on NULL.
 */
void cfg_free(struct cfg *c);

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
