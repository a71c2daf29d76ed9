#!/usr/bin/env bash
# make deb (scripts/deb.sh): the sdboot package holds the CLI, gzipped man
# pages and completion under /usr only; its Depends names the package of every
# library the binary links (checked against dpkg -S of what ldd resolves);
# unpacked into a scratch root (dpkg -x) it runs and says the same version.
# libsdboot-dev unpacked elsewhere builds and runs the consumer with pkg-config.
set -uo pipefail
: "${SDB_SRC:?}" "${SDB_BUILD:?}"
source "$SDB_SRC/tests/support/checks.sh" deb

version=$(sed -n 's/^#define SDBOOT_VERSION "\(.*\)"$/\1/p' "$SDB_BUILD/include/sdboot/version.h")
# a sanitizer build (make asan) installs instrumented objects: the program links their runtime
san=""
grep -q '^SDB_SANITIZE:BOOL=ON' "$SDB_BUILD/CMakeCache.txt" && san="-fsanitize=address,undefined"
arch=$(dpkg --print-architecture)
"$SDB_SRC/scripts/deb.sh" "$SDB_BUILD" "$work" >deb.log 2>&1
check [ $? -eq 0 ] || cat deb.log
cli=$work/sdboot_${version}_${arch}.deb
dev=$work/libsdboot-dev_${version}_${arch}.deb
check [ -f "$cli" ]
check [ -f "$dev" ]
check [ "$(dpkg-deb -f "$cli" Package)" = sdboot ]
check [ "$(dpkg-deb -f "$cli" Version)" = "$version" ]
check [ "$(dpkg-deb -f "$cli" Architecture)" = "$arch" ]

# Depends: one package per library the binary needs, as dpkg -S names it
depends=$(dpkg-deb -f "$cli" Depends)
needed=$(readelf -d "$SDB_BUILD/sdboot" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
check [ "$(wc -w <<<"$needed")" -ge 4 ]
for soname in $needed; do
    path=$(ldd "$SDB_BUILD/sdboot" | awk -v so="$soname" '$1 == so { print $3 }')
    pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -n1 | cut -d: -f1)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1)
    check [ -n "$pkg" ]
    grep -qE "(^|, )$pkg( \\(|,|$)" <<<"$depends" ||
        check false "$soname ($pkg) missing from Depends: $depends"
done

# contents: /usr only, no overlap between the two packages
dpkg-deb -c "$cli" | awk '{ print $6 }' >cli.list
dpkg-deb -c "$dev" | awk '{ print $6 }' >dev.list
check [ -z "$(grep -v '^\./usr/' cli.list dev.list | grep -v ':\./$')" ]
check [ -z "$(comm -12 <(grep -v '/$' cli.list | sort) <(grep -v '/$' dev.list | sort))" ]
check grep -qx './usr/bin/sdboot' cli.list
check grep -qx './usr/share/man/man1/sdboot-pack.1.gz' cli.list
check grep -qx './usr/share/bash-completion/completions/sdboot' cli.list
check grep -qx './usr/lib/libsdboot.a' dev.list

# unpacked into a scratch root, it runs
dpkg -x "$cli" root
check [ "$(root/usr/bin/sdboot --version | head -n1)" = "$("$SDB_BUILD/sdboot" --version | head -n1)" ]
check [ "$(PATH=$work/root/usr/bin:/usr/bin:/bin sdboot version | head -n1)" = "$(root/usr/bin/sdboot --version | head -n1)" ]
LC_ALL=C MANWIDTH=200 man -l root/usr/share/man/man1/sdboot-pack.1.gz >pack.man 2>&1
check grep -q '^ *sdboot-pack - ' pack.man
check cmp -s root/usr/share/bash-completion/completions/sdboot "$SDB_SRC/tools/sdboot/sdboot.bash-completion"
(cd root && md5sum --quiet -c <(dpkg-deb -I "$cli" md5sums)) >md5.log 2>&1
check [ $? -eq 0 ] || cat md5.log

# libsdboot-dev: Depends from the -dev links; the consumer builds against it
for pkg in $(dpkg-deb -f "$dev" Depends | tr -d ,); do
    check dpkg -s "$pkg" >/dev/null
done
check [ "$(dpkg-deb -f "$dev" Depends)" = "$(for l in mbedcrypto z; do
    dpkg -S "$(realpath -s "$(gcc -print-file-name=lib$l.so)")" | cut -d: -f1; done | paste -sd, | sed 's/,/, /g')" ]
dpkg -x "$dev" devroot
export PKG_CONFIG_PATH=$work/devroot/usr/lib/pkgconfig
cc -std=c11 -Wall -Werror $san $(pkg-config --cflags sdboot) "$SDB_SRC/tests/install/consumer/consumer.c" \
    -o consumer $(pkg-config --libs sdboot) 2>cc.err
check [ $? -eq 0 ] || cat cc.err
./consumer >consumer.txt 2>&1
check [ $? -eq 0 ]
check grep -qx "sdboot core $version" consumer.txt

checks_done
