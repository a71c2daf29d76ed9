/* Test fixture for the boot engine: releases built in memory, staged onto a
 * RAM card exactly as the application would, and tree comparisons. */
#ifndef SDB_BOOT_FIXTURE_H
#define SDB_BOOT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdboot/boot.h"

#define FX_MAX_FILES 8

struct fx_file {
    const char *path; /* without leading '/' */
    const char *content;
};

struct fx_release {
    const char *version;
    struct fx_file files[FX_MAX_FILES];
    unsigned nfiles;
    uint8_t tar[32768];
    size_t tar_len;
    char idx[4096]; /* its per-file index (index.h), built with the tar */
    size_t idx_len;
    uint8_t idx_sha256[32];
};

extern struct fx_release fx_r1, fx_r2, fx_r3, fx_r4;
extern const char fx_user_path[], fx_user_content[];

void fx_build(struct fx_release *r);
/* A boot log callback (cfg.log) that appends each line and "\n" to fx_log. */
extern char fx_log[8192];
void fx_log_line(void *ctx, const char *line);
/* Make a fresh card image with a user file, initialised by one boot. */
int fx_new_card(sdb_bd_t *bd);
/* The same card before its first boot: no /.sdboot. */
int fx_new_card_unbooted(sdb_bd_t *bd);
/* As the application: write the archive and pending record through fileio. */
int fx_stage(sdb_bd_t *bd, const struct fx_release *r, const uint8_t *override_tar, size_t len);
/* As the OTA client: r with its index (the bootloader keeps it). */
int fx_stage_indexed(sdb_bd_t *bd, const struct fx_release *r);
/* As the OTA client stages a delta of r over base: the files base lacks or
 * has otherwise, r's index (or override_idx), the record naming base. An
 * override_delta replaces the delta archive. */
int fx_stage_delta(sdb_bd_t *bd, const struct fx_release *r, const struct fx_release *base,
                   const uint8_t *override_delta, size_t len, const char *override_idx);
/* The delta archive fx_stage_delta stages. */
size_t fx_delta_tar(const struct fx_release *r, const struct fx_release *base, uint8_t *out,
                    size_t cap);
int fx_boot(sdb_bd_t *bd, struct sdboot_result *res);
int fx_confirm(sdb_bd_t *bd);
/* Does the card hold exactly release r (every file exact, /app holds nothing
 * else) and the user file? why gets the first difference. */
bool fx_tree_is(sdb_bd_t *bd, const struct fx_release *r, char *why, size_t len);
int fx_state(sdb_bd_t *bd, struct sdboot_state *st);
/* Does the file at path hold exactly len bytes of data? */
bool fx_file_equals(struct sdb_fat_vol *vol, const char *path, const void *data, uint32_t len);

#endif
