/* SPDX-License-Identifier: MIT */
/*
 * qemu_frames.h - the frames the guest driver and the host peer exchange
 * in the QEMU e1000 test, generated on both sides from (kind, index) so
 * that each side can check the other's bytes exactly.
 *
 * Frame: destination ff:ff:ff:ff:ff:ff, source 52:54:00:12:34:56,
 * EtherType 0x88B5 (IEEE local experimental), then "NDQT", kind, index,
 * and a pattern up to the frame's length (60..1514 bytes, no FCS).
 */
#ifndef QEMU_FRAMES_H
#define QEMU_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum qf_kind {
	QF_TX = 1,     /* guest -> host, checked byte-exact by the host */
	QF_READY = 2,  /* guest -> host: receive phase may begin */
	QF_RX = 3,     /* host -> guest, checked byte-exact by the guest */
	QF_ACK = 4,    /* guest -> host: payload[0] = 1 if QF_RX matched */
	QF_SECRET = 5, /* lies in memory the device was never given */
	QF_DONE = 6,   /* guest -> host: the end */
};

#define QF_ETHERTYPE 0x88B5
#define QF_HDR 20 /* 14 Ethernet + 4 magic + kind + index */
#define QF_NTX 24 /* more than the rings hold: both wrap */
#define QF_NRX 24

static inline size_t qf_len(unsigned kind, unsigned idx)
{
	if (kind != QF_TX && kind != QF_RX && kind != QF_SECRET)
		return 64;
	return 60 + ((size_t)idx * 211 + kind * 97) % (1514 - 60 + 1);
}

/* Write frame (kind, idx) into buf (at least qf_len bytes); returns the
 * length. */
static inline size_t qf_make(unsigned char *buf, unsigned kind, unsigned idx)
{
	size_t len = qf_len(kind, idx);
	static const unsigned char hdr[14] = {0xff, 0xff, 0xff, 0xff, 0xff,
					      0xff, 0x52, 0x54, 0x00, 0x12,
					      0x34, 0x56, 0x88, 0xB5};
	memcpy(buf, hdr, 14);
	memcpy(buf + 14, "NDQT", 4);
	buf[18] = (unsigned char)kind;
	buf[19] = (unsigned char)idx;
	for (size_t i = QF_HDR; i < len; i++)
		buf[i] =
		    (unsigned char)(i * 7 + idx * 13 + kind * 101 + (i >> 8));
	return len;
}

/* The kind of a frame of ours, or 0. */
static inline unsigned qf_kind_of(const unsigned char *buf, size_t len)
{
	if (len < QF_HDR || buf[12] != 0x88 || buf[13] != 0xB5 ||
	    memcmp(buf + 14, "NDQT", 4))
		return 0;
	return buf[18];
}

#endif
