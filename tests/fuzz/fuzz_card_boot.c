/*
 * Fuzz: a provisioned card (FAT12, FAT16 or FAT32; release 1.0.0 installed,
 * optionally 1.1.0 staged; the user's /user.txt and /docs/big.bin) is damaged
 * by the input (byte patches in the boot sector, both FATs, the root and the
 * directories, the state records, the kept archive) and booted twice.
 *
 * Must hold: no crash, no hang, every boot ends in a decision, and every user
 * file whose own bytes (its data and FAT entries; its entry, its directory's,
 * and the slots before each, where an end marker would hide it) were not
 * patched reads back byte-identical - seen through the card's original
 * boot sector, as `sdboot image check` would recover it when the boot left a
 * damaged card untouched.
 *
 * Input: [variant u8] then records [region u8][offset u16 le][len u8][len bytes].
 * The card is copy-on-write over the provisioned image, so a run costs what
 * the boots read and write, whatever the card's size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/fat/fat_internal.h"
#include "sdboot/boot.h"
#include "sdboot/fio_fat.h"
#include "sdboot/hash.h"
#include "sdboot/manifest.h"
#include "sdboot/ota.h"
#include "sdboot/stage.h"
#include "sdboot/tar.h"

#define MAX_SECTORS (40u * 2048u) /* 40 MiB: the FAT32 card */
#define COW_SLOTS 16384u          /* sectors a run may write (8 MiB) */
#define MAX_REGIONS 48
#define USER_FILES 2

/* ---- copy-on-write card ---- */

struct cow {
    sdb_bd_t bd; /* first */
    const uint8_t *base;
    uint16_t slot_of[MAX_SECTORS]; /* 0 = clean, else slot + 1 */
    uint32_t used;
    uint32_t touched[COW_SLOTS];
    uint8_t slots[COW_SLOTS][SDB_SECTOR_SIZE];
};
static struct cow cow;

static const uint8_t *cow_sector(uint32_t lba)
{
    uint16_t s = cow.slot_of[lba];
    return s ? cow.slots[s - 1] : cow.base + (size_t)lba * SDB_SECTOR_SIZE;
}

static uint8_t *cow_writable(uint32_t lba)
{
    if (!cow.slot_of[lba]) {
        if (cow.used == COW_SLOTS)
            return NULL;
        memcpy(cow.slots[cow.used], cow_sector(lba), SDB_SECTOR_SIZE);
        cow.touched[cow.used] = lba;
        cow.slot_of[lba] = (uint16_t)++cow.used;
    }
    return cow.slots[cow.slot_of[lba] - 1];
}

static int cow_read(sdb_bd_t *bd, uint32_t lba, uint32_t n, void *buf)
{
    (void)bd;
    for (uint32_t i = 0; i < n; i++)
        memcpy((uint8_t *)buf + i * SDB_SECTOR_SIZE, cow_sector(lba + i), SDB_SECTOR_SIZE);
    return SDB_OK;
}

static int cow_write(sdb_bd_t *bd, uint32_t lba, uint32_t n, const void *buf)
{
    (void)bd;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *s = cow_writable(lba + i);
        if (!s)
            return SDB_BD_EIO;
        memcpy(s, (const uint8_t *)buf + i * SDB_SECTOR_SIZE, SDB_SECTOR_SIZE);
    }
    return SDB_OK;
}

static int cow_sync(sdb_bd_t *bd)
{
    (void)bd;
    return SDB_OK;
}

static const struct sdb_bd_ops cow_ops = {cow_read, cow_write, cow_sync};

static void cow_reset(const uint8_t *base, uint32_t sectors)
{
    for (uint32_t i = 0; i < cow.used; i++)
        cow.slot_of[cow.touched[i]] = 0;
    cow.used = 0;
    cow.base = base;
    memset(&cow.bd, 0, sizeof cow.bd);
    cow.bd.ops = &cow_ops;
    cow.bd.sector_count = sectors;
}

/* ---- provisioned cards ---- */

struct region {
    uint32_t lba, sectors;
};

struct byte_range {
    uint32_t from, to; /* card byte offsets [from, to) */
};

struct card {
    uint8_t *mem;
    uint32_t sectors;
    uint32_t vol_lba, backup_lba;
    struct region regions[MAX_REGIONS];
    unsigned nregions;
    struct byte_range own[USER_FILES][256]; /* what belongs to each user file */
    unsigned nown[USER_FILES];
};

