/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tui/decode.h - raw TDX/KVM values as words (TDX_FACTS §3, §4, §7.1):
 * SPTE bits, SEAMCALL leaves and status codes with their operand ids,
 * S-EPT level/state words. Pure functions, no ncurses: the detail and
 * state panes print them, the unit tests check them.
 */
#ifndef TDXR_TUI_DECODE_H
#define TDXR_TUI_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SPTE bits (TDX_FACTS §4.1). */
#define TUI_SPTE_R (1ull << 0)
#define TUI_SPTE_W (1ull << 1)
#define TUI_SPTE_X (1ull << 2)
#define TUI_SPTE_MT_SHIFT 3
#define TUI_SPTE_IPAT (1ull << 6)
#define TUI_SPTE_PS (1ull << 7)
#define TUI_SPTE_A (1ull << 8)
#define TUI_SPTE_D (1ull << 9)
#define TUI_SPTE_PRESENT (1ull << 11)
#define TUI_SPTE_HOST_W (1ull << 57)
#define TUI_SPTE_MMU_W (1ull << 58)
#define TUI_SPTE_SVE (1ull << 63)
#define TUI_SPTE_PFN_MASK 0x000ffffffffff000ull
#define TUI_SPTE_NONPRESENT 0x8000000000000000ull
#define TUI_SPTE_FROZEN 0x80000000000005a0ull

/*
 * "R W X mt=WB PS A D present SVE pfn=0x1234a" for a present SPTE,
 * "non-present (SVE)", "FROZEN", or "MMIO gen=0x12 gfn=0x..." for an MMIO
 * value (TD: RWX = 0 and SVE = 0; VMX: W+X without R). Returns @buf.
 */
const char *tui_spte_str(uint64_t spte, char *buf, size_t len);

/* MMIO generation of an MMIO SPTE (bits 3-10 and 52-62, TDX_FACTS §4.2). */
unsigned int tui_spte_mmio_gen(uint64_t spte);

/* "TDH.MEM.PAGE.REMOVE" for leaf & 0xffff, NULL when unknown. */
const char *tui_leaf_name(uint64_t leaf);

/*
 * A SEAMCALL status as words: "TDX_SUCCESS",
 * "TDX_TLB_TRACKING_NOT_DONE | RCX", "TDX_OPERAND_BUSY | S-EPT tree (0x92)",
 * "0xc0000b9900000000 (unknown class)". For TDH.VP.ENTER (@leaf 0) a status
 * without the error bit is a VMX exit reason: "exit 48 EPT_VIOLATION".
 * Returns @buf.
 */
const char *tui_status_str(uint64_t leaf, uint64_t status, char *buf, size_t len);

/* The name of an operand id (low 32 bits of a status), NULL if unknown. */
const char *tui_operand_name(uint32_t id);

/* VMX basic exit reason name, NULL if unknown. */
const char *tui_exit_reason_name(unsigned int reason);

/* RDX level/state word of a failed S-EPT SEAMCALL: "level 0 (4K) state
 * BLOCKED (1)". Returns @buf. */
const char *tui_level_state_str(uint64_t rdx, char *buf, size_t len);

/* "4K" "2M" "1G" "512G" "256T" for KVM pg level 1..5, "L?" otherwise. */
const char *tui_level_name(int level);

#endif /* TDXR_TUI_DECODE_H */
