#!/usr/bin/env bash
# make deb: Debian packages built with dpkg-deb from the install tree of BUILD
# (prefix /usr), written to OUTDIR:
#   sdboot_VERSION_ARCH.deb         the CLI, its man pages (gzipped) and bash
#                                   completion; Depends computed by
#                                   dpkg-shlibdeps from the libraries it links;
#   libsdboot-dev_VERSION_ARCH.deb  libsdboot.a, headers, sdboot.pc, the CMake
#                                   package; Depends: the packages owning the
#                                   -dev links of the libraries sdboot.pc names.
# Usage: scripts/deb.sh BUILD OUTDIR      (DEB_MAINTAINER overrides Maintainer)
set -euo pipefail
build=$(realpath "${1:?usage: deb.sh BUILD OUTDIR}")
out=$(realpath "${2:?usage: deb.sh BUILD OUTDIR}")
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^#define SDBOOT_VERSION "\(.*\)"$/\1/p' "$build/include/sdboot/version.h")
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-sdboot maintainers <sdboot@localhost>}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdb-deb-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# stage COMPONENT PACKAGE: the component's install tree under $tmp/PACKAGE
stage() {
    local root=$tmp/$2
    DESTDIR=$root cmake --install "$build" --prefix /usr --component "$1" --strip >/dev/null
    mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$2"
    cp "$src/LICENSE" "$root/usr/share/doc/$2/copyright"
    if [ -d "$root/usr/share/man" ]; then
        find "$root/usr/share/man" -type f -name '*.1' -exec gzip -9n {} +
    fi
}

# control PACKAGE DEPENDS SECTION SUMMARY DESCRIPTION: DEBIAN/control, md5sums, build
control() {
    local root=$tmp/$1
    (cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
    cat >"$root/DEBIAN/control" <<CONTROL
Package: $1
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $2
Section: $3
Priority: optional
Description: $4
$(fold -s -w 78 <<<"$5" | sed 's/ *$//; s/^/ /')
CONTROL
    dpkg-deb --root-owner-group --build "$root" "$out/${1}_${version}_${arch}.deb" >/dev/null
    echo "deb: $out/${1}_${version}_${arch}.deb (Depends: $2)"
}

stage cli sdboot
mkdir -p "$tmp/shlibs/debian"
printf 'Source: sdboot\n\nPackage: sdboot\nArchitecture: any\n' >"$tmp/shlibs/debian/control"
depends=$(cd "$tmp/shlibs" && dpkg-shlibdeps -O -e "$tmp/sdboot/usr/bin/sdboot" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
control sdboot "$depends" utils \
    "SD-card boot and over-the-air update tools for microcontrollers" \
    "sdboot packs, signs and verifies releases, creates and edits FAT SD-card images, serves release directories over HTTP(S) and simulates a device that boots, installs, rolls back and updates over the air."

stage dev libsdboot-dev
dev_depends=""
for lib in $(sed -n 's/^Libs: //p' "$build/sdboot.pc" | grep -oE -- '-l[A-Za-z0-9_]+' | sed 's/^-l//' | grep -vx sdboot); do
    link=$(realpath -s "$(gcc -print-file-name="lib$lib.so")")
    pkg=$(dpkg -S "$link" 2>/dev/null | head -n1 | cut -d: -f1)
    [ -n "$pkg" ] || { echo "deb: no package owns $link (-l$lib)" >&2; exit 1; }
    dev_depends+="${dev_depends:+, }$pkg"
done
control libsdboot-dev "$dev_depends" libdevel \
    "sdboot core: static library and headers" \
    "The portable core of sdboot (FAT12/16/32 driver, journaled install, boot decisions, signed releases, OTA client) as libsdboot.a with its public headers, a pkg-config file (sdboot.pc) and a CMake package (find_package(sdboot), target sdboot::core)."
