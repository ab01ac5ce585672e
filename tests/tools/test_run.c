/* SPDX-License-Identifier: MIT */
/*
 * test_run.c - `ndisdma run` end to end, as root in a network namespace
 * of its own (nothing leaves it): the loopback miniport (loopback.c, a
 * shared object) on sim bridged to tap ndrun0. Frames a packet socket
 * sends out of ndrun0 go through the tap, ndisdma_adapter_send, the
 * miniport, its indication and back into Linux byte for byte; the tap
 * has the miniport's MAC address, MTU and carrier; --pcap recorded both
 * directions; SIGINT and SIGTERM halt with exit status 0 and "0 leaked";
 * a miniport that leaks makes the exit status 1. Without root or
 * /dev/net/tun the namespace tests are skipped; the argument errors run
 * everywhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int in_netns;
static char outfile[] = "/tmp/ndisdma_run_outXXXXXX";

static int setup(void **state)
{
	(void)state;
	int fd = mkstemp(outfile);
	if (fd >= 0)
		close(fd);
	if (geteuid() == 0 && access("/dev/net/tun", F_OK) == 0 &&
	    unshare(CLONE_NEWNET | CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    umount2("/sys", MNT_DETACH) == 0 &&
	    mount("sysfs", "/sys", "sysfs", 0, NULL) == 0) {
		in_netns = 1;
		/* no IPv6 chatter on the tap */
		FILE *f =
		    fopen("/proc/sys/net/ipv6/conf/default/disable_ipv6", "w");
		if (f) {
			fputs("1\n", f);
			fclose(f);
		}
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(outfile);
	return 0;
}

/* Start `ndisdma ARGS...` with stdout+stderr into outfile. */
static pid_t start(const char *const *args)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(outfile, O_WRONLY | O_TRUNC);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		const char *av[16];
		int n = 0;
		av[n++] = NDISDMA_BIN;
		for (; *args && n < 15; args++)
			av[n++] = *args;
		av[n] = NULL;
		execv(NDISDMA_BIN, (char *const *)av);
		_exit(127);
	}
	return pid;
}

