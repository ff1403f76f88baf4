#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/vocab/vocab_check.py TOP [MIN_FILES] - fails if a copy of the TDX vocabulary
reappears outside schema/tdx.def (issue 14.1: one table of TDX facts).

The table is read through schema/tdx_def.py; then every C and Python file
of the tree is searched for what a copy of it looks like:
  * a string literal that is exactly a SEAMCALL leaf name in either spelling
    ("TDH_MEM_PAGE_AUG", 'TDH.MEM.PAGE.AUG'): names come from
    tdxr_seamcall_name() / tdx_def.LEAF_NAME;
  * a hex literal carrying a status class of the table (0xC0000B0D,
    0xc0000b0800000001): status values are built from the constants
    (TDX_TLB_TRACKING_NOT_DONE | TDX_OPERAND_ID_RCX).
Comments may name things. Prints file:line: what for each hit; exit 1
if any.
"""
import os
import re
import subprocess
import sys

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else '.')
MIN_FILES = int(sys.argv[2]) if len(sys.argv) > 2 else 50  # guards against a wrong TOP
sys.path.insert(0, os.path.join(TOP, 'schema'))
import tdx_def as tdx  # noqa: E402

# Files that may spell the facts, and why.
ALLOWED = {
    'schema/tdx.def': 'the table itself',
    'schema/tdx_def.py': 'reads the table',
    'tests/vocab/vocab_check.py': 'this check',
    # the one place that checks the table's values against upstream
    'tests/unit/test_tdx_names.c': 'pins the table to upstream values',
    # trace text as input: the names and raw values are what is parsed
    'tests/unit/test_text_reader.c': 'trace lines as reader input',
    'tests/unit/test_filter.c': 'event fields as filter input',
    'tests/capture/ust_emit.c': 'tracepoint payloads as capture input',
    'tests/klog/klog_test.py': 'the decodes a kernel log must give, field by field',
}
ALLOWED_DIRS = ('kernel-patch/', 'tests/kernelpatch/')  # kernel side: its own headers

names = set(tdx.LEAF)
classes = {'%08x' % (c >> 32) for c in tdx.STATUS_NAME if c}
QUOTED = re.compile(r'''(["'])([A-Z][A-Z0-9_.]*)\1''')
HEX = re.compile(r'\b0[xX]([0-9a-fA-F]{8})([0-9a-fA-F]{8})?(?![0-9a-fA-F])')


def files():
    try:
        out = subprocess.run(['git', '-C', TOP, 'ls-files', '-co', '--exclude-standard'],
                             check=True, capture_output=True, text=True).stdout.split('\n')
    except (OSError, subprocess.CalledProcessError):
        out = [os.path.relpath(os.path.join(d, f), TOP)
               for d, _, fs in os.walk(TOP) if '/.git' not in d for f in fs]
    for f in out:
        if f.endswith(('.c', '.h', '.py')) and f not in ALLOWED and \
                not f.startswith(ALLOWED_DIRS) and os.path.isfile(os.path.join(TOP, f)):
            yield f


def code_lines(path, text):
    """The lines of @text without comments (C block/line comments, Python
    # lines), numbered as in the file: comments may show the words."""
    if path.endswith('.py'):
        return [('' if ln.lstrip().startswith('#') else ln) for ln in text.split('\n')]
    text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
    return [re.sub(r'//.*', '', ln) for ln in text.split('\n')]


def check(path):
    hits = []
    with open(os.path.join(TOP, path), errors='replace') as fp:
        text = fp.read()
    for no, line in enumerate(code_lines(path, text), 1):
        for m in QUOTED.finditer(line):
            if m.group(2) in names:
                hits.append('%s:%d: name literal %s' % (path, no, m.group(0)))
        for m in HEX.finditer(line):
            if m.group(1).lower() in classes:
                hits.append('%s:%d: status literal %s' % (path, no, m.group(0)))
    return hits


def main():
    hits = []
    n = 0
    for f in files():
        n += 1
        hits += check(f)
    for h in hits:
        print(h)
    print('vocabulary: %d files searched, %d copies of schema/tdx.def found' % (n, len(hits)))
    if n < MIN_FILES:
        print('too few files searched: is %s the source tree?' % TOP)
        return 1
    return 1 if hits else 0


if __name__ == '__main__':
    sys.exit(main())
