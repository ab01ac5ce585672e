/* SPDX-License-Identifier: MIT */
/*
 * tools.h - the subcommands of the ndisdma command that live in their own
 * files (tools/ndisdma.c dispatches to them). argv[0] is the subcommand's
 * name; each returns the process's exit status.
 */
#ifndef NDISDMA_TOOLS_H
#define NDISDMA_TOOLS_H

/* `ndisdma run [--tap NAME] [--pcap FILE] [--param NAME=VALUE]... DRIVER.so
 * URI` (run.c). */
int run_main(int argc, char **argv);

/* `ndisdma vm --nic MODEL --driver DRIVER.so [--bus vfio|uio] [--ping N]
 * [--param NAME=VALUE]...` (vm.c). */
int vm_main(int argc, char **argv);

#endif
