// SPDX-License-Identifier: GPL-2.0
/*
 * schema/tdx_names.c - SEAMCALL leaves, TDX status codes and SPTE bits as
 * text (TDX_FACTS §2.1, §3.1, §4.1).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tdxr/tdx.h"

static const struct {
	const char *name;
	unsigned int leaf;
} leaves[] = {
	{"TDH_VP_ENTER", 0},
	{"TDH_MNG_ADDCX", 1},
	{"TDH_MEM_PAGE_ADD", 2},
	{"TDH_MEM_SEPT_ADD", 3},
	{"TDH_VP_ADDCX", 4},
	{"TDH_MEM_PAGE_RELOCATE", 5},
	{"TDH_MEM_PAGE_AUG", 6},
	{"TDH_MEM_RANGE_BLOCK", 7},
	{"TDH_MNG_KEY_CONFIG", 8},
	{"TDH_MNG_CREATE", 9},
	{"TDH_VP_CREATE", 10},
	{"TDH_MNG_RD", 11},
	{"TDH_MEM_PAGE_DEMOTE", 15},
	{"TDH_MR_EXTEND", 16},
	{"TDH_MR_FINALIZE", 17},
	{"TDH_VP_FLUSH", 18},
	{"TDH_MNG_VPFLUSHDONE", 19},
	{"TDH_MNG_KEY_FREEID", 20},
	{"TDH_MNG_INIT", 21},
	{"TDH_VP_INIT", 22},
	{"TDH_MEM_PAGE_PROMOTE", 23},
	{"TDH_PHYMEM_PAGE_RDMD", 24},
	{"TDH_MEM_SEPT_RD", 25},
	{"TDH_VP_RD", 26},
	{"TDH_PHYMEM_PAGE_RECLAIM", 28},
	{"TDH_MEM_PAGE_REMOVE", 29},
	{"TDH_MEM_SEPT_REMOVE", 30},
	{"TDH_SYS_KEY_CONFIG", 31},
	{"TDH_SYS_INFO", 32},
	{"TDH_SYS_INIT", 33},
	{"TDH_SYS_RD", 34},
	{"TDH_SYS_LP_INIT", 35},
	{"TDH_SYS_TDMR_INIT", 36},
	{"TDH_MEM_TRACK", 38},
	{"TDH_MEM_RANGE_UNBLOCK", 39},
	{"TDH_PHYMEM_CACHE_WB", 40},
	{"TDH_PHYMEM_PAGE_WBINVD", 41},
	{"TDH_VP_WR", 43},
	{"TDH_SYS_CONFIG", 45},
};

const char *tdxr_seamcall_name(unsigned int leaf)
{
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		if (leaves[i].leaf == (leaf & 0xffff)) {
			return leaves[i].name;
		}
	}
	return NULL;
}

int tdxr_seamcall_leaf(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		if (strlen(leaves[i].name) == len && memcmp(leaves[i].name, name, len) == 0) {
			return (int)leaves[i].leaf;
		}
	}
	return -1;
}

/* Status classes: bits 63:32 (TDX_FACTS §3.1). */
static const struct {
	uint32_t cls;
	const char *name;
} statuses[] = {
	{0x00000000, "TDX_SUCCESS"},
	{0x40000001, "TDX_NON_RECOVERABLE_VCPU"},
	{0x40000002, "TDX_NON_RECOVERABLE_TD"},
	{0x60000002, "TDX_NON_RECOVERABLE_TD"},
	{0x80000003, "TDX_INTERRUPTED_RESUMABLE"},
	{0x60000005, "TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE"},
	{0x60000007, "TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE"},
	{0xE0000007, "TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE"},
	{0xC0000100, "TDX_OPERAND_INVALID"},
	{0xC0000101, "TDX_OPERAND_ADDR_RANGE_ERROR"},
	{0x80000200, "TDX_OPERAND_BUSY"},
	{0x80000201, "TDX_PREVIOUS_TLB_EPOCH_BUSY"},
	{0x80000202, "TDX_SYS_BUSY"},
	{0x80000203, "TDX_RND_NO_ENTROPY"},
	{0x80000204, "TDX_OPERAND_BUSY_HOST_PRIORITY"},
	{0xC0000300, "TDX_PAGE_METADATA_INCORRECT"},
	{0x00000301, "TDX_PAGE_ALREADY_FREE"},
	{0xC0000302, "TDX_PAGE_NOT_OWNED_BY_TD"},
	{0xC0000303, "TDX_PAGE_NOT_FREE"},
	{0xC0000400, "TDX_TD_ASSOCIATED_PAGES_EXIST"},
	{0xC0000607, "TDX_LIFECYCLE_STATE_INCORRECT"},
	{0xC0000608, "TDX_OP_STATE_INCORRECT"},
	{0x80000702, "TDX_VCPU_NOT_ASSOCIATED"},
	{0xC0000706, "TDX_TSC_ROLLBACK"},
	{0x80000800, "TDX_KEY_GENERATION_FAILED"},
	{0xC0000811, "TDX_KEY_STATE_INCORRECT"},
	{0x00000815, "TDX_KEY_CONFIGURED"},
	{0x00000821, "TDX_NO_HKID_READY_TO_WBCACHE"},
	{0x80000824, "TDX_FLUSHVP_NOT_DONE"},
	{0xC0000B00, "TDX_EPT_WALK_FAILED"},
	{0xC0000B01, "TDX_EPT_ENTRY_FREE"},
	{0xC0000B02, "TDX_EPT_ENTRY_NOT_FREE"},
	{0xC0000B03, "TDX_EPT_ENTRY_NOT_PRESENT"},
	{0xC0000B04, "TDX_EPT_ENTRY_NOT_LEAF"},
	{0xC0000B05, "TDX_EPT_ENTRY_LEAF"},
	{0xC0000B06, "TDX_GPA_RANGE_NOT_BLOCKED"},
	{0x00000B07, "TDX_GPA_RANGE_ALREADY_BLOCKED"},
	{0xC0000B08, "TDX_TLB_TRACKING_NOT_DONE"},
	{0xC0000B09, "TDX_EPT_INVALID_PROMOTE_CONDITIONS"},
	{0x00000B0A, "TDX_PAGE_ALREADY_ACCEPTED"},
	{0xC0000B0B, "TDX_PAGE_SIZE_MISMATCH"},
	{0xC0000B0C, "TDX_GPA_RANGE_BLOCKED"},
	{0xC0000B0D, "TDX_EPT_ENTRY_STATE_INCORRECT"},
	{0xC0000B0E, "TDX_EPT_PAGE_NOT_FREE"},
	{0xC0000C02, "TDX_METADATA_FIELD_NOT_READABLE"},
	{0x8000FF00, "TDX_SW_ERROR"},
};

