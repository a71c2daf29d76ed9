# The update done the original's way, for make bench: MicroPython's VfsFat
# (FatFs) on the card image through a block device that counts what it is
# asked for, doing what the original updater does: write the downloaded tar to
# a file on the card, extract it into next/, remove app/, move next/'s files in.
# Prints "sectors_read read_requests sectors_written write_requests".
# usage: micropython bench_vfsfat.py CARD.img PARTITION_START_SECTOR RELEASE.tar
import sys
import os

try:
    from os import VfsFat
except ImportError:
    from vfs import VfsFat

SECTOR = 512


class CountingCard:
    def __init__(self, path, start):
        self.f = open(path, "r+b")
        self.f.seek(0, 2)
        self.start = start
        self.count = self.f.tell() // SECTOR - start
        self.stats = [0, 0, 0, 0]  # sectors read, reads, sectors written, writes

    def readblocks(self, n, buf, off=0):
        self.f.seek((self.start + n) * SECTOR + off)
        self.f.readinto(buf)
        self.stats[0] += len(buf) // SECTOR
        self.stats[1] += 1

    def writeblocks(self, n, buf, off=0):
        self.f.seek((self.start + n) * SECTOR + off)
        self.f.write(buf)
        self.stats[2] += len(buf) // SECTOR
        self.stats[3] += 1

    def ioctl(self, op, arg):
        if op == 4:
            return self.count
        if op == 5:
            return SECTOR
        if op == 3:
            self.f.flush()
        return 0


def exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def makedirs(path):
    cur = ""
    for part in path.strip("/").split("/"):
        cur += "/" + part
        if not exists(cur):
            os.mkdir(cur)


def rmtree(path):
    for entry in os.ilistdir(path):
        child = path + "/" + entry[0]
        if entry[1] == 0x4000:
            rmtree(child)
        else:
            os.remove(child)
    os.rmdir(path)


def octal(field):
    field = field.rstrip(b"\0 ").strip()
    return int(field, 8) if field else 0


def extract(tar_path, dest):
    buf = bytearray(4096)
    with open(tar_path, "rb") as t:
        while True:
            hdr = t.read(SECTOR)
            if len(hdr) < SECTOR or hdr == bytes(SECTOR):
                break
            name = hdr[0:100].rstrip(b"\0").decode()
            prefix = hdr[345:500].rstrip(b"\0").decode()
            if prefix:
                name = prefix + "/" + name
            size = octal(hdr[124:136])
            kind = hdr[156:157]
            path = dest + "/" + name.strip("/")
            if kind == b"5":
                makedirs(path)
                continue
            makedirs(path.rsplit("/", 1)[0])
            left = size
            with open(path, "wb") as out:
                while left:
                    n = t.readinto(buf) if left >= len(buf) else t.readinto(memoryview(buf)[:left])
                    out.write(memoryview(buf)[:n])
                    left -= n
            pad = (-size) % SECTOR
            if pad:
                t.read(pad)


def main():
    card = CountingCard(sys.argv[1], int(sys.argv[2]))
    release = sys.argv[3]
    os.mount(VfsFat(card), "/sd")
    # the download: the tar written to a file on the card, 4 KiB at a time
    buf = bytearray(4096)
    with open(release, "rb") as src, open("/sd/update.tar", "wb") as dst:
        while True:
            n = src.readinto(buf)
            if not n:
                break
            dst.write(memoryview(buf)[:n])
    # the install: extract into next/, replace app/, move the rest in
    if exists("/sd/next"):
        rmtree("/sd/next")
    os.mkdir("/sd/next")
    extract("/sd/update.tar", "/sd/next")
    if exists("/sd/app"):
        rmtree("/sd/app")
    for entry in os.ilistdir("/sd/next"):
        if exists("/sd/" + entry[0]) and entry[1] != 0x4000:
            os.remove("/sd/" + entry[0])
        os.rename("/sd/next/" + entry[0], "/sd/" + entry[0])
    os.rmdir("/sd/next")
    os.remove("/sd/update.tar")
    os.umount("/sd")
    print(" ".join(str(v) for v in card.stats))


main()
