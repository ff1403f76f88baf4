/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/kernelpatch/kp_sites.h - where the kernel-patch/ series fires its
 * events, checked in the patch text: each hook, each return path and each
 * argument that carries an identity must have its call, as added lines of
 * the right file next to the code they trace. Reads patch text only.
 */
#ifndef KP_SITES_H
#define KP_SITES_H

#include <stdbool.h>
#include <stddef.h>

enum kp_site_kind {
	/* An added line of @file contains @what. */
	KP_SITE_ADDED,
	/* At least @min added lines of @file contain @what, each with a line
	 * containing @anchor in the same hunk, at most @window lines before it
	 * (@window > 0) or after it (@window < 0). */
	KP_SITE_NEAR,
	/* Every call "@what(" in added lines of @file has @anchor in argument
	 * @arg (0-based), and there are at least @min such calls. */
	KP_SITE_CALLARG,
	/* Every added line (any file) containing @what also contains @anchor. */
	KP_SITE_EVERY,
	/* No added line (any file) contains @what. */
	KP_SITE_NONE,
};

struct kp_site_rule {
	enum kp_site_kind kind;
	const char *event; /* the event the rule is about (for messages) */
	const char *file;  /* path in the tree; NULL for any file */
	const char *what;
	const char *anchor;
	int window;
	int arg;
	int min;
};

/*
 * Checks @rules against the patches @texts[0..n). Returns the number of rules
 * that do not hold; each is appended to @msg as one line. A hunk whose
 * header does not match its lines counts as a problem too.
 */
int kp_sites_check(const char *const *texts, size_t n, const struct kp_site_rule *rules,
		   size_t nrules, char *msg, size_t msglen);

/*
 * A copy of patch @text without the added statement(s) that contain
 * @needle: the '+' line with it and the '+' lines that follow up to the one
 * ending the statement (';'), with the hunk header's new-side count fixed,
 * so that the result is a well-formed patch. Every occurrence if @all, else
 * the first. NULL if @needle is in no added line (or on allocation failure);
 * the caller frees.
 */
char *kp_drop_added(const char *text, const char *needle, bool all);

/* A copy of @text with every @from replaced by @to (same line count). */
char *kp_replace(const char *text, const char *from, const char *to);

#endif /* KP_SITES_H */
