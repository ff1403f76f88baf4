// SPDX-License-Identifier: GPL-2.0
/* bench/capture/bare_tp.c - probes of the baseline provider (bare_tp.h). */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "bare_tp.h"
