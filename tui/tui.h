/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tui/tui.h - `tdxr tui`: the ncurses stepper over a tdxr index
 * (docs/design.md §7). The CLI calls tui_main(); everything else is internal
 * (tui/tui_int.h).
 */
#ifndef TDXR_TUI_H
#define TDXR_TUI_H

#include <stddef.h>

struct tui_opts {
	const char *input;	/* borrowed: a trace or an INDEX.db */
	const char *index_path; /* borrowed: where to build/reuse the index;
				 * NULL = beside the trace (INPUT.tdxr.db), or
				 * $TMPDIR when that directory is read-only */
	const char *script;	/* borrowed: scripted keys (TDXR_TUI_SCRIPT) */
	const char *timing;	/* borrowed: per-key timings (TDXR_TUI_TIMING) */
	int kernel_profile;	/* for a build: 0 auto, 616, 619 */
};

/*
 * Opens (building if needed) the index and runs the TUI until the user
 * quits or the script ends. Returns 0, or 2 with a message in @err for
 * unusable input (not an index, build failed or cancelled, no terminal).
 */
int tui_main(const struct tui_opts *o, char *err, size_t errlen);

#endif /* TDXR_TUI_H */
