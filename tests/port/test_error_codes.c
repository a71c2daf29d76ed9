/*
 * sdb_strerror as a codes-only device builds it (SDB_ERROR_MESSAGES=0, the
 * bare-metal bootloader): FAT, release, boot and OTA codes come out as the
 * layer and the number, common, block-device and port codes keep their
 * messages, and strangers stay "unknown error N".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "sdboot/blockdev.h"
#include "sdboot/boot.h"
#include "sdboot/error.h"
#include "sdboot/fat.h"
#include "sdboot/fileio.h"

#if SDB_ERROR_MESSAGES
#error "this test is built with SDB_ERROR_MESSAGES=0"
#endif

static void codes_only(void **state)
{
    (void)state;
    assert_string_equal(sdb_strerror(SDB_FAT_ENOENT), "FAT error -34");
    assert_int_equal(SDB_FAT_ENOENT, -34);
    assert_string_equal(sdb_strerror(-100), "release error -100");
    assert_string_equal(sdb_strerror(SDBOOT_ESTATE), "boot error -227");
    assert_string_equal(sdb_strerror(-300), "OTA error -300");
}

static void named_codes(void **state)
{
    (void)state;
    assert_string_equal(sdb_strerror(SDB_E_BUFSIZE), "buffer too small");
    assert_string_equal(sdb_strerror(SDB_BD_ENOMEDIUM), "no card");
    assert_string_equal(sdb_strerror(SDB_FIO_ENOSPC), "no space left on card");
    assert_string_equal(sdb_strerror(-1000), "unknown error -1000");
    assert_string_equal(sdb_strerror(7), "unknown error 7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_only),
        cmocka_unit_test(named_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
