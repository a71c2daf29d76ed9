/*
 * Model-based random test: random operation sequences on the driver, each
 * checked against an in-memory model after every step; fsck.fat -n must find
 * the card clean at the end of every sequence. Seeded; prints the seed and the
 * failing step. SDB_MODEL_SEQS overrides the number of sequences.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <cmocka.h>
#include "fat_test_util.h"
#include "fsck_oracle.h"

#define MAX_FILES 24
#define MAX_SIZE 20000

struct model_file {
    bool used;
    bool is_dir;
    char path[64];
    uint32_t size;
    uint8_t data[MAX_SIZE];
};

static struct model_file model[MAX_FILES];
static uint8_t scratch[MAX_SIZE + 100];
static uint32_t rng;

static uint32_t rnd(uint32_t n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % n;
}

static const char *names[] = {"a",
                              "B.TXT",
                              "long file name.data",
                              "Mixed Case Name.Py",
                              "x",
                              "another_rather_long_name_for_lfn_slots.bin",
                              "c.d.e",
                              "UP"};

static void random_path(char *out, size_t cap, bool *under_dir, int *dir_index)
{
    *under_dir = false;
    *dir_index = -1;
    int dirs[MAX_FILES], nd = 0;
    for (int i = 0; i < MAX_FILES; i++)
        if (model[i].used && model[i].is_dir)
            dirs[nd++] = i;
    const char *name = names[rnd(sizeof names / sizeof names[0])];
    if (nd && rnd(2)) {
        *dir_index = dirs[rnd((uint32_t)nd)];
        *under_dir = true;
        snprintf(out, cap, "%s/%s%u", model[*dir_index].path, name, rnd(3));
    } else {
        snprintf(out, cap, "/%s%u", name, rnd(3));
    }
}

static int find(const char *path)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (model[i].used && !strcasecmp(model[i].path, path))
            return i;
    return -1;
}

static int free_slot(void)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (!model[i].used)
            return i;
    return -1;
}

static bool has_children(int d)
{
    size_t n = strlen(model[d].path);
    for (int i = 0; i < MAX_FILES; i++)
        if (model[i].used && i != d && !strncasecmp(model[i].path, model[d].path, n) &&
            model[i].path[n] == '/')
            return true;
    return false;
}

static void verify_all(struct sdb_fat_vol *vol, uint32_t seed, int step)
{
    for (int i = 0; i < MAX_FILES; i++) {
        if (!model[i].used)
            continue;
        struct sdb_fat_stat st;
        int err = sdb_fat_stat(vol, model[i].path, &st);
        if (err || st.is_dir != model[i].is_dir)
            fail_msg("seed %u step %d: %s missing (%d)", seed, step, model[i].path, err);
        if (model[i].is_dir)
            continue;
        uint32_t len;
        assert_int_equal(get_file(vol, model[i].path, scratch, sizeof scratch, &len), SDB_OK);
        if (len != model[i].size || memcmp(scratch, model[i].data, len))
            fail_msg("seed %u step %d: %s content differs (%u vs %u)", seed, step, model[i].path,
                     len, model[i].size);
    }
}

static void one_step(struct sdb_fat_vol *vol, uint32_t seed, int step)
{
    char path[64], path2[64];
    bool under;
    int di;
    random_path(path, sizeof path, &under, &di);
    int i = find(path);
    uint32_t op = rnd(8);
    int err;
    if (op <= 2) { /* write whole file */
        uint32_t len = rnd(4) ? rnd(3000) : rnd(MAX_SIZE);
        for (uint32_t k = 0; k < len; k++)
            scratch[k] = (uint8_t)rnd(256);
        err = put_file(vol, path, scratch, len);
        if (i >= 0 && model[i].is_dir) {
            assert_int_equal(err, SDB_FAT_EISDIR);
            return;
        }
        if (i < 0 && (i = free_slot()) < 0)
            return;
        assert_int_equal(err, SDB_OK);
        model[i].used = true;
        model[i].is_dir = false;
        snprintf(model[i].path, sizeof model[i].path, "%s", path);
        model[i].size = len;
        memcpy(model[i].data, scratch, len);
    } else if (op == 3 && i >= 0 && !model[i].is_dir) { /* seek-write / append */
        struct sdb_fat_file f;
        assert_int_equal(sdb_fat_open(vol, &f, path, SDB_FAT_READ | SDB_FAT_WRITE), SDB_OK);
        uint32_t at = model[i].size ? rnd(model[i].size + 1) : 0;
        uint32_t len = rnd(1500);
        if (at + len > MAX_SIZE)
            len = MAX_SIZE - at;
        for (uint32_t k = 0; k < len; k++)
            scratch[k] = (uint8_t)rnd(256);
        assert_int_equal(sdb_fat_seek(&f, at), SDB_OK);
        assert_int_equal(sdb_fat_write(&f, scratch, len), SDB_OK);
        assert_int_equal(sdb_fat_close(&f), SDB_OK);
        memcpy(model[i].data + at, scratch, len);
        if (at + len > model[i].size)
            model[i].size = at + len;
    } else if (op == 4 && i >= 0 && !model[i].is_dir) { /* truncate */
        struct sdb_fat_file f;
        uint32_t to = rnd(model[i].size + 1);
        assert_int_equal(sdb_fat_open(vol, &f, path, SDB_FAT_WRITE), SDB_OK);
        assert_int_equal(sdb_fat_truncate(&f, to), SDB_OK);
        assert_int_equal(sdb_fat_close(&f), SDB_OK);
        model[i].size = to;
    } else if (op == 5) { /* unlink / rmdir */
        if (i < 0) {
            assert_int_equal(sdb_fat_unlink(vol, path), SDB_FAT_ENOENT);
        } else if (model[i].is_dir) {
            err = sdb_fat_rmdir(vol, path);
            assert_int_equal(err, has_children(i) ? SDB_FAT_ENOTEMPTY : SDB_OK);
            if (!err)
                model[i].used = false;
        } else {
            assert_int_equal(sdb_fat_unlink(vol, path), SDB_OK);
            model[i].used = false;
        }
    } else if (op == 6 && !under) { /* mkdir (one level) */
        err = sdb_fat_mkdir(vol, path);
        if (i >= 0) {
            assert_int_equal(err, SDB_FAT_EEXIST);
            return;
        }
        if ((i = free_slot()) < 0)
            return;
        assert_int_equal(err, SDB_OK);
        model[i] = (struct model_file){.used = true, .is_dir = true};
        snprintf(model[i].path, sizeof model[i].path, "%s", path);
    } else if (op == 7 && i >= 0 && !model[i].is_dir) { /* rename a file */
        random_path(path2, sizeof path2, &under, &di);
        int j = find(path2);
        err = sdb_fat_rename(vol, path, path2, true);
        if (j == i) {
            assert_int_equal(err, SDB_OK);
            snprintf(model[i].path, sizeof model[i].path, "%s", path2);
        } else if (j >= 0 && model[j].is_dir) {
            assert_int_equal(err, SDB_FAT_EISDIR);
        } else {
            assert_int_equal(err, SDB_OK);
            if (j >= 0)
                model[j].used = false;
            snprintf(model[i].path, sizeof model[i].path, "%s", path2);
        }
    }
    (void)seed;
    (void)step;
}

