// SPDX-License-Identifier: GPL-2.0
/*
 * tui/decode.c - raw TDX/KVM values as words for the detail and state
 * panes. The tables are facts from TDX_FACTS §2.1 (leaves), §3 (status
 * codes, operand ids), §4 (SPTE bits) and §7.1 (public S-EPT states).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Appends printf-style text at *pos, never past @len (always terminated). */
static void cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void cat(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0) {
		*pos += (size_t)n;
		if (*pos >= len) {
			*pos = len - 1;
		}
	}
}

static const char *const mt_names[8] = {
	"UC", "WC", "mt2", "mt3", "WT", "WP", "WB", "mt7",
};

unsigned int tui_spte_mmio_gen(uint64_t spte)
{
	unsigned int lo = (unsigned int)((spte >> 3) & 0xff);
	unsigned int hi = (unsigned int)((spte >> 52) & 0x7ff);

	return lo | (hi << 8);
}

const char *tui_spte_str(uint64_t spte, char *buf, size_t len)
{
	size_t pos = 0;
	bool vmx_mmio = (spte & 0x8000000000000007ull) == 0x6;
	bool td_mmio = (spte & 0x8000000000000007ull) == 0 && spte != 0;

	buf[0] = '\0';
	if (spte == TUI_SPTE_FROZEN) {
		cat(buf, len, &pos, "FROZEN");
		return buf;
	}
	if (!(spte & TUI_SPTE_PRESENT)) {
		if (spte == TUI_SPTE_NONPRESENT || spte == 0) {
			cat(buf, len, &pos, "non-present%s", (spte & TUI_SPTE_SVE) ? " SVE" : "");
			return buf;
		}
		if (td_mmio || vmx_mmio) {
			cat(buf, len, &pos, "MMIO%s gen=0x%x gfn=0x%llx SVE=%d",
			    td_mmio ? " (TD)" : "", tui_spte_mmio_gen(spte),
			    (unsigned long long)((spte & TUI_SPTE_PFN_MASK) >> 12),
			    (spte & TUI_SPTE_SVE) ? 1 : 0);
			return buf;
		}
		cat(buf, len, &pos, "non-present");
	}
	cat(buf, len, &pos, "%s%s%s", (spte & TUI_SPTE_R) ? "R" : "-",
	    (spte & TUI_SPTE_W) ? "W" : "-", (spte & TUI_SPTE_X) ? "X" : "-");
	cat(buf, len, &pos, " mt=%s", mt_names[(spte >> TUI_SPTE_MT_SHIFT) & 7]);
	if (spte & TUI_SPTE_IPAT) {
		cat(buf, len, &pos, " IPAT");
	}
	if (spte & TUI_SPTE_PS) {
		cat(buf, len, &pos, " PS");
	}
	if (spte & TUI_SPTE_A) {
		cat(buf, len, &pos, " A");
	}
	if (spte & TUI_SPTE_D) {
		cat(buf, len, &pos, " D");
	}
	if (spte & TUI_SPTE_PRESENT) {
		cat(buf, len, &pos, " present");
	}
	if (spte & TUI_SPTE_HOST_W) {
		cat(buf, len, &pos, " hw");
	}
	if (spte & TUI_SPTE_MMU_W) {
		cat(buf, len, &pos, " mw");
	}
	cat(buf, len, &pos, " SVE=%d pfn=0x%llx", (spte & TUI_SPTE_SVE) ? 1 : 0,
	    (unsigned long long)((spte & TUI_SPTE_PFN_MASK) >> 12));
	return buf;
}

static const char *const leaf_names[] = {
	[0] = "TDH.VP.ENTER",
	[1] = "TDH.MNG.ADDCX",
	[2] = "TDH.MEM.PAGE.ADD",
	[3] = "TDH.MEM.SEPT.ADD",
	[4] = "TDH.VP.ADDCX",
	[5] = "TDH.MEM.PAGE.RELOCATE",
	[6] = "TDH.MEM.PAGE.AUG",
	[7] = "TDH.MEM.RANGE.BLOCK",
	[8] = "TDH.MNG.KEY.CONFIG",
	[9] = "TDH.MNG.CREATE",
	[10] = "TDH.VP.CREATE",
	[11] = "TDH.MNG.RD",
	[15] = "TDH.MEM.PAGE.DEMOTE",
	[16] = "TDH.MR.EXTEND",
	[17] = "TDH.MR.FINALIZE",
	[18] = "TDH.VP.FLUSH",
	[19] = "TDH.MNG.VPFLUSHDONE",
	[20] = "TDH.MNG.KEY.FREEID",
	[21] = "TDH.MNG.INIT",
	[22] = "TDH.VP.INIT",
	[23] = "TDH.MEM.PAGE.PROMOTE",
	[24] = "TDH.PHYMEM.PAGE.RDMD",
	[25] = "TDH.MEM.SEPT.RD",
	[26] = "TDH.VP.RD",
	[28] = "TDH.PHYMEM.PAGE.RECLAIM",
	[29] = "TDH.MEM.PAGE.REMOVE",
	[30] = "TDH.MEM.SEPT.REMOVE",
	[31] = "TDH.SYS.KEY.CONFIG",
	[32] = "TDH.SYS.INFO",
	[33] = "TDH.SYS.INIT",
	[34] = "TDH.SYS.RD",
	[35] = "TDH.SYS.LP.INIT",
	[36] = "TDH.SYS.TDMR.INIT",
	[38] = "TDH.MEM.TRACK",
	[39] = "TDH.MEM.RANGE.UNBLOCK",
	[40] = "TDH.PHYMEM.CACHE.WB",
	[41] = "TDH.PHYMEM.PAGE.WBINVD",
	[43] = "TDH.VP.WR",
	[45] = "TDH.SYS.CONFIG",
};

