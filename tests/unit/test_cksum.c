/* SPDX-License-Identifier: MIT */
/*
 * The fast Internet checksum agrees with DPDK's reference implementation on
 * every length, odd or even, and catches a flipped bit.
 */
#include <stdlib.h>

#include <criterion/criterion.h>

#include "cksum.h"

static uint8_t buf[2048];

static void fill(struct rte_ipv4_hdr *ip, struct rte_udp_hdr *u, int len)
{
	int i;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + len));
	ip->next_proto_id = IPPROTO_UDP;
	u->dgram_len = rte_cpu_to_be_16((uint16_t)len);
	u->dgram_cksum = 0;
}

Test(cksum_udp4_ok, agrees_with_dpdk_on_every_length)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	int len;

	srand(7);
	for (len = 8; len < 1600; len++) {
		fill(ip, u, len);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
		cr_assert(cksum_udp4_ok(ip, u), "length %d", len);
		if (len > 8) {
			buf[28 + rand() % (len - 8)] ^= 0x10;
			cr_assert(!cksum_udp4_ok(ip, u), "flip at length %d", len);
		}
	}
}

Test(cksum_udp4_set, matches_dpdk)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	int len;

	srand(11);
	for (len = 8; len < 1600; len += 7) {
		uint16_t want;

		fill(ip, u, len);
		want = rte_ipv4_udptcp_cksum(ip, u);
		cksum_udp4_set(ip, u);
		cr_assert_eq(u->dgram_cksum, want, "length %d", len);
	}
}

Test(cksum_udp4_ok, zero_means_no_checksum)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	fill(ip, u, 100);
	cr_assert(cksum_udp4_ok(ip, u));
}
