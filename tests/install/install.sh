#!/usr/bin/env bash
# make install as another project sees it: the build is installed into a
# scratch DESTDIR; the tree holds the CLI and the core (no host-only header);
# every installed header compiles alone; a small program (consumer/) is built
# with pkg-config only, then with find_package only, against the installed
# files and nothing of the source tree, and runs; its facts match the CLI's;
# scripts/uninstall.sh removes exactly what was installed.
set -uo pipefail
: "${SDB_SRC:?}" "${SDB_BUILD:?}"
source "$SDB_SRC/tests/support/checks.sh" install

prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$SDB_BUILD/CMakeCache.txt")
dest=$work/root
root=$dest$prefix
version=$(sed -n 's/^#define SDBOOT_VERSION "\(.*\)"$/\1/p' "$SDB_BUILD/include/sdboot/version.h")
# a sanitizer build (make asan) installs instrumented objects: the program links their runtime
san=""
grep -q '^SDB_SANITIZE:BOOL=ON' "$SDB_BUILD/CMakeCache.txt" && san="-fsanitize=address,undefined"
DESTDIR=$dest cmake --install "$SDB_BUILD" >install.log 2>&1
check [ $? -eq 0 ]
for f in bin/sdboot lib/libsdboot.a lib/pkgconfig/sdboot.pc include/sdboot/version.h \
    include/sdboot/boot.h include/sdboot/fat.h lib/cmake/sdboot/sdbootConfig.cmake \
    lib/cmake/sdboot/sdbootConfigVersion.cmake; do
    check [ -f "$root/$f" ]
done
for h in bd_file.h host.h host_serve.h transport_curl.h; do
    check [ ! -e "$root/include/sdboot/$h" ]
done
check [ "$("$root/bin/sdboot" --version | head -n1)" = "$("$SDB_BUILD/sdboot" --version | head -n1)" ]
# man finds every page there (man-db maps PREFIX/bin on PATH to PREFIX/share/man)
check [ "$(ls "$root"/share/man/man1/sdboot*.1 | wc -l)" -eq "$(ls "$SDB_BUILD"/man/sdboot*.1 | wc -l)" ]
check [ "$(PATH=$root/bin:/usr/bin:/bin MANPATH= man -w sdboot-pack)" = "$root/share/man/man1/sdboot-pack.1" ]
check cmp -s "$root/share/bash-completion/completions/sdboot" "$SDB_SRC/tools/sdboot/sdboot.bash-completion"

# pkg-config only
export PKG_CONFIG_PATH=$root/lib/pkgconfig
check [ "$(pkg-config --modversion sdboot)" = "$version" ]
cflags=$(pkg-config --cflags sdboot | xargs)
libs=$(pkg-config --libs sdboot)
check [ "$(realpath "${cflags#-I}")" = "$(realpath "$root/include")" ]
for h in "$root"/include/sdboot/*.h; do
    echo "#include <sdboot/$(basename "$h")>" >one.c
    cc -std=c11 -Wall -Wextra -Werror $cflags -fsyntax-only one.c 2>one.err ||
        check false "$(basename "$h") does not compile alone: $(head -n3 one.err)"
done
cp "$SDB_SRC/tests/install/consumer/consumer.c" .
cc -std=c11 -Wall -Wextra -Werror $san $cflags -MD -MF consumer.d consumer.c -o consumer-pc $libs 2>cc.err
check [ $? -eq 0 ] || cat cc.err
# only installed sdboot headers were read (none of the source tree)
tr ' \\' '\n\n' <consumer.d | grep '\.h$' | xargs realpath >deps.txt
check grep -qx "$(realpath "$root")/include/sdboot/boot.h" deps.txt
check [ -z "$(grep -F "$(realpath "$SDB_SRC")/" deps.txt)" ]
./consumer-pc >pc.txt 2>&1
check [ $? -eq 0 ] || cat pc.txt

# what the program prints is what the CLI says of a blank card of the same size
truncate -s 16M blank.img
boot=$("$SDB_BUILD/sdboot" sim boot --card blank.img)
want_decision=$(sed -n 's/^decision: //p' <<<"$boot")
want_event=$(sed -n 's/^event: //p' <<<"$boot")
check [ -n "$want_decision" ]
check grep -qx "sdboot core $version" pc.txt
check grep -qx "boot: $want_decision, $want_event" pc.txt
check grep -qx "read back: hello from a consumer" pc.txt
check grep -qx "sha256(abc): $(printf abc | sha256sum | cut -d' ' -f1)" pc.txt
check grep -qx "1.10.0 over 1.9.0: update" pc.txt
check grep -q "^1.9.0 over 1.10.0: .*newer" pc.txt
check grep -qx "error -34: no such file or directory" pc.txt

# find_package only
unset PKG_CONFIG_PATH
cmake -S "$SDB_SRC/tests/install/consumer" -B fp -DCMAKE_PREFIX_PATH="$root" -DCMAKE_C_FLAGS="$san" >fp.log 2>&1 &&
    cmake --build fp >>fp.log 2>&1
check [ $? -eq 0 ] || tail -n 20 fp.log
check grep -q "sdboot_DIR:PATH=$root/lib/cmake/sdboot" fp/CMakeCache.txt
fp/consumer >fp.txt 2>&1
check [ $? -eq 0 ]
check cmp -s pc.txt fp.txt
# a version the package does not provide is refused
mkdir old && sed 's/find_package(sdboot 0.1 REQUIRED)/find_package(sdboot 9.0 REQUIRED)/' \
    "$SDB_SRC/tests/install/consumer/CMakeLists.txt" >old/CMakeLists.txt && cp consumer.c old/
cmake -S old -B old/b -DCMAKE_PREFIX_PATH="$root" >old.log 2>&1
check [ $? -ne 0 ]
check grep -q 'sdbootConfig.cmake, version: '"$version" old.log

# uninstall removes what install put there, and nothing else
installed=$(find "$dest" -type f | wc -l)
echo keep >"$root/bin/not-sdboot"
DESTDIR=$dest "$SDB_SRC/scripts/uninstall.sh" "$SDB_BUILD" "$prefix" >uninstall.log
check [ $? -eq 0 ]
check [ "$(find "$dest" -type f)" = "$root/bin/not-sdboot" ]
check [ ! -e "$root/include/sdboot" ]
check [ ! -e "$root/lib/cmake/sdboot" ]
check grep -q "removed $installed files" uninstall.log

checks_done
