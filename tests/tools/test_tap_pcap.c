/* SPDX-License-Identifier: MIT */
/*
 * test_tap_pcap.c - tools/tap.c and tools/pcap.c. The tap tests run as
 * root in a network namespace of their own (nothing leaves it): the tap
 * gets the MAC address, MTU and carrier asked for; a frame written to the
 * tap is what a packet socket on the interface receives, and a frame a
 * packet socket sends on it is what the tap reads. Without root or
 * /dev/net/tun they are skipped. The pcap tests check the file byte for
 * byte, and with tshark installed that tshark reads it.
 */
#include "pcap.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

static int in_netns;

static int setup_netns(void **state)
{
	(void)state;
	/* a network namespace, and a mount namespace whose /sys shows it */
	if (geteuid() == 0 && access("/dev/net/tun", F_OK) == 0 &&
	    unshare(CLONE_NEWNET | CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    umount2("/sys", MNT_DETACH) == 0 &&
	    mount("sysfs", "/sys", "sysfs", 0, NULL) == 0)
		in_netns = 1;
	return 0;
}

static long read_sys_long(const char *ifname, const char *attr)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void frame_make(unsigned char *f, size_t len, const unsigned char *dst,
		       const unsigned char *src, unsigned seed)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88; /* IEEE local experimental */
	f[13] = 0xB5;
	for (size_t i = 14; i < len; i++)
		f[i] = (unsigned char)(i * 3 + seed);
}

static void test_tap_attributes_and_frames(void **state)
{
	(void)state;
	if (!in_netns)
		skip();
	const unsigned char mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
	struct tap t;
	char err[256];
	assert_int_equal(tap_open(&t, "ndtest0", mac, 1400, err, sizeof(err)),
			 0);
	assert_true(t.created);
	assert_string_equal(t.name, "ndtest0");
	assert_int_equal(read_sys_long("ndtest0", "mtu"), 1400);
	FILE *f = fopen("/sys/class/net/ndtest0/address", "r");
	char addr[32] = "";
	assert_non_null(f);
	assert_non_null(fgets(addr, sizeof(addr), f));
	fclose(f);
	assert_string_equal(addr, "02:00:5e:10:20:30\n");

	/* carrier follows the adapter */
	assert_int_equal(tap_set_carrier(&t, 0), 0);
	assert_int_equal(read_sys_long("ndtest0", "carrier"), 0);
	assert_int_equal(tap_set_carrier(&t, 1), 0);
	assert_int_equal(read_sys_long("ndtest0", "carrier"), 1);

	/* a packet socket on the interface sees what the tap writes ... */
	int ps = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	assert_true(ps >= 0);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex =
				      (int)if_nametoindex("ndtest0")};
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	unsigned char fr[1400 + 14], got[2048];
	const unsigned char other[6] = {0x02, 0, 0, 0, 0, 9};
	frame_make(fr, sizeof(fr), mac, other, 1);
	assert_int_equal(tap_write(&t, fr, sizeof(fr)), 0);
	struct pollfd p = {.fd = ps, .events = POLLIN};
	ssize_t n = -1;
	while (poll(&p, 1, 2000) == 1) {
		n = recv(ps, got, sizeof(got), 0);
		if (n >= 14 && got[12] == 0x88 && got[13] == 0xB5)
			break; /* skip what the stack sends by itself */
		n = -1;
	}
	assert_int_equal(n, (ssize_t)sizeof(fr));
	assert_memory_equal(got, fr, sizeof(fr));

	/* ... and the tap reads what is sent on the interface */
	frame_make(fr, 60, other, mac, 2);
	assert_int_equal(send(ps, fr, 60, 0), 60);
	p.fd = t.fd;
	long m = -1;
	while (poll(&p, 1, 2000) == 1) {
		m = tap_read(&t, got, sizeof(got));
		if (m >= 14 && got[12] == 0x88 && got[13] == 0xB5)
			break;
		m = -1;
	}
	assert_int_equal(m, 60);
	assert_memory_equal(got, fr, 60);
	assert_int_equal(tap_read(&t, got, sizeof(got)) >= 0, 1);
	close(ps);
	tap_close(&t);
	tap_close(&t); /* twice is harmless */
	assert_int_equal(read_sys_long("ndtest0", "mtu"), -1); /* gone */
}