const char *tui_leaf_name(uint64_t leaf)
{
	uint64_t l = leaf & 0xffff;

	if (l >= ARRAY_SIZE(leaf_names)) {
		return NULL;
	}
	return leaf_names[l];
}

struct status_name {
	uint64_t code; /* bits 63:32 */
	const char *name;
};

static const struct status_name status_names[] = {
	{0x0000000000000000ull, "TDX_SUCCESS"},
	{0x8000ff0000000000ull, "TDX_SW_ERROR"},
	{0x4000000100000000ull, "TDX_NON_RECOVERABLE_VCPU"},
	{0x4000000200000000ull, "TDX_NON_RECOVERABLE_TD"},
	{0x6000000200000000ull, "TDX_NON_RECOVERABLE_TD"},
	{0x8000000300000000ull, "TDX_INTERRUPTED_RESUMABLE"},
	{0x6000000500000000ull, "TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE"},
	{0x6000000700000000ull, "TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE"},
	{0xe000000700000000ull, "TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE"},
	{0xc000010000000000ull, "TDX_OPERAND_INVALID"},
	{0xc000010100000000ull, "TDX_OPERAND_ADDR_RANGE_ERROR"},
	{0x8000020000000000ull, "TDX_OPERAND_BUSY"},
	{0x8000020100000000ull, "TDX_PREVIOUS_TLB_EPOCH_BUSY"},
	{0x8000020200000000ull, "TDX_SYS_BUSY"},
	{0x8000020300000000ull, "TDX_RND_NO_ENTROPY"},
	{0x8000020400000000ull, "TDX_OPERAND_BUSY_HOST_PRIORITY"},
	{0xc000030000000000ull, "TDX_PAGE_METADATA_INCORRECT"},
	{0x0000030100000000ull, "TDX_PAGE_ALREADY_FREE"},
	{0xc000030200000000ull, "TDX_PAGE_NOT_OWNED_BY_TD"},
	{0xc000030300000000ull, "TDX_PAGE_NOT_FREE"},
	{0xc000040000000000ull, "TDX_TD_ASSOCIATED_PAGES_EXIST"},
	{0xc000060700000000ull, "TDX_LIFECYCLE_STATE_INCORRECT"},
	{0xc000060800000000ull, "TDX_OP_STATE_INCORRECT"},
	{0x8000070200000000ull, "TDX_VCPU_NOT_ASSOCIATED"},
	{0xc000070600000000ull, "TDX_TSC_ROLLBACK"},
	{0x8000080000000000ull, "TDX_KEY_GENERATION_FAILED"},
	{0xc000081100000000ull, "TDX_KEY_STATE_INCORRECT"},
	{0x0000081500000000ull, "TDX_KEY_CONFIGURED"},
	{0x0000082100000000ull, "TDX_NO_HKID_READY_TO_WBCACHE"},
	{0x8000082400000000ull, "TDX_FLUSHVP_NOT_DONE"},
	{0xc0000b0000000000ull, "TDX_EPT_WALK_FAILED"},
	{0xc0000b0100000000ull, "TDX_EPT_ENTRY_FREE"},
	{0xc0000b0200000000ull, "TDX_EPT_ENTRY_NOT_FREE"},
	{0xc0000b0300000000ull, "TDX_EPT_ENTRY_NOT_PRESENT"},
	{0xc0000b0400000000ull, "TDX_EPT_ENTRY_NOT_LEAF"},
	{0xc0000b0500000000ull, "TDX_EPT_ENTRY_LEAF"},
	{0xc0000b0600000000ull, "TDX_GPA_RANGE_NOT_BLOCKED"},
	{0x00000b0700000000ull, "TDX_GPA_RANGE_ALREADY_BLOCKED"},
	{0xc0000b0800000000ull, "TDX_TLB_TRACKING_NOT_DONE"},
	{0xc0000b0900000000ull, "TDX_EPT_INVALID_PROMOTE_CONDITIONS"},
	{0x00000b0a00000000ull, "TDX_PAGE_ALREADY_ACCEPTED"},
	{0xc0000b0b00000000ull, "TDX_PAGE_SIZE_MISMATCH"},
	{0xc0000b0c00000000ull, "TDX_GPA_RANGE_BLOCKED"},
	{0xc0000b0d00000000ull, "TDX_EPT_ENTRY_STATE_INCORRECT"},
	{0xc0000b0e00000000ull, "TDX_EPT_PAGE_NOT_FREE"},
	{0xc0000c0200000000ull, "TDX_METADATA_FIELD_NOT_READABLE"},
};

