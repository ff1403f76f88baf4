/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdxr/tdx.h - TDX and KVM facts as C: SEAMCALL leaves, status classes and
 * operand ids, VMX exit reasons, S-EPT states, SPTE bits; and the words
 * tdxr prints for them. Everything here expands from schema/tdx.def (the
 * facts and their sources: docs/tdx.md).
 *
 * One rendering everywhere (CLI, TUI, JSON, docs): leaves by their kernel
 * name ("TDH_MEM_PAGE_REMOVE"), statuses as "CLASS|OPERAND"
 * ("TDX_TLB_TRACKING_NOT_DONE|RCX").
 *
 * The enums speak the kernel's vocabulary (TDH_MEM_PAGE_AUG, TDX_OPERAND_BUSY,
 * SPTE_PRESENT, EXIT_REASON_HLT), so the model reads like arch/x86/kvm.
 * Status and SPTE constants are 64-bit: enumerators beyond int are a GNU C
 * extension, which the build enables (CMAKE_C_EXTENSIONS).
 */
#ifndef TDXR_TDX_H
#define TDXR_TDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Leaf flags (schema/tdx.def). */
#define TDXR_LF_GPA 0x1u  /* RCX carries a GPA */
#define TDXR_LF_SEPT 0x2u /* RCX = gpa | tdx level; errors report the S-EPT entry */

/* SEAMCALL leaf numbers (RAX & 0xffff). */
enum tdx_leaf {
#define TDXR_LEAF(id, name, dotted, flags) name = id,
#include "tdx.def"
};

/* Full status values of each class (operand id 0), and the layout. */
enum tdx_status {
#define TDXR_STATUS(name, cls) name = (uint64_t)(cls) << 32,
#include "tdx.def"
	TDX_ERROR = 1ull << 63,
	TDX_NON_RECOVERABLE = 1ull << 62,
	TDX_STATUS_MASK = 0xffffffff00000000ull,
};

/* Operand ids: TDX_OPERAND_ID_RCX ... */
enum tdx_operand_id {
#define TDXR_OPERAND(name, id) TDX_OPERAND_ID_##name = id,
#include "tdx.def"
};

/* VMX basic exit reasons: EXIT_REASON_EPT_VIOLATION ... */
enum vmx_exit_reason {
#define TDXR_EXIT_REASON(name, nr) EXIT_REASON_##name = nr,
#include "tdx.def"
};

/* Public S-EPT entry states: TDX_SEPT_FREE ... */
enum tdx_sept_public_state {
#define TDXR_SEPT_STATE(name, value) TDX_SEPT_##name = value,
#include "tdx.def"
};

/* EPT memory types (SPTE bits 5:3): EPT_MT_WB ... */
enum ept_memtype {
#define TDXR_EPT_MEMTYPE(name, value) EPT_MT_##name = value,
#include "tdx.def"
};

/* SPTE bits, masks and special values (64-bit). */
enum spte_bits {
#define TDXR_SPTE_BIT(name, bit, word) name = 1ull << (bit),
#define TDXR_SPTE_VALUE(name, value) name = (value),
#include "tdx.def"
};

/* "TDH_MEM_PAGE_AUG" for leaf 6 (@leaf & 0xffff: version bits ignored); NULL if unknown. */
const char *tdxr_seamcall_name(uint64_t leaf);
/* "TDH.MEM.PAGE.AUG": the TDX module spec's spelling; NULL if unknown. */
const char *tdxr_seamcall_dotted_name(uint64_t leaf);
/* Leaf of a name in either spelling, -1 if unknown. */
int tdxr_seamcall_leaf(const char *name, size_t len);
/* TDXR_LF_* flags of a leaf (0 if unknown). */
unsigned int tdxr_seamcall_flags(uint64_t leaf);

/* "TDX_OPERAND_BUSY" for the class of @status (bits 63:32), NULL if unknown. */
const char *tdxr_tdx_status_name(uint64_t status);
/* "RCX", "SEPT_TREE", ... for an operand id, NULL if unknown. */
const char *tdxr_tdx_operand_name(uint32_t id);
/*
 * "TDX_SUCCESS", "TDX_OPERAND_BUSY|SEPT_TREE", "TDX_TLB_TRACKING_NOT_DONE|RCX",
 * "TDX_EPT_WALK_FAILED|0x44" (unknown operand), "TDX_SW_ERROR|0xffff0000",
 * or "0x%016llx" for an unknown class. Returns @buf.
 */
const char *tdxr_tdx_status_str(uint64_t status, char *buf, size_t len);
/*
 * The status of a SEAMCALL of @leaf: as tdxr_tdx_status_str(), except that
 * TDH.VP.ENTER's non-error status is a VMX exit: "exit 48 EPT_VIOLATION".
 */
const char *tdxr_seamcall_status_str(uint64_t leaf, uint64_t status, char *buf, size_t len);

/* "EPT_VIOLATION" for 48, NULL if unknown. */
const char *tdxr_vmx_exit_reason_name(uint32_t nr);
/* Exit reason of a kvm_exit name ("EPT_VIOLATION", up to ' ' or '('), or of
 * "0x..." as __print_symbolic prints unknown values; UINT32_MAX if neither. */
uint32_t tdxr_vmx_exit_reason(const char *s);

/* "BLOCKED" for public S-EPT state 1, NULL if unknown. */
const char *tdxr_sept_state_name(unsigned int state);
/* The RDX level/state word of a failed S-EPT SEAMCALL: "level 0 (4K) state
 * BLOCKED (1)". Returns @buf. */
const char *tdxr_sept_level_state_str(uint64_t rdx, char *buf, size_t len);
/* "4K" "2M" "1G" "512G" "256T" for KVM page level 1..5, "L?" otherwise. */
const char *tdxr_level_name(int level);

/*
 * An SPTE as words: "RWX mt=WB PS A D present hw mw SVE=1 pfn=0x1234a",
 * "non-present", "non-present SVE", "FROZEN", or "MMIO (TD) gen=0x12
 * gfn=0x... SVE=0" (TD: RWX = 0 and SVE = 0; VMX: W+X without R).
 * Returns @buf.
 */
const char *tdxr_spte_str(uint64_t spte, char *buf, size_t len);
/* MMIO generation of an MMIO SPTE (bits 3-10 and 52-62). */
unsigned int tdxr_spte_mmio_gen(uint64_t spte);

#endif /* TDXR_TDX_H */
