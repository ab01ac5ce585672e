/* SPDX-License-Identifier: MIT */
/*
 * pcap.c - the pcap writer of `ndisdma run --pcap` (see pcap.h). Format:
 * a 24-byte global header (magic 0xa1b2c3d4 in host order, version 2.4,
 * snap length, link type 1 = Ethernet) and per frame a 16-byte record
 * header (seconds, microseconds, captured and original length).
 */
#include "pcap.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>

#define PCAP_SNAPLEN 65535u

int pcap_open(struct pcap_writer *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "wb");
	if (!w->f)
		return -errno;
	pthread_mutex_init(&w->lock, NULL);
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} h = {0xa1b2c3d4u, 2, 4, 0, 0, PCAP_SNAPLEN, 1};
	if (fwrite(&h, sizeof(h), 1, w->f) != 1 || fflush(w->f)) {
		int e = errno ? errno : EIO;
		fclose(w->f);
		w->f = NULL;
		pthread_mutex_destroy(&w->lock);
		return -e;
	}
	return 0;
}

void pcap_write(struct pcap_writer *w, const void *frame, size_t len)
{
	if (!w->f)
		return;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	uint32_t cap = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : (uint32_t)len;
	uint32_t rec[4] = {(uint32_t)tv.tv_sec, (uint32_t)tv.tv_usec, cap,
			   (uint32_t)len};
	pthread_mutex_lock(&w->lock);
	if (fwrite(rec, sizeof(rec), 1, w->f) != 1 ||
	    fwrite(frame, 1, cap, w->f) != cap || fflush(w->f)) {
		if (!w->error)
			w->error = errno ? errno : EIO;
	} else {
		w->frames++;
	}
	pthread_mutex_unlock(&w->lock);
}

int pcap_close(struct pcap_writer *w)
{
	if (!w->f)
		return 0;
	int rc = w->error ? -w->error : 0;
	if (fclose(w->f) && !rc)
		rc = -(errno ? errno : EIO);
	w->f = NULL;
	pthread_mutex_destroy(&w->lock);
	return rc;
}
