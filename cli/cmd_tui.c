// SPDX-License-Identifier: GPL-2.0
/*
 * cli/cmd_tui.c - `tdxr tui [--index FILE] [--kernel-profile P] INPUT|INDEX.db`
 * (docs/design.md §5, §7). The TUI itself lives in tui/.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tui.h"

int cmd_tui(int argc, char **argv)
{
	struct tui_opts o;
	char err[1024] = "";
	int i, rc;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1]) {
			break;
		}
		if (!strcmp(a, "--index") || !strcmp(a, "-o")) {
			if (++i >= argc) {
				return cli_usage_error("tui", "%s needs a file", a);
			}
			o.index_path = argv[i];
		} else if (!strcmp(a, "--kernel-profile")) {
			if (++i >= argc) {
				return cli_usage_error("tui", "%s needs 6.16, 6.19 or auto", a);
			}
			if (cli_parse_profile(argv[i], &o.kernel_profile) < 0) {
				return cli_usage_error("tui", "bad kernel profile '%s'", argv[i]);
			}
		} else {
			return cli_usage_error("tui", "unknown option '%s'", a);
		}
	}
	if (i >= argc) {
		return cli_usage_error("tui", "no input (a trace or an INDEX.db)");
	}
	if (i + 1 < argc) {
		return cli_usage_error("tui", "one input only (index several with `tdxr index`)");
	}
	o.input = argv[i];
	o.script = getenv("TDXR_TUI_SCRIPT");
	if (o.script && !*o.script) {
		o.script = NULL;
	}
	o.timing = getenv("TDXR_TUI_TIMING");
	if (o.timing && !*o.timing) {
		o.timing = NULL;
	}
	rc = tui_main(&o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "tdxr tui: %s\n", err);
		return TDXR_EXIT_USAGE;
	}
	return TDXR_EXIT_OK;
}
