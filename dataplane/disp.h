/* SPDX-License-Identifier: MIT */
/*
 * Which worker owns a message: SIP by a hash of its Call-ID (every message
 * of a call reaches the same worker, which owns the call's state without
 * locks), RTP/RTCP by the worker's slice of the RTP port range.
 *
 * Header-only so unit tests check the spread without EAL.
 */
#ifndef SLUICE_DISP_H
#define SLUICE_DISP_H

#include <stdint.h>
#include <string.h>

#include <rte_hash_crc.h>

#define DISP_HASH_SEED 0x5ca1ab1eu

/* CRC32-C of bytes at any alignment. rte_hash_crc() loads 8 bytes at a
 * time through a cast pointer, which is undefined behaviour on unaligned
 * data (UBSan says so for Call-IDs inside a packet); memcpy is the defined
 * way and compiles to the same unaligned load. */
static inline uint32_t disp_crc(const void *data, uint32_t len, uint32_t h)
{
	const uint8_t *p = data;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		h = rte_hash_crc_8byte(v, h);
	}
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, sizeof(v));
		h = rte_hash_crc_4byte(v, h);
		p += 4;
		len -= 4;
	}
	for (; len; p++, len--)
		h = rte_hash_crc_1byte(*p, h);
	return h;
}

/* Hash of a Call-ID's bytes (case-sensitive, as RFC 3261 compares it). */
static inline uint32_t disp_hash(const char *call_id, uint32_t len)
{
	return disp_crc(call_id, len, DISP_HASH_SEED);
}

/* Maps a hash onto n workers (any n, not only powers of two) by
 * multiply-shift, which uses the high bits and needs no division. */
static inline uint16_t disp_worker_of(uint32_t hash, uint16_t n)
{
	return (uint16_t)(((uint64_t)hash * n) >> 32);
}

/* Worker owning RTP port p, given the range start and even slice size. */
static inline uint16_t disp_rtp_worker(uint16_t p, uint16_t min,
				       uint16_t per_worker)
{
	return (uint16_t)((p - min) / per_worker);
}

#endif