struct operand_name {
	uint32_t id;
	const char *name;
};

static const struct operand_name operand_names[] = {
	{0x01, "RCX"},	    {0x02, "RDX"},	{0x03, "RBX"},	      {0x06, "RSI"},
	{0x07, "RDI"},	    {0x08, "R8"},	{0x09, "R9"},	      {0x0a, "R10"},
	{0x0b, "R11"},	    {0x80, "TDR"},	{0x92, "S-EPT tree"}, {0x93, "S-EPT entry"},
	{0xa9, "TD epoch"}, {0xac, "OP_STATE"},
};

const char *tui_operand_name(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(operand_names); i++) {
		if (operand_names[i].id == id) {
			return operand_names[i].name;
		}
	}
	return NULL;
}

struct exit_name {
	unsigned int reason;
	const char *name;
};

static const struct exit_name exit_names[] = {
	{0, "EXCEPTION_NMI"},
	{1, "EXTERNAL_INTERRUPT"},
	{2, "TRIPLE_FAULT"},
	{7, "INTERRUPT_WINDOW"},
	{10, "CPUID"},
	{12, "HLT"},
	{18, "VMCALL"},
	{30, "IO_INSTRUCTION"},
	{31, "MSR_READ"},
	{32, "MSR_WRITE"},
	{48, "EPT_VIOLATION"},
	{49, "EPT_MISCONFIG"},
	{52, "PREEMPTION_TIMER"},
	{77, "TDCALL"},
};

const char *tui_exit_reason_name(unsigned int reason)
{
	for (size_t i = 0; i < ARRAY_SIZE(exit_names); i++) {
		if (exit_names[i].reason == reason) {
			return exit_names[i].name;
		}
	}
	return NULL;
}

const char *tui_status_str(uint64_t leaf, uint64_t status, char *buf, size_t len)
{
	uint64_t cls = status & 0xffffffff00000000ull;
	uint32_t op = (uint32_t)status;
	const char *name = NULL, *opn;
	size_t pos = 0;

	buf[0] = '\0';
	if ((leaf & 0xffff) == 0 && !(status >> 63) && cls == 0) {
		const char *r = tui_exit_reason_name(op & 0xffff);

		cat(buf, len, &pos, "exit %u %s", op & 0xffff, r ? r : "?");
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++) {
		if (status_names[i].code == cls) {
			name = status_names[i].name;
			break;
		}
	}
	if (!name) {
		cat(buf, len, &pos, "0x%016llx (unknown %s)", (unsigned long long)status,
		    (status >> 63) ? "error" : "status");
		return buf;
	}
	cat(buf, len, &pos, "%s", name);
	if (op) {
		opn = tui_operand_name(op);
		if (opn) {
			cat(buf, len, &pos, " | %s", opn);
		} else {
			cat(buf, len, &pos, " | operand 0x%x", op);
		}
	}
	return buf;
}

static const char *sept_public_state(unsigned int s)
{
	switch (s) {
	case 0:
		return "FREE";
	case 1:
		return "BLOCKED";
	case 2:
		return "PENDING";
	case 3:
		return "PENDING_BLOCKED";
	case 4:
		return "MAPPED";
	case 5:
		return "REMOVED";
	case 8:
		return "BLOCKEDW";
	case 0x81:
		return "NL_BLOCKED";
	case 0x84:
		return "NL_MAPPED";
	default:
		return NULL;
	}
}

const char *tui_level_state_str(uint64_t rdx, char *buf, size_t len)
{
	unsigned int level = rdx & 7, state = (rdx >> 8) & 0xff;
	const char *sn = sept_public_state(state);
	static const char *const tl[] = {"4K", "2M", "1G", "512G", "256T"};

	snprintf(buf, len, "level %u (%s) state %s (%u)", level, level < 5 ? tl[level] : "?",
		 sn ? sn : "?", state);
	return buf;
}

const char *tui_level_name(int level)
{
	static const char *const n[] = {"L?", "4K", "2M", "1G", "512G", "256T"};

	if (level < 1 || level > 5) {
		return n[0];
	}
	return n[level];
}
