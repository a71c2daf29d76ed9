#!/usr/bin/env python3
"""Wrap an application's flat binary into /app/firmware.bin (sdb_app.h).

usage: mkimage.py IMAGE.bin LOAD_ADDR OUT.bin

The image starts with its vector table: word 0 is the initial stack pointer,
word 1 the reset handler (the entry). The header records both, the image's
size and SHA-256, and a CRC-32 of the header itself.
"""
import hashlib
import struct
import sys
import zlib

MAGIC = 0x41424453  # "SDBA"
HEADER_SIZE = 64


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    image = open(sys.argv[1], 'rb').read()
    load = int(sys.argv[2], 0)
    if len(image) < 8:
        sys.exit('mkimage: image too short for a vector table')
    stack, entry = struct.unpack_from('<II', image, 0)
    head = struct.pack('<IHHIIII32sI', MAGIC, HEADER_SIZE, 0, load, entry, stack, len(image),
                       hashlib.sha256(image).digest(), 0)
    head += struct.pack('<I', zlib.crc32(head))
    assert len(head) == HEADER_SIZE
    with open(sys.argv[3], 'wb') as f:
        f.write(head + image)


if __name__ == '__main__':
    main()
