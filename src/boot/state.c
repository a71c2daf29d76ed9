/*
 * Boot state records: two files of one sector each, written alternately.
 * A record is updated by a single sdb_fat_overwrite_sector (no FAT or directory
 * write) followed by a sync, so a cut leaves the other, older record intact and
 * the newest valid one (highest sequence, good CRC) is always a complete state.
 *
 * Layout (little-endian): "SDBSTATE", u32 format 1, u32 seq, u8 phase, source,
 * trial_max, trials_used, confirmed, last_event, fs_dirty, 1 pad, i32 last_error,
 * installed[64], previous[64], target[64], zero padding, u32 CRC-32 at 508.
 */
#include <stdio.h>
#include <string.h>
#include "boot_internal.h"
#include "sdboot/bytes.h"
#include "sdboot/crc32.h"
#include "sdboot/release.h"
#include "sdboot/semver.h"

#define MAGIC "SDBSTATE"
#define CRC_AT (SDB_RECORD_SIZE - 4)

int sdboot_state_encode(const struct sdboot_state *st, uint8_t out[SDB_RECORD_SIZE])
{
    memset(out, 0, SDB_RECORD_SIZE);
    memcpy(out, MAGIC, 8);
    sdb_put_le32(out + 8, 1);
    sdb_put_le32(out + 12, st->seq);
    out[16] = st->phase;
    out[17] = st->source;
    out[18] = st->trial_max;
    out[19] = st->trials_used;
    out[20] = st->confirmed;
    out[21] = st->last_event;
    out[22] = st->fs_dirty;
    sdb_put_le32(out + 24, (uint32_t)st->last_error);
    memcpy(out + 28, st->installed, SDB_VERSION_MAX);
    memcpy(out + 28 + SDB_VERSION_MAX, st->previous, SDB_VERSION_MAX);
    memcpy(out + 28 + 2 * SDB_VERSION_MAX, st->target, SDB_VERSION_MAX);
    sdb_put_le32(out + CRC_AT, sdb_crc32(0, out, CRC_AT));
    return SDB_OK;
}

int sdboot_state_decode(const uint8_t in[SDB_RECORD_SIZE], struct sdboot_state *st)
{
    if (memcmp(in, MAGIC, 8) || sdb_get_le32(in + 8) != 1)
        return SDB_STAGE_EMAGIC;
    if (sdb_get_le32(in + CRC_AT) != sdb_crc32(0, in, CRC_AT))
        return SDB_STAGE_ECRC;
    memset(st, 0, sizeof *st);
    st->seq = sdb_get_le32(in + 12);
    st->phase = in[16];
    st->source = in[17];
    st->trial_max = in[18];
    st->trials_used = in[19];
    st->confirmed = in[20];
    st->last_event = in[21];
    st->fs_dirty = in[22];
    st->last_error = (int32_t)sdb_get_le32(in + 24);
    memcpy(st->installed, in + 28, SDB_VERSION_MAX);
    memcpy(st->previous, in + 28 + SDB_VERSION_MAX, SDB_VERSION_MAX);
    memcpy(st->target, in + 28 + 2 * SDB_VERSION_MAX, SDB_VERSION_MAX);
    if (st->installed[SDB_VERSION_MAX - 1] || st->previous[SDB_VERSION_MAX - 1] ||
        st->target[SDB_VERSION_MAX - 1] || st->phase > SDBOOT_PHASE_SWITCHING ||
        st->source > SDBOOT_FROM_PREVIOUS)
        return SDB_STAGE_EFIELD;
    return SDB_OK;
}

static int read_record(struct sdb_fat_vol *vol, const char *path, struct sdboot_state *st)
{
    struct sdb_fat_file f;
    uint8_t buf[SDB_RECORD_SIZE];
    uint32_t got;
    int err = sdb_fat_open(vol, &f, path, SDB_FAT_READ);
    if (err)
        return err;
    err = sdb_fat_read(&f, buf, sizeof buf, &got);
    sdb_fat_close(&f);
    if (err)
        return err;
    return got == sizeof buf ? sdboot_state_decode(buf, st) : SDB_STAGE_EFIELD;
}

