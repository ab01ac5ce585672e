/* SPDX-License-Identifier: MIT */
/*
 * intr.c - the interrupt of a hosted miniport (NdisMRegisterInterrupt).
 */
#include "host.h"

long nd_intr_halt(struct nd_adapter *ad)
{
	(void)ad; /* no interrupt can be registered yet */
	return 0;
}