static int finish(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *output(void)
{
	static char buf[65536];
	FILE *f = fopen(outfile, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static long sys_long(const char *ifname, const char *attr)
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

/* Wait until the tap exists with carrier; 0 or -1 after 20 s. */
static int wait_tap(const char *ifname, pid_t pid)
{
	for (int i = 0; i < 400; i++) {
		if (sys_long(ifname, "carrier") == 1)
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		nanosleep(&(struct timespec){0, 50000000}, NULL);
	}
	return -1;
}

static size_t frame_make(unsigned char *f, unsigned idx)
{
	size_t len = 60 + (idx * 397) % (1514 - 60 + 1);
	memset(f, 0xff, 6); /* broadcast: the filter lets it in */
	const unsigned char src[6] = {0x02, 0, 0, 0, 0x77, (unsigned char)idx};
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xB5;
	for (size_t i = 14; i < len; i++)
		f[i] = (unsigned char)(i * 5 + idx * 11);
	return len;
}

static void test_bridge_loopback(void **state)
{
	(void)state;
	if (!in_netns)
		skip();
	char pcap[64];
	snprintf(pcap, sizeof(pcap), "/tmp/ndisdma_run_%d.pcap", (int)getpid());
	const char *args[] = {"run", "--tap",	"ndrun0",     "--pcap",
			      pcap,  "--param", "Speed=1000", LOOPBACK_SO,
			      "sim", NULL};
	pid_t pid = start(args);
	assert_true(pid > 0);
	if (wait_tap("ndrun0", pid)) {
		kill(pid, SIGKILL);
		finish(pid);
		fail_msg("tap did not come up:\n%s", output());
	}
	assert_int_equal(sys_long("ndrun0", "mtu"), 1500);
	FILE *f = fopen("/sys/class/net/ndrun0/address", "r");
	char addr[32] = "";
	assert_non_null(f);
	assert_non_null(fgets(addr, sizeof(addr), f));
	fclose(f);
	assert_string_equal(addr, "02:00:00:4c:42:01\n");

	int ps = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	assert_true(ps >= 0);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex("ndrun0")};
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	enum { N = 40 };
	unsigned ok = 0;
	for (unsigned i = 0; i < N; i++) {
		unsigned char fr[1514], got[2048];
		size_t len = frame_make(fr, i);
		assert_int_equal(send(ps, fr, len, 0), (ssize_t)len);
		struct pollfd p = {.fd = ps, .events = POLLIN};
		while (poll(&p, 1, 5000) == 1) {
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(ps, got, sizeof(got), 0,
					     (struct sockaddr *)&from, &fl);
			if (n < 0 || from.sll_pkttype == PACKET_OUTGOING ||
			    n < 14 || got[12] != 0x88 || got[13] != 0xB5)
				continue;
			ok += (size_t)n == len && !memcmp(got, fr, len);
			break;
		}
	}
	close(ps);
	kill(pid, SIGINT);
	int rc = finish(pid);
	char *out = output();
	if (ok != N || rc != 0)
		fail_msg("%u/%d frames back, exit %d:\n%s", ok, N, rc, out);
	assert_non_null(strstr(out, "halt: 0 leaked"));
	assert_non_null(strstr(out, "verifier reports: 0"));
	assert_non_null(strstr(out, "current address 02:00:00:4c:42:01"));
	assert_non_null(strstr(out, "parameter Speed = 1000"));
	assert_non_null(strstr(out, "SIGINT"));

	/* the pcap: our frames twice (out and back), in order */
	FILE *pf = fopen(pcap, "rb");
	assert_non_null(pf);
	uint32_t gh[6];
	assert_int_equal(fread(gh, 4, 6, pf), 6);
	assert_int_equal(gh[0], 0xa1b2c3d4u);
	unsigned ours = 0;
	uint32_t rh[4];
	unsigned char buf[65536];
	while (fread(rh, 4, 4, pf) == 4 && rh[2] <= sizeof(buf) &&
	       fread(buf, 1, rh[2], pf) == rh[2]) {
		unsigned char want[1514];
		size_t wl = frame_make(want, ours / 2);
		if (rh[2] >= 14 && buf[12] == 0x88 && buf[13] == 0xB5) {
			assert_int_equal(rh[2], wl);
			assert_memory_equal(buf, want, wl);
			ours++;
		}
	}
	fclose(pf);
	assert_int_equal(ours, 2 * N);
	if (system("command -v tshark >/dev/null 2>&1") == 0) {
		char cmd[160];
		snprintf(cmd, sizeof(cmd),
			 "tshark -r %s -Y eth.type==0x88b5 2>/dev/null | wc -l",
			 pcap);
		FILE *p = popen(cmd, "r");
		int lines = -1;
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%d", &lines), 1);
		pclose(p);
		assert_int_equal(lines, 2 * N);
	}
	unlink(pcap);
	assert_int_equal(sys_long("ndrun0", "mtu"), -1); /* tap gone */
}

static void test_sigterm_and_existing_tap(void **state)
{
	(void)state;
	if (!in_netns)
		skip();
	assert_int_equal(system("ip tuntap add dev ndrun1 mode tap"), 0);
	const char *args[] = {"run",	   "--tap", "ndrun1",
			      LOOPBACK_SO, "sim",   NULL};
	pid_t pid = start(args);
	if (wait_tap("ndrun1", pid)) {
		kill(pid, SIGKILL);
		finish(pid);
		fail_msg("tap did not come up:\n%s", output());
	}
	kill(pid, SIGTERM);
	int rc = finish(pid);
	char *out = output();
	if (rc != 0)
		fail_msg("exit %d:\n%s", rc, out);
	assert_non_null(strstr(out, "attached"));
	assert_non_null(strstr(out, "SIGTERM"));
	assert_int_equal(sys_long("ndrun1", "mtu"), 1500); /* stays */
	assert_int_equal(system("ip link del ndrun1"), 0);
}

/* A miniport that forgets its pools at halt: exit status 1. */
static void test_leak_fails(void **state)
{
	(void)state;
	const char *args[] = {"run", LOOPBACK_LEAK_SO, "sim", NULL};
	pid_t pid = start(args);
	nanosleep(&(struct timespec){0, 300000000}, NULL);
	kill(pid, SIGINT);
	int rc = finish(pid);
	char *out = output();
	if (rc != 1)
		fail_msg("exit %d:\n%s", rc, out);
	assert_null(strstr(out, "halt: 0 leaked"));
	assert_non_null(strstr(out, "run FAILED"));
}

static void test_argument_errors(void **state)
{
	(void)state;
	const char *a1[] = {"run", NULL};
	assert_int_equal(finish(start(a1)), 2);
	const char *a2[] = {"run", "/nonexistent/x.so", "sim", NULL};
	assert_int_equal(finish(start(a2)), 1);
	assert_non_null(strstr(output(), "No such file"));
	const char *a3[] = {"run",	 "--param", "NoEquals",
			    LOOPBACK_SO, "sim",	    NULL};
	assert_int_equal(finish(start(a3)), 1);
	assert_non_null(strstr(output(), "NAME=VALUE"));
	const char *a4[] = {"run", LOOPBACK_SO, "nobus:1", NULL};
	assert_int_equal(finish(start(a4)), 1);
	assert_non_null(strstr(output(), "start on nobus:1 failed"));
	const char *a5[] = {"run", "--bogus", LOOPBACK_SO, "sim", NULL};
	assert_int_equal(finish(start(a5)), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bridge_loopback),
	    cmocka_unit_test(test_sigterm_and_existing_tap),
	    cmocka_unit_test(test_leak_fails),
	    cmocka_unit_test(test_argument_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
