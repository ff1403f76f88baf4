/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/tdx.h - names of TDX things for humans: SEAMCALL leaves, status
 * codes with their operand ids (TDX_FACTS §2.1, §3), SPTE bits (§4).
 */
#ifndef TDXR_TDX_H
#define TDXR_TDX_H

#include <stddef.h>
#include <stdint.h>

/* "TDH_MEM_PAGE_AUG" for leaf 6 (leaf & 0xffff); NULL if unknown. */
const char *tdxr_seamcall_name(unsigned int leaf);
/* Leaf of a name, -1 if unknown. */
int tdxr_seamcall_leaf(const char *name, size_t len);

/*
 * "TDX_SUCCESS", "TDX_OPERAND_BUSY|SEPT_TREE", "TDX_TLB_TRACKING_NOT_DONE|RCX",
 * or "0x..." for an unknown class. Returns @buf.
 */
const char *tdxr_tdx_status_str(uint64_t status, char *buf, size_t len);

/* "R W X MT=WB PS A D P SVE pfn=0x..." (or "MMIO gen=0x.. gfn=0x.." /
 * "non-present" / "FROZEN"). Returns @buf. */
const char *tdxr_spte_str(uint64_t spte, char *buf, size_t len);

#endif /* TDXR_TDX_H */
