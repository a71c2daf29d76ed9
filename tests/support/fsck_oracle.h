/* Test oracle: dosfstools' fsck.fat -n as an independent judge of a FAT image. */
#ifndef SDB_TEST_FSCK_ORACLE_H
#define SDB_TEST_FSCK_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* 1 when `fsck.fat -n image` exits 0 AND prints nothing but its two lines
 * (version, summary): fsck.fat exits 0 on some real damage, so the output
 * counts too. 0 otherwise, with fsck's output in report. -1 if it cannot run. */
int sdb_test_fsck_clean(const char *image_path, char *report, size_t len);
/* Same for a RAM image: written to a temporary file first. */
int sdb_test_fsck_clean_mem(const uint8_t *mem, size_t bytes, char *report, size_t len);
/* Write a RAM image to a file; 0 on success. */
int sdb_test_write_file(const char *path, const void *data, size_t len);

#endif
