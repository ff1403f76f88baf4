// SPDX-License-Identifier: GPL-2.0
/*
 * tui/help.c - the help view, generated from the key table (keys.def):
 * a binding cannot exist without its line here.
 */
#include <stdio.h>

#include "tui_int.h"

static void help_draw(struct tui *t, struct tui_view *v, const struct tui_rect *r)
{
	char buf[512];
	int h = r->h - 1;
	int total = (int)tui_nr_keys + 3;

	tui_title(r, "help (q closes, j/k scroll)", t->focus < 0);
	for (int i = r->y + 1; i < r->y + r->h; i++) {
		move(i, r->x);
		clrtoeol();
	}
	v->height = h;
	v->nr_lines = total;
	if (v->top > total - h) {
		v->top = total - h;
	}
	if (v->top < 0) {
		v->top = 0;
	}
	for (int i = 0; i < h && v->top + i < total; i++) {
		int n = v->top + i;

		if (n < (int)tui_nr_keys) {
			snprintf(buf, sizeof(buf), "  %-12s %s", tui_keys[n].keys,
				 tui_keys[n].help);
		} else if (n == (int)tui_nr_keys + 1) {
			snprintf(buf, sizeof(buf),
				 "  Markers: > cursor, E error / W warning finding, * search match,"
				 " ~ hidden by the filter");
		} else if (n == (int)tui_nr_keys + 2) {
			snprintf(
				buf, sizeof(buf),
				"  The state pane shows the model right after the cursor's event.");
		} else {
			buf[0] = '\0';
		}
		tui_put(r->y + 1 + i, r->x, r->w, buf, A_NORMAL);
	}
}

static bool help_request(struct tui *t, struct tui_view *v, enum tui_req req)
{
	(void)t;
	return tui_scroll_request(v, req);
}

const struct tui_view_ops tui_help_ops = {
	.name = "help",
	.draw = help_draw,
	.request = help_request,
	.close = NULL,
};
