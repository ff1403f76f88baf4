# SPDX-License-Identifier: GPL-2.0
"""schema/tdx_def.py - schema/tdx.def for Python: the test scripts' TDX
constants, read from the one table at import time (no second copy).

    import tdx_def as tdx
    tdx.LEAF['TDH_MEM_PAGE_AUG']     -> 6
    tdx.LEAF_NAME[6]                 -> 'TDH_MEM_PAGE_AUG'
    tdx.STATUS['TDX_OPERAND_BUSY']   -> 0x8000020000000000 (class << 32)
    tdx.OPERAND['SEPT_TREE']         -> 0x92
    tdx.EXIT_REASON['EPT_VIOLATION'] -> 48;  tdx.EXIT_REASON_NAME[48]
    tdx.SPTE['SPTE_PRESENT']         -> 1 << 11 (bits and values)
    tdx.status_str(0xC0000B0800000001) -> 'TDX_TLB_TRACKING_NOT_DONE|RCX'
Every name is also a module attribute: tdx.TDH_MEM_PAGE_AUG,
tdx.TDX_OPERAND_BUSY, tdx.TDX_OPERAND_ID_RCX, tdx.EXIT_REASON_HLT,
tdx.SPTE_PRESENT, tdx.EPT_MT_WB (the C enum names of include/tdxr/tdx.h).
"""
import os
import re

DEF = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tdx.def')

LEAF, LEAF_NAME, LEAF_DOTTED, LEAF_FLAGS = {}, {}, {}, {}
STATUS, STATUS_NAME = {}, {}
OPERAND, OPERAND_NAME = {}, {}
EXIT_REASON, EXIT_REASON_NAME = {}, {}
SEPT_STATE, EPT_MEMTYPE, SPTE = {}, {}, {}
LF_GPA, LF_SEPT = 0x1, 0x2


def _int(text):
    """A C constant expression of the table: ints, <<, |, ull suffixes."""
    text = re.sub(r'(0x[0-9a-fA-F]+|\d+)[uUlL]+', r'\1', text)
    if not re.fullmatch(r'[0-9a-fA-FxX()<>| ]+', text):
        raise ValueError('tdx.def: not a constant: ' + text)
    return eval(text, {'__builtins__': {}})


def _load():
    text = open(DEF).read()
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    for m in re.finditer(r'^(TDXR_[A-Z_]+)\((.*)\)\s*$', text, flags=re.M):
        kind, args = m.group(1), [a.strip() for a in m.group(2).split(',')]
        if kind == 'TDXR_LEAF':
            nr, name, dotted, flags = _int(args[0]), args[1], args[2].strip('"'), args[3]
            LEAF[name] = LEAF[dotted] = nr
            LEAF_NAME[nr], LEAF_DOTTED[nr] = name, dotted
            LEAF_FLAGS[nr] = ((LF_GPA if 'TDXR_LF_GPA' in flags else 0) |
                              (LF_SEPT if 'TDXR_LF_SEPT' in flags else 0))
        elif kind in ('TDXR_STATUS', 'TDXR_STATUS_ALIAS'):
            cls = _int(args[1]) << 32
            if kind == 'TDXR_STATUS':
                STATUS[args[0]] = cls
            STATUS_NAME[cls] = args[0]
        elif kind == 'TDXR_OPERAND':
            OPERAND[args[0]] = _int(args[1])
            OPERAND_NAME[_int(args[1])] = args[0]
        elif kind == 'TDXR_EXIT_REASON':
            EXIT_REASON[args[0]] = _int(args[1])
            EXIT_REASON_NAME[_int(args[1])] = args[0]
        elif kind == 'TDXR_SEPT_STATE':
            SEPT_STATE[args[0]] = _int(args[1])
        elif kind == 'TDXR_EPT_MEMTYPE':
            EPT_MEMTYPE[args[0]] = _int(args[1])
        elif kind == 'TDXR_SPTE_BIT':
            SPTE[args[0]] = 1 << _int(args[1])
        elif kind == 'TDXR_SPTE_VALUE':
            SPTE[args[0]] = _int(','.join(args[1:]))
        elif not kind.startswith('TDXR_LF_'):
            raise ValueError('tdx.def: unknown row ' + kind)
    if not LEAF or not STATUS:
        raise ValueError('tdx.def: no rows read from ' + DEF)


_load()
g = globals()
g.update({n: v for n, v in LEAF.items() if '.' not in n})
g.update(STATUS)
g.update({'TDX_OPERAND_ID_' + n: v for n, v in OPERAND.items()})
g.update({'EXIT_REASON_' + n: v for n, v in EXIT_REASON.items()})
g.update({'EPT_MT_' + n: v for n, v in EPT_MEMTYPE.items()})
g.update(SPTE)
TDX_ERROR = 1 << 63
TDX_STATUS_MASK = 0xFFFFFFFF00000000


def status_str(status):
    """The words tdxr_tdx_status_str() prints for @status."""
    name = STATUS_NAME.get(status & TDX_STATUS_MASK)
    op = status & 0xFFFFFFFF
    if name is None:
        return '0x%016x' % status
    if op == 0:
        return name
    if op in OPERAND_NAME:
        return name + '|' + OPERAND_NAME[op]
    return '%s|0x%x' % (name, op)
