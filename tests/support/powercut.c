#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fsck_oracle.h"
#include "powercut.h"
#include "sdboot/bd_fault.h"
#include "sdboot/bd_ram.h"

#define LOG_ENTRIES 4096
static struct sdb_fault_log_entry cache_log[LOG_ENTRIES];

struct run_state {
    const struct sdb_pc_scenario *s;
    uint8_t *base;  /* card before the operation */
    uint8_t *work;  /* card under test */
    uint8_t *after; /* card right after the first cut */
    struct sdb_pc_result *res;
};

/* Run fn on the RAM card `mem` behind a fault wrapper armed with `cut`.
 * Returns fn's result; *writes gets the sector writes attempted. */
static int on_card(uint8_t *mem, size_t bytes, const struct sdb_fault_case *cut, bool cache,
                   int (*fn)(sdb_bd_t *, void *), void *ctx, unsigned *writes)
{
    struct sdb_bd_ram ram;
    struct sdb_bd_fault fault;
    sdb_bd_ram_init(&ram, mem, (uint32_t)(bytes / SDB_SECTOR_SIZE));
    sdb_bd_fault_init(&fault, &ram.bd);
    if (cut)
        sdb_bd_fault_set_cut(&fault, cut);
    if (cache)
        sdb_bd_fault_set_cache(&fault, cache_log, LOG_ENTRIES);
    int err = fn(&fault.bd, ctx);
    if (writes)
        *writes = (unsigned)fault.writes_seen;
    if (cut && !fault.powered_off)
        return 1; /* the cut point was never reached */
    return err;
}

static bool judge(struct run_state *st, uint8_t *mem, bool cache_loss, const char *id)
{
    const struct sdb_pc_scenario *s = st->s;
    char why[1024] = "";
    st->res->cases++;
    int err = on_card(mem, s->image_bytes, NULL, false, s->recover, s->ctx, NULL);
    bool ok = err == SDB_OK;
    if (!ok)
        snprintf(why, sizeof why, "recovery failed: %s (%d)", sdb_strerror(err), err);
    if (ok) {
        struct sdb_bd_ram ram;
        sdb_bd_ram_init(&ram, mem, (uint32_t)(s->image_bytes / SDB_SECTOR_SIZE));
        ok = s->verify(&ram.bd, mem, s->image_bytes, s->ctx, cache_loss, why, sizeof why);
    }
    if (ok && s->fsck_each) {
        char report[900];
        int clean = sdb_test_fsck_clean_mem(mem, s->image_bytes, report, sizeof report);
        if (clean != 1) {
            ok = false;
            snprintf(why, sizeof why, "fsck.fat -n: %s", report);
        }
    }
    if (!ok) {
        st->res->failed++;
        if (st->res->failed <= 20)
            printf("powercut %s: FAIL %s: %s\n", s->name, id, why);
    }
    return ok;
}

/* Second cuts: interrupt the recovery of the card in st->after at every write. */
static void second_cuts(struct run_state *st, const char *first_id)
{
    const struct sdb_pc_scenario *s = st->s;
    unsigned writes = 0;
    memcpy(st->work, st->after, s->image_bytes);
    on_card(st->work, s->image_bytes, NULL, false, s->recover, s->ctx, &writes);
    for (unsigned j = 1; j <= writes; j++) {
        memcpy(st->work, st->after, s->image_bytes);
        struct sdb_fault_case cut = {.at = j};
        if (on_card(st->work, s->image_bytes, &cut, false, s->recover, s->ctx, NULL) == 1)
            continue;
        char id[2 * SDB_FAULT_ID_MAX + 2];
        snprintf(id, sizeof id, "%s+w%u", first_id, j);
        judge(st, st->work, false, id);
    }
}

static void one_case(struct run_state *st, const struct sdb_fault_case *cut, bool cache,
                     bool second)
{
    const struct sdb_pc_scenario *s = st->s;
    char id[SDB_FAULT_ID_MAX];
    sdb_fault_case_format(cut, id, sizeof id);
    memcpy(st->work, st->base, s->image_bytes);
    if (on_card(st->work, s->image_bytes, cut, cache, s->run, s->ctx, NULL) == 1)
        return;
    memcpy(st->after, st->work, s->image_bytes);
    judge(st, st->work, cache, id);
    if (second)
        second_cuts(st, id);
}

static const uint64_t loss_masks[] = {~0ull, 0x5555555555555555ull, 1ull};

static int replay(struct run_state *st, const char *spec)
{
    char first[SDB_FAULT_ID_MAX];
    snprintf(first, sizeof first, "%s", spec);
    char *plus = strchr(first, '+');
    if (plus)
        *plus = '\0';
    struct sdb_fault_case cut;
    if (sdb_fault_case_parse(first, &cut))
        return SDB_E_INVAL;
    const struct sdb_pc_scenario *s = st->s;
    memcpy(st->work, st->base, s->image_bytes);
    on_card(st->work, s->image_bytes, &cut, cut.lost != 0, s->run, s->ctx, NULL);
    if (plus) {
        struct sdb_fault_case cut2;
        if (sdb_fault_case_parse(plus + 1, &cut2))
            return SDB_E_INVAL;
        on_card(st->work, s->image_bytes, &cut2, false, s->recover, s->ctx, NULL);
    }
    judge(st, st->work, cut.lost != 0, spec);
    return SDB_OK;
}

int sdb_pc_run(const struct sdb_pc_scenario *s, struct sdb_pc_result *res)
{
    struct run_state st = {.s = s, .res = res};
    memset(res, 0, sizeof *res);
    st.base = calloc(1, s->image_bytes);
    st.work = calloc(1, s->image_bytes);
    st.after = calloc(1, s->image_bytes);
    int err = SDB_E_INTERNAL;
    if (!st.base || !st.work || !st.after)
        goto out;
    if ((err = on_card(st.base, s->image_bytes, NULL, false, s->setup, s->ctx, NULL)))
        goto out;
    const char *only = getenv("SDB_CUT_CASE");
    if (only && *only) {
        err = replay(&st, only);
        goto report;
    }
    unsigned writes = 0;
    memcpy(st.work, st.base, s->image_bytes);
    if ((err = on_card(st.work, s->image_bytes, NULL, false, s->run, s->ctx, &writes)))
        goto out;
    res->writes = writes;
    judge(&st, st.work, false, "uncut");
    for (unsigned k = 1; k <= writes; k++) {
        struct sdb_fault_case lost = {.at = k}, torn = {.at = k, .tear = 256};
        one_case(&st, &lost, false, s->second_cut);
        one_case(&st, &torn, false, false);
        for (size_t m = 0; s->cache_modes && m < sizeof loss_masks / sizeof loss_masks[0]; m++) {
            struct sdb_fault_case cached = {.at = k, .tear = 512, .lost = loss_masks[m]};
            one_case(&st, &cached, true, false);
        }
    }
report:
    printf("powercut %s: %u writes, %u cases run, %u failed\n", s->name, res->writes, res->cases,
           res->failed);
out:
    free(st.base);
    free(st.work);
    free(st.after);
    return err;
}
