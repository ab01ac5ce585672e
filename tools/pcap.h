/* SPDX-License-Identifier: MIT */
/*
 * pcap.h - a pcap (libpcap 2.4, LINKTYPE_ETHERNET, microseconds) file
 * writer for `ndisdma run --pcap`: both directions in one file, safe to
 * call from several threads.
 */
#ifndef NDISDMA_TOOL_PCAP_H
#define NDISDMA_TOOL_PCAP_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

struct pcap_writer {
	FILE *f;
	pthread_mutex_t lock;
	unsigned long frames;
	int error; /* first write error (errno), 0 if none */
};

/* Create (truncate) `path` and write the file header. 0 or -errno. */
int pcap_open(struct pcap_writer *w, const char *path);

/* Append one frame with the current time (flushed, so the file is
 * readable while the program runs). Errors are kept in w->error. */
void pcap_write(struct pcap_writer *w, const void *frame, size_t len);

/* Close: 0, or the first write/close error as -errno. */
int pcap_close(struct pcap_writer *w);

#endif