static const struct {
	uint32_t id;
	const char *name;
} operands[] = {
	{1, "RCX"},   {2, "RDX"},	  {3, "RBX"},	       {8, "R8"},	  {9, "R9"},
	{128, "TDR"}, {146, "SEPT_TREE"}, {147, "SEPT_ENTRY"}, {169, "TD_EPOCH"}, {172, "OP_STATE"},
};

const char *tdxr_tdx_status_str(uint64_t status, char *buf, size_t len)
{
	uint32_t cls = (uint32_t)(status >> 32), op = (uint32_t)status;
	const char *name = NULL;

	if ((status & 0xFFFFFF0000000000ull) == 0x8000FF0000000000ull &&
	    status != 0x8000FF0000000000ull) {
		snprintf(buf, len, "TDX_SW_ERROR|0x%" PRIx64, (uint64_t)(status & 0xFFFFFFFFFFull));
		return buf;
	}
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		if (statuses[i].cls == cls) {
			name = statuses[i].name;
			break;
		}
	}
	if (!name) {
		snprintf(buf, len, "0x%016" PRIx64, status);
		return buf;
	}
	if (op == 0) {
		snprintf(buf, len, "%s", name);
		return buf;
	}
	for (size_t i = 0; i < sizeof(operands) / sizeof(operands[0]); i++) {
		if (operands[i].id == op) {
			snprintf(buf, len, "%s|%s", name, operands[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "%s|0x%x", name, op);
	return buf;
}

const char *tdxr_spte_str(uint64_t spte, char *buf, size_t len)
{
	static const char *const mt[8] = {"UC", "WC", "2", "3", "WT", "WP", "WB", "7"};
	uint64_t pfn = (spte >> 12) & ((1ull << 40) - 1);

	if (spte == 0x8000000000000000ull) {
		snprintf(buf, len, "non-present (SVE)");
	} else if (spte == 0x80000000000005a0ull) {
		snprintf(buf, len, "FROZEN");
	} else if (!(spte & (1ull << 11))) {
		/* Not present: an MMIO SPTE (TD: RWX = 0, SVE = 0; VMX: W+X, no R). */
		uint64_t gen = ((spte >> 3) & 0xff) | (((spte >> 52) & 0x7ff) << 8);

		snprintf(buf, len, "MMIO%s gen=0x%" PRIx64 " gfn=0x%" PRIx64 "%s",
			 (spte & 7) == 6 ? " (W+X misconfig)" : "", gen, pfn,
			 (spte >> 63) ? " SVE" : " !SVE");
	} else {
		snprintf(buf, len, "%c%c%c MT=%s%s%s%s%s P%s pfn=0x%" PRIx64, spte & 1 ? 'R' : '-',
			 spte & 2 ? 'W' : '-', spte & 4 ? 'X' : '-', mt[(spte >> 3) & 7],
			 spte & (1ull << 6) ? " IPAT" : "", spte & (1ull << 7) ? " PS" : "",
			 spte & (1ull << 8) ? " A" : "", spte & (1ull << 9) ? " D" : "",
			 (spte >> 63) ? " SVE" : "", pfn);
	}
	return buf;
}
