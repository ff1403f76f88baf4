/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay/src/readers.h - the table of readers built in (readers.c), in
 * the order src.c asks them to sniff an input: formats with a magic first,
 * text (which takes any text) last. A reader turned off in CMake
 * (TDXR_WITH_DAT, TDXR_WITH_CTF, TDXR_WITH_INDEX) is not in it.
 */
#ifndef TDXR_READERS_H
#define TDXR_READERS_H

#include "reader.h"

extern const struct tdxr_reader *const tdxr_readers[];
extern const unsigned int tdxr_nr_readers;

#endif /* TDXR_READERS_H */
