/* SPDX-License-Identifier: MIT */
/*
 * The keyword table's types, private to the config loader.
 *
 * cfg_keys.c fills the tables (one row per key: name, type, range, default,
 * where it lands in struct cfg, validator); cfg.c walks a libconfig tree
 * against them. Nothing outside controlplane/cfg*.c should include this.
 */
#ifndef SLUICE_CFG_KEYS_H
#define SLUICE_CFG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

enum cfg_type {
	CFG_T_END,       /* terminates a table */
	CFG_T_GROUP,     /* group { ... }; sub = its keys, same base */
	CFG_T_LIST,      /* list of groups ( {...}, ... ); sub = element keys */
	CFG_T_INT,       /* unsigned field of 1, 2, 4 or 8 bytes */
	CFG_T_BOOL,
	CFG_T_STR,       /* char[size]; min..max = length */
	CFG_T_IPV4,      /* unicast dotted quad → uint32_t host byte order */
	CFG_T_INT_ARRAY, /* [a, b, ...] of unsigned elements of size bytes */
	CFG_T_STR_ARRAY, /* [ "a", ... ] of char[size] */
	CFG_T_ENUM,      /* one of names[] → its index in a uint8_t */
	CFG_T_ENDPOINT,  /* "a.b.c.d:port" → struct cfg_endpoint */
	CFG_T_EP_ARRAY,  /* [ "a.b.c.d:port", ... ] of struct cfg_endpoint */
	CFG_T_CIDR_ARRAY, /* [ "a.b.c.d/n", ... ] of struct cfg_cidr */
	CFG_T_COUNT
};

#define CFG_K_REQUIRED 0x1 /* missing → error */
#define CFG_K_UNIQUE   0x2 /* arrays: no value twice */
/*
 * Lists and arrays: the field is a pointer to elements allocated while
 * loading (fixed arrays: the elements inline). A bad element of such a list
 * is marked bad alone, not the whole list.
 */
#define CFG_K_ALLOC    0x4
#define CFG_K_SECRET   0x8 /* errors never show the value, only its length */
#define CFG_K_ANYADDR  0x10 /* endpoints: also 0.0.0.0 and loopback */

/* Kinds of allocated element bounded for the whole file (cfg.h CFG_MAX_*). */
enum cfg_budget {
	CFG_B_NONE,
	CFG_B_USERS,
	CFG_B_DEVICES,
	CFG_B_TRUNKS,
	CFG_B_CIDRS,
	CFG_B_ROUTES,
	CFG_B_TARGETS,
	CFG_B_DIDS,
	CFG_B_DOMAINS,
	CFG_B_ADDRESSES,
	CFG_B_COUNT
};

struct cfg_budget_def {
	const char *noun; /* "users": "expected at most 100000 users in the file" */
	uint32_t max;
};

extern const struct cfg_budget_def cfg_budgets[CFG_B_COUNT];

struct cfg_key;

/*
 * A validator replaces the generic range check of a scalar (or array
 * element). iv is the integer, sv the string (NULL for integers). Returns
 * true if the value is acceptable; otherwise writes what was expected to
 * want ("power of two 64..65536"). Called with iv = INT64_MIN and sv = NULL
 * it must fail: that is how the loader asks for the description alone.
 */
typedef bool cfg_check_fn(const struct cfg_key *k, int64_t iv, const char *sv,
			  char *want, size_t n);

struct cfg_key {
	const char *name;
	enum cfg_type type;
	unsigned flags;            /* CFG_K_* */
	size_t off;                /* field offset from the base of its struct */
	size_t size;               /* scalar size, or element size of arrays/lists */
	size_t count_off;          /* arrays/lists: offset of their count */
	size_t count_size;         /* and its size: 2 (uint16_t) or 4 (uint32_t) */
	unsigned min_n, max_n;     /* arrays/lists: element count range */
	int64_t min, max;          /* integer range, or string length range */
	int64_t def;               /* integer and bool default */
	const char *def_str;       /* string default */
	cfg_check_fn *check;       /* NULL: the range alone decides */
	const struct cfg_key *sub; /* groups and lists */
	const char *const *names;  /* enums: the words, NULL-terminated */
	enum cfg_budget budget;    /* allocated lists: file-wide bound, if any */
};

/*
 * The root of the file: eal, ports, sip, rtp, workers, mempool, net, poll,
 * api, cdr, tenants.
 */
extern const struct cfg_key cfg_keys_root[];

/* "a.b.c.d:port" → *ep; any: also 0.0.0.0 and 127/8. false if malformed. */
bool cfg_parse_endpoint(const char *s, bool any, struct cfg_endpoint *ep);

/* "a.b.c.d/n", n 8..32, no host bits → *c; false if malformed. */
bool cfg_parse_cidr(const char *s, struct cfg_cidr *c);

/* A unicast host address: not 0/8, 127/8, multicast or reserved. */
bool cfg_parse_ipv4(const char *s, uint32_t *addr);

/* Lcore ids named by an EAL --lcores map; false if it is malformed. */
bool cfg_lcores_parse(const char *map, uint8_t set[CFG_MAX_LCORES / 8]);

/* Canonical device identity for duplicate checks: "0000:01:00.0", "net_tap0". */
void cfg_device_id(const char *device, char *id, size_t n);

#endif
