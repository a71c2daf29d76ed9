#!/usr/bin/env python3
"""Flash and RAM of a bare-metal link, per layer, from its linker map.

usage: footprint.py [--objects] MAP SOURCE_ROOT

Prints one line per layer: "layer flash ram" where flash is what the layer
keeps in .text/.rodata/.data (initialised data is stored in flash too) and ram
is its .data/.bss. Layers: the port's own files, our hash backend, each core
layer (by source directory), libc and the compiler runtime. With --objects,
one line per object file instead ("layer/object flash ram"), largest first.
Works for the bootloader's link and for the core-only link of
scripts/footprint.sh (whose objects are named after their source files).
"""
import glob
import os
import re
import sys

KEPT = re.compile(r'^ (\.text|\.rodata|\.data|\.bss|\.sdb_api|COMMON)(\S*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$')
NAME_ONLY = re.compile(r'^ (\.text|\.rodata|\.data|\.bss|\.sdb_api|COMMON)(\S*)$')
CONT = re.compile(r'^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$')


CORE = {}  # object base name -> core layer (source directory under src/)


def layer(obj):
    if 'libc_small' in obj:
        return 'libc (ports/baremetal/libc_small.c)'
    if 'libc' in obj or 'libnosys' in obj or 'libm' in obj:
        return 'libc (newlib-nano)'
    if 'libgcc' in obj:
        return 'compiler runtime (libgcc)'
    member = re.sub(r'(\.c)?\.o(bj)?\)?$', '', re.split(r'[/(]', obj)[-1])
    if member in CORE and not obj.startswith('CMakeFiles'):
        return 'core: ' + CORE[member]
    if 'hash_soft' in obj:
        return 'hashes (ports/soft)'
    if 'inflate_none' in obj:
        return 'inflate refusal (ports/none)'
    if 'sd_spi' in obj:
        return 'port: SD over SPI'
    return 'port: board, startup, loader'


def member_of(obj):
    return re.sub(r'(\.c)?\.o(bj)?\)?$', '', re.split(r'[/(]', obj)[-1])


def main():
    args = sys.argv[1:]
    objects = args[0] == '--objects'
    if objects:
        args = args[1:]
    for path in glob.glob(os.path.join(args[1], 'src', '*', '*.c')):
        CORE[os.path.basename(path)[:-2]] = os.path.basename(os.path.dirname(path))
    sizes = {}
    kept = False
    pending = None
    for line in open(args[0]):
        line = line.rstrip('\n')
        if line.startswith('Linker script and memory map'):
            kept = True
            continue
        if not kept:
            continue
        m = KEPT.match(line)
        if m:
            sect, addr, size, obj = m.group(1), int(m.group(3), 16), int(m.group(4), 16), m.group(5)
        elif pending and CONT.match(line):
            c = CONT.match(line)
            sect, addr, size, obj = pending, int(c.group(1), 16), int(c.group(2), 16), c.group(3)
        else:
            n = NAME_ONLY.match(line)
            pending = n.group(1) if n else None
            continue
        pending = None
        if size == 0 or addr == 0 and sect != '.text':
            continue
        key = layer(obj) + ('/' + member_of(obj) if objects else '')
        flash, ram = sizes.setdefault(key, [0, 0])
        if sect in ('.text', '.rodata'):
            flash += size
        elif sect == '.data':
            flash += size
            ram += size
        else:
            ram += size
        sizes[key] = [flash, ram]
    order = sorted(sizes, key=lambda k: -sizes[k][0]) if objects else sorted(sizes)
    for name in order:
        print(f'{name}\t{sizes[name][0]}\t{sizes[name][1]}')


if __name__ == '__main__':
    main()
