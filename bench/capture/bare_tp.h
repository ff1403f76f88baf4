/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/capture/bare_tp.h - the baseline of the UST cost benchmark: a
 * plain LTTng-UST tracepoint with kvm_run_exit's payload (vm, vcpu,
 * reason, a0..a5) passed as arguments, no struct, no generation.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER tdxr_bare
#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "bare_tp.h"
#if !defined(TDXR_BARE_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define TDXR_BARE_TP_H
#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(
	tdxr_bare, kvm_run_exit,
	LTTNG_UST_TP_ARGS(int32_t, vm, int32_t, vcpu, uint32_t, reason, uint64_t, a0, uint64_t, a1,
			  uint64_t, a2, uint64_t, a3, uint64_t, a4, uint64_t, a5),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int32_t, vm, vm) lttng_ust_field_integer(
			int32_t, vcpu, vcpu) lttng_ust_field_integer(uint32_t, reason, reason)
			lttng_ust_field_integer(uint64_t, a0, a0) lttng_ust_field_integer(uint64_t,
											  a1, a1)
				lttng_ust_field_integer(uint64_t, a2, a2)
					lttng_ust_field_integer(uint64_t, a3, a3)
						lttng_ust_field_integer(uint64_t, a4, a4)
							lttng_ust_field_integer(uint64_t, a5, a5)))

#endif /* TDXR_BARE_TP_H */

#include <lttng/tracepoint-event.h>
