// SPDX-License-Identifier: GPL-2.0-only
/*
 * probes/lttng-probe-tdxr.c
 *
 * LTTng probes for the tdxr kernel events: the TDX SEAMCALL, S-EPT hook,
 * TDVMCALL and bugged-VM tracepoints, and kvm_tdp_mmu_spte_changed with its
 * mirror and vm fields, as added to Linux 6.16.1 and 7.1.5 by the tdxr
 * kernel-patch/ series. Needs that series: on other kernels the prototypes
 * do not match.
 */

#include <linux/module.h>
#include <linux/kvm_host.h>
#include <lttng/tracer.h>
#include <lttng/kernel-version.h>

#include <kvm/iodev.h>

/*
 * Create the tracepoint static inlines from the kernel to validate that our
 * trace event macros match the kernel we run on.
 */
#include <asm/trace/tdx.h>
#include <trace/events/kvm.h>
#include <../../arch/x86/kvm/mmu/mmu_internal.h>
#include <../../arch/x86/kvm/mmu/mmutrace.h>
#include <../../arch/x86/kvm/trace.h>

#include <wrapper/tracepoint.h>

#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE

/*
 * Create LTTng tracepoint probes.
 */
#define LTTNG_PACKAGE_BUILD
#define CREATE_TRACE_POINTS
#define TRACE_INCLUDE_PATH instrumentation/events

#include <instrumentation/events/tdxr.h>

MODULE_LICENSE("GPL and additional rights");
MODULE_DESCRIPTION("LTTng probes for the tdxr TDX MMU events");
MODULE_VERSION(__stringify(LTTNG_MODULES_MAJOR_VERSION) "."
	__stringify(LTTNG_MODULES_MINOR_VERSION) "."
	__stringify(LTTNG_MODULES_PATCHLEVEL_VERSION)
	LTTNG_MODULES_EXTRAVERSION);
