// SPDX-License-Identifier: GPL-2.0
/*
 * tracer/ust/tp_kernel.c - the tdxr_kernel LTTng-UST provider's probes. The
 * provider header is generated from schema/events.def (gen_tp.c).
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "tdxr_kernel_tp.h"

__thread const char *tdxr_kernel_comm;