static const char *const user_paths[USER_FILES] = {"/user.txt", "/docs/big.bin"};
static uint8_t user_data[USER_FILES][20000];
static const uint32_t user_len[USER_FILES] = {1000, 20000};

static struct card cards[6];
static uint8_t tar1[16384], tar2[16384];
static size_t tar1_len, tar2_len;
static struct sdboot engine;

static size_t make_tar(uint8_t *buf, size_t cap, const char *const *files, unsigned n)
{
    struct sdb_tar_mem m = {buf, cap, 0};
    struct sdb_tar_writer w = {.out = sdb_tar_mem_out, .ctx = &m};
    for (unsigned i = 0; i < n; i += 2) {
        size_t len = strlen(files[i + 1]);
        sdb_tar_write_header(&w, files[i], SDB_TAR_FILE, len, 0644);
        sdb_tar_write_data(&w, files[i + 1], len);
    }
    sdb_tar_write_end(&w);
    return m.len;
}

__attribute__((noreturn)) static void die(const char *what, int err)
{
    fprintf(stderr, "fuzz_card_boot: %s: %s\n", what, sdb_strerror(err));
    abort();
}

static bool verbose; /* FUZZ_CARD_VERBOSE=1: print patches and boot logs */

static void print_log(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "  boot: %s\n", line);
}

static int boot_once(sdb_bd_t *bd, struct sdboot_result *res)
{
    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    if (verbose)
        cfg.log = print_log;
    return sdboot_boot(&engine, bd, &cfg, res);
}

static void stage(sdb_bd_t *bd, const char *version, const uint8_t *tar, size_t len)
{
    struct sdb_fat_vol vol;
    struct sdb_fio_fat fio;
    int err = sdb_fat_mount(&vol, bd, false);
    if (err)
        die("mount for staging", err);
    sdb_fio_fat_init(&fio, &vol);
    const sdb_fileio_t *f = &fio.fio;
    void *h;
    if ((err = sdboot_stage_begin(f)) ||
        (err = f->open(f->ctx, SDB_STAGE_PART, SDB_FIO_CREATE, &h)))
        die("stage", err);
    if ((err = f->write(f->ctx, h, tar, len)) || (err = f->close(f->ctx, h)))
        die("stage write", err);
    struct sdb_manifest_entry e = {.has_size = true, .has_sha256 = true, .size = len};
    snprintf(e.version, sizeof e.version, "%s", version);
    snprintf(e.filename, sizeof e.filename, "release.tar");
    struct sdb_sha256 sh;
    sdb_sha256_init(&sh);
    sdb_sha256_update(&sh, tar, len);
    sdb_sha256_finish(&sh, e.sha256);
    if ((err = sdboot_stage_commit(f, &e, SDB_STAGE_SIGNED)) || (err = sdb_fat_unmount(&vol)))
        die("stage commit", err);
}

static void add_region(struct card *c, uint32_t lba, uint32_t sectors)
{
    if (c->nregions < MAX_REGIONS && sectors)
        c->regions[c->nregions++] = (struct region){lba, sectors};
}

static void add_own(struct card *c, int u, uint32_t from, uint32_t len)
{
    struct byte_range *last = c->nown[u] ? &c->own[u][c->nown[u] - 1] : NULL;
    if (last && last->to == from) {
        last->to += len;
        return;
    }
    if (c->nown[u] == 256)
        die("own ranges", SDB_E_BUFSIZE);
    c->own[u][c->nown[u]++] = (struct byte_range){from, from + len};
}

/* The bytes of an entry and of its chain (data and FAT entries). The slots
 * before it in its directory count too: an end marker there hides it. */
static void own_entry(struct card *c, struct sdb_fat_vol *vol, int u, const char *path)
{
    struct fat_loc loc;
    uint32_t parent;
    bool is_root;
    if (fat_lookup(vol, path, &loc, &parent, &is_root))
        die("lookup", SDB_FAT_ENOENT);
    for (uint32_t s = 0; s <= loc.sfn_slot; s++) {
        uint32_t lba;
        fat_dir_slot_lba(vol, loc.dclus, s, &lba);
        add_own(c, u, lba * SDB_SECTOR_SIZE + (s % ENTRIES_PER_SECTOR) * ENTRY_SIZE, ENTRY_SIZE);
    }
    uint32_t clus = fat_entry_clus(vol, loc.raw);
    for (unsigned n = 0; clus && n < 100; n++) {
        add_own(c, u, fat_clus_lba(vol, clus) * SDB_SECTOR_SIZE, sdb_fat_cluster_bytes(vol));
        uint32_t off = vol->type == 12 ? clus + clus / 2 : clus * (vol->type / 8);
        add_own(c, u, vol->fat_lba * SDB_SECTOR_SIZE + off, vol->type == 32 ? 4 : 2);
        uint32_t next;
        if (fat_next(vol, clus, &next))
            break;
        clus = next;
    }
}