/* An existing persistent tap is attached to, not created. */
static void test_tap_existing(void **state)
{
	(void)state;
	if (!in_netns)
		skip();
	assert_int_equal(system("ip tuntap add dev ndtest1 mode tap"), 0);
	struct tap t;
	char err[256];
	assert_int_equal(tap_open(&t, "ndtest1", NULL, 0, err, sizeof(err)), 0);
	assert_false(t.created);
	tap_close(&t);
	assert_int_equal(read_sys_long("ndtest1", "mtu"), 1500); /* stays */
	assert_int_equal(system("ip link del ndtest1"), 0);
}

static void test_tap_errors(void **state)
{
	(void)state;
	struct tap t;
	char err[256];
	assert_int_equal(tap_open(&t, "", NULL, 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(
	    tap_open(&t, "a-name-longer-than-15", NULL, 0, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "bad interface name"));
	if (!in_netns)
		return;
	/* "lo" exists and is not a tap */
	assert_true(tap_open(&t, "lo", NULL, 0, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "lo"));
	/* an MTU the kernel refuses */
	assert_int_equal(tap_open(&t, "ndtest2", NULL, 10, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "MTU"));
	assert_int_equal(t.fd, -1);
}

static void test_pcap_file(void **state)
{
	(void)state;
	char path[] = "/tmp/ndisdma_pcapXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct pcap_writer w;
	assert_int_equal(pcap_open(&w, path), 0);
	unsigned char fr[3][1514];
	size_t len[3] = {60, 1514, 342};
	const unsigned char a[6] = {2, 0, 0, 0, 0, 1},
			    b[6] = {2, 0, 0, 0, 0, 2};
	for (int i = 0; i < 3; i++) {
		frame_make(fr[i], len[i], a, b, (unsigned)i);
		pcap_write(&w, fr[i], len[i]);
	}
	assert_int_equal(w.frames, 3);
	assert_int_equal(pcap_close(&w), 0);

	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint32_t gh[6];
	assert_int_equal(fread(gh, 4, 6, f), 6);
	assert_int_equal(gh[0], 0xa1b2c3d4u);
	assert_int_equal(gh[1], 2u | (4u << 16)); /* version 2.4 */
	assert_int_equal(gh[4], 65535);
	assert_int_equal(gh[5], 1); /* Ethernet */
	for (int i = 0; i < 3; i++) {
		uint32_t rh[4];
		unsigned char got[1514];
		assert_int_equal(fread(rh, 4, 4, f), 4);
		assert_int_equal(rh[2], len[i]);
		assert_int_equal(rh[3], len[i]);
		assert_true(rh[1] < 1000000);
		assert_int_equal(fread(got, 1, len[i], f), len[i]);
		assert_memory_equal(got, fr[i], len[i]);
	}
	assert_int_equal(fgetc(f), EOF);
	fclose(f);

	if (system("command -v tshark >/dev/null 2>&1") == 0) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "tshark -r %s 2>/dev/null | wc -l",
			 path);
		FILE *p = popen(cmd, "r");
		int lines = -1;
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%d", &lines), 1);
		pclose(p);
		assert_int_equal(lines, 3);
	}
	unlink(path);
	assert_int_equal(pcap_open(&w, "/nonexistent/dir/x.pcap"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tap_attributes_and_frames),
	    cmocka_unit_test(test_tap_existing),
	    cmocka_unit_test(test_tap_errors),
	    cmocka_unit_test(test_pcap_file),
	};
	return cmocka_run_group_tests(tests, setup_netns, NULL);
}