/* Newest valid of the two records. *slot: 0 = a, 1 = b. */
static int load_newest(struct sdb_fat_vol *vol, struct sdboot_state *st, uint8_t *slot,
                       bool *any_file)
{
    struct sdboot_state a, b;
    int ea = read_record(vol, STATE_A, &a), eb = read_record(vol, STATE_B, &b);
    *any_file = ea != SDB_FAT_ENOENT || eb != SDB_FAT_ENOENT;
    if (ea && ea != SDB_FAT_ENOENT && ea > SDB_ERR_BD_MIN)
        return ea; /* device errors (power, I/O) go up as they are */
    if (eb && eb != SDB_FAT_ENOENT && eb > SDB_ERR_BD_MIN)
        return eb;
    if (ea && eb)
        return SDBOOT_ESTATE;
    bool use_b = ea || (!eb && b.seq > a.seq);
    *st = use_b ? b : a;
    *slot = use_b ? 1 : 0;
    return SDB_OK;
}

int sdboot_read_state(struct sdb_fat_vol *vol, struct sdboot_state *st)
{
    uint8_t slot;
    bool any;
    int err = load_newest(vol, st, &slot, &any);
    return err == SDBOOT_ESTATE && !any ? SDB_FAT_ENOENT : err;
}

int state_load(struct sdboot *b, bool *found)
{
    bool any;
    int err = load_newest(&b->vol, &b->st, &b->st_slot, &any);
    *found = err == SDB_OK;
    if (err == SDBOOT_ESTATE && !any)
        return SDB_OK; /* a card sdboot never saw */
    return err;
}

int state_store(struct sdboot *b)
{
    /* Everything done so far is on the card before the record says so. */
    int err = sdb_fat_sync(&b->vol);
    if (err)
        return err;
    uint8_t slot = b->st_slot ^ 1;
    uint8_t buf[SDB_RECORD_SIZE];
    struct sdb_fat_file f;
    b->st.seq++;
    sdboot_state_encode(&b->st, buf);
    err = sdb_fat_open(&b->vol, &f, slot ? STATE_B : STATE_A, SDB_FAT_READ | SDB_FAT_WRITE);
    if (err)
        return err;
    err = sdb_fat_overwrite_sector(&f, 0, buf);
    int cerr = sdb_fat_close(&f);
    if (err || cerr)
        return err ? err : cerr;
    b->st_slot = slot;
    return sdb_bd_sync(b->vol.bd);
}

/* Create /.sdboot and both records. A cut leaves files that are missing, short
 * or zero: no valid record, so the next boot initialises again. */
int state_init(struct sdboot *b)
{
    uint8_t zero[SDB_RECORD_SIZE] = {0}, rec[SDB_RECORD_SIZE];
    int err;
    struct sdb_fat_stat st;
    err = sdb_fat_stat(&b->vol, DIR_SDBOOT, &st);
    if (err == SDB_OK) /* an initialisation a cut interrupted: mend the card first */
        err = repair_fs(b);
    else if (err == SDB_FAT_ENOENT)
        err = sdb_fat_mkdir(&b->vol, DIR_SDBOOT);
    if (err)
        return err;
    memset(&b->st, 0, sizeof b->st);
    snprintf(b->st.installed, sizeof b->st.installed, "%s", SDB_VERSION_NONE);
    b->st.confirmed = true;
    b->st.last_event = SDBOOT_EV_INITIALISED;
    b->st.seq = 1;
    sdboot_state_encode(&b->st, rec);
    const char *paths[2] = {STATE_B, STATE_A};
    const uint8_t *content[2] = {zero, rec};
    for (int i = 0; i < 2; i++) {
        struct sdb_fat_file f;
        err = sdb_fat_open(&b->vol, &f, paths[i], SDB_FAT_WRITE | SDB_FAT_CREATE | SDB_FAT_TRUNC);
        if (err)
            return err;
        err = sdb_fat_write(&f, content[i], SDB_RECORD_SIZE);
        int cerr = sdb_fat_close(&f);
        if (err || cerr)
            return err ? err : cerr;
    }
    b->st_slot = 0;
    return sdb_fat_sync(&b->vol);
}

int fs_work_begin(struct sdboot *b)
{
    if (b->st.fs_dirty)
        return SDB_OK;
    b->st.fs_dirty = true;
    return state_store(b);
}

int fs_work_end(struct sdboot *b)
{
    if (!b->st.fs_dirty)
        return SDB_OK;
    int err = sdb_fat_sync(&b->vol);
    if (err)
        return err;
    b->st.fs_dirty = false;
    return state_store(b);
}