static void random_sequences_match_the_model(void **state)
{
    (void)state;
    const char *env = getenv("SDB_MODEL_SEQS");
    int seqs = env ? atoi(env) : 1000;
    int fsck_runs = 0;
    for (int s = 0; s < seqs; s++) {
        uint32_t seed = 1000u + (uint32_t)s;
        rng = seed;
        memset(model, 0, sizeof model);
        struct ram_card c;
        uint8_t type = (uint8_t[]){12, 16, 32}[s % 3];
        size_t bytes = type == 32 ? 64u << 20 : type == 16 ? 16u << 20 : 2u << 20;
        assert_int_equal(ram_card_format(&c, bytes, type), SDB_OK);
        int steps = 10 + (int)rnd(40);
        for (int k = 0; k < steps; k++) {
            one_step(&c.vol, seed, k);
            verify_all(&c.vol, seed, k);
        }
        /* remount: what is on the card, not in the window, must match too */
        assert_int_equal(sdb_fat_unmount(&c.vol), SDB_OK);
        assert_int_equal(sdb_fat_mount(&c.vol, &c.ram.bd, false), SDB_OK);
        verify_all(&c.vol, seed, steps);
        /* fsck every sequence on the small cards, every 10th on the 64 MiB ones */
        if (type != 32 || s % 10 == 2) {
            char report[2048];
            if (sdb_test_fsck_clean_mem(c.mem, c.bytes, report, sizeof report) != 1)
                fail_msg("seed %u: fsck.fat -n: %s", seed, report);
            fsck_runs++;
        }
        ram_card_free(&c);
    }
    printf("model: %d sequences, %d fsck runs, all clean\n", seqs, fsck_runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(random_sequences_match_the_model)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