static void add_dir_region(struct card *c, struct sdb_fat_vol *vol, const char *path)
{
    struct sdb_fat_stat st;
    if (sdb_fat_stat(vol, path, &st) == SDB_OK)
        add_region(c, fat_clus_lba(vol, st.first_clus), vol->sec_per_clus);
}

static void map_card(struct card *c, sdb_bd_t *bd)
{
    struct sdb_fat_vol vol;
    int err = sdb_fat_mount(&vol, bd, true);
    if (err)
        die("mount to map", err);
    c->vol_lba = vol.vol_lba;
    c->backup_lba = vol.type == 32 ? vol.vol_lba + 6 : vol.vol_lba;
    add_region(c, vol.vol_lba, 1);
    add_region(c, c->backup_lba, 1);
    add_region(c, vol.fat_lba, vol.fat_sectors < 4 ? vol.fat_sectors : 4);
    add_region(c, vol.fat_lba + vol.fat_sectors, vol.fat_sectors < 4 ? vol.fat_sectors : 4);
    if (vol.type == 32)
        add_region(c, fat_clus_lba(&vol, vol.root_clus), vol.sec_per_clus);
    else
        add_region(c, vol.root_lba, 2);
    const char *dirs[] = {"/.sdboot", "/app", "/app/lib", "/docs", "/.sdboot/staging"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        add_dir_region(c, &vol, dirs[i]);
    const char *files[] = {"/.sdboot/state.a", "/.sdboot/state.b", "/.sdboot/current.tar",
                           "/.sdboot/staging/pending", "/main.py"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        add_dir_region(c, &vol, files[i]);
    for (int u = 0; u < USER_FILES; u++)
        own_entry(c, &vol, u, user_paths[u]);
    own_entry(c, &vol, 1, "/docs"); /* big.bin's directory is big.bin's too */
}

static void provision(struct card *c, uint8_t type, bool pending)
{
    static const uint32_t sizes[] = {2048u, 8192u, 40u * 2048u}; /* 1, 4, 40 MiB */
    c->sectors = sizes[type == 12 ? 0 : type == 16 ? 1 : 2];
    c->mem = calloc(c->sectors, SDB_SECTOR_SIZE);
    cow_reset(c->mem, c->sectors);
    struct sdb_mkfs_opts o = {.type = type, .volume_id = 3};
    struct sdb_fat_vol vol;
    int err = sdb_fat_mkfs(&cow.bd, &o);
    if (err || (err = sdb_fat_mount(&vol, &cow.bd, false)) || (err = sdb_fat_mkdir(&vol, "/docs")))
        die("mkfs", err);
    for (int u = 0; u < USER_FILES; u++) {
        struct sdb_fat_file f;
        if ((err = sdb_fat_open(&vol, &f, user_paths[u], SDB_FAT_WRITE | SDB_FAT_CREATE)) ||
            (err = sdb_fat_write(&f, user_data[u], user_len[u])) || (err = sdb_fat_close(&f)))
            die("user file", err);
    }
    if ((err = sdb_fat_unmount(&vol)))
        die("unmount", err);
    struct sdboot_result res;
    if ((err = boot_once(&cow.bd, &res)))
        die("first boot", err);
    stage(&cow.bd, "1.0.0", tar1, tar1_len);
    if ((err = boot_once(&cow.bd, &res)) || res.event != SDBOOT_EV_INSTALLED)
        die("install", err);
    if (pending)
        stage(&cow.bd, "1.1.0", tar2, tar2_len);
    /* flatten the overlay into the provisioned image */
    for (uint32_t i = 0; i < cow.used; i++)
        memcpy(c->mem + (size_t)cow.touched[i] * SDB_SECTOR_SIZE, cow.slots[i], SDB_SECTOR_SIZE);
    cow_reset(c->mem, c->sectors);
    map_card(c, &cow.bd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static const char *const r1[] = {"main.py",      "print('one')\n", "app/a.py",  "A = 1\n",
                                     "app/lib/b.py", "B = 1\n",        "helper.py", "same\n"};
    static const char *const r2[] = {"main.py",   "print('two, longer')\n",
                                     "app/a.py",  "A = 2\n",
                                     "helper.py", "same\n",
                                     "extra.cfg", "new\n"};
    tar1_len = make_tar(tar1, sizeof tar1, r1, 8);
    tar2_len = make_tar(tar2, sizeof tar2, r2, 8);
    for (int u = 0; u < USER_FILES; u++)
        for (uint32_t i = 0; i < user_len[u]; i++)
            user_data[u][i] = (uint8_t)(i * 31 + u * 7 + (i >> 8));
    const uint8_t types[] = {12, 16, 32};
    for (int i = 0; i < 6; i++)
        provision(&cards[i], types[i / 2], i & 1);
    verbose = getenv("FUZZ_CARD_VERBOSE") != NULL;
    return 0;
}

/* ---- the run ---- */

static bool patched(const struct byte_range *r, unsigned n, const struct byte_range *p, unsigned np)
{
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < np; j++)
            if (p[j].from < r[i].to && r[i].from < p[j].to)
                return true;
    return false;
}

/* Read a user file through the card's original boot sector. */
static bool user_file_whole(struct card *c, int u)
{
    static uint8_t buf[20001];
    uint8_t *bs = cow_writable(c->vol_lba);
    if (!bs)
        return true; /* the overlay is full: nothing to judge */
    memcpy(bs, c->mem + (size_t)c->vol_lba * SDB_SECTOR_SIZE, SDB_SECTOR_SIZE);
    struct sdb_fat_vol vol;
    struct sdb_fat_file f;
    uint32_t got = 0;
    if (sdb_fat_mount(&vol, &cow.bd, true) || sdb_fat_open(&vol, &f, user_paths[u], SDB_FAT_READ))
        return false;
    int err = sdb_fat_read(&f, buf, sizeof buf, &got);
    return !err && got == user_len[u] && !memcmp(buf, user_data[u], got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct card *c = &cards[data[0] % 6];
    cow_reset(c->mem, c->sectors);
    struct byte_range patches[64];
    unsigned np = 0;
    for (size_t i = 1; i + 4 <= size && np < 64;) {
        const struct region *r = &c->regions[data[i] % c->nregions];
        uint32_t off = (data[i + 1] | (uint32_t)data[i + 2] << 8) % (r->sectors * SDB_SECTOR_SIZE);
        uint32_t len = data[i + 3] % 17;
        i += 4;
        if (len > size - i)
            len = (uint32_t)(size - i);
        uint32_t at = r->lba * SDB_SECTOR_SIZE + off;
        for (uint32_t k = 0; k < len; k++) {
            uint32_t b = at + k;
            uint8_t *s = cow_writable(b / SDB_SECTOR_SIZE);
            if (s)
                s[b % SDB_SECTOR_SIZE] = data[i + k];
        }
        patches[np++] = (struct byte_range){at, at + len};
        if (verbose)
            fprintf(stderr, "patch: card %d, sector %u + %u, %u bytes\n", data[0] % 6,
                    at / SDB_SECTOR_SIZE, at % SDB_SECTOR_SIZE, len);
        i += len;
    }
    for (int n = 0; n < 2; n++) {
        struct sdboot_result res;
        int err = boot_once(&cow.bd, &res);
        if (verbose)
            fprintf(stderr, "boot %d: %s, %s (%s)\n", n + 1, sdboot_decision_name(res.decision),
                    sdboot_event_name(res.event), sdb_strerror(err ? err : res.error));
        if (err && err != SDB_BD_EIO) {
            fprintf(stderr, "boot %d ended without a decision: %s\n", n + 1, sdb_strerror(err));
            abort();
        }
    }
    if (verbose && getenv("FUZZ_CARD_DUMP")) {
        FILE *out = fopen(getenv("FUZZ_CARD_DUMP"), "wb");
        for (uint32_t lba = 0; out && lba < c->sectors; lba++)
            fwrite(cow_sector(lba), 1, SDB_SECTOR_SIZE, out);
        if (out)
            fclose(out);
    }
    for (int u = 0; u < USER_FILES; u++)
        if (!patched(c->own[u], c->nown[u], patches, np) && !user_file_whole(c, u)) {
            fprintf(stderr, "user file %s lost or changed (its own bytes were not patched)\n",
                    user_paths[u]);
            abort();
        }
    return 0;
}
