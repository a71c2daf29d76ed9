/*
 * The sdboot bootloader for the LM3S6965 (flash-resident): bring the SD card
 * up over SPI, run the boot engine (format policy, interrupted installs,
 * staged releases, trial boots, rollback), then load /app/firmware.bin into
 * SRAM, check it and start it with the application API (sdb_app.h).
 *
 * Console lines start with "sdboot: "; tests read them. Exit codes when the
 * board halts (QEMU semihosting): 2 no card / nothing to run, 4 application
 * missing or refused, 5 the card failed mid-boot (or the stack overflowed),
 * 75 a test power cut.
 *
 * Semihosting arguments (tests): cut=N cuts the power after N sector writes;
 * format=0 forbids formatting; trials=N sets the trial boots.
 *
 * RAM (top 16 KiB of SRAM, lm3s6965.ld): the engine (struct sdboot), the card,
 * the API block; stack measured by painting (printed before the jump).
 */
#include <stdarg.h>
#include <string.h>
#include "app_loader.h"
#include "board.h"
#include "sdb_app.h"
#include "sdboot/boot.h"
#include "sdboot/fio_fat.h"
#include "sdboot/semver.h"

#define EXIT_NOTHING_TO_RUN 2
#define EXIT_NO_APP 4
#define EXIT_CARD_FAILED 5
#define EXIT_POWER_CUT 75

extern char __app_ram_start[], __app_ram_end[];

static struct sdboot engine;
static struct sdb_sd card;
__attribute__((section(".sdb_api"), used)) static struct sdb_app_api api;

/* One console line: "sdboot: ", the text, a newline. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    board_puts("sdboot: ");
    board_vprintf(fmt, ap);
    board_puts("\n");
    va_end(ap);
}

#if SDBOOT_LOG
/* Called at the engine's deepest points: the line is ready. */
static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    say("%s", line);
}
#endif

static void power_cut(void *ctx)
{
    (void)ctx;
    say("POWER CUT after %lu sector writes", (unsigned long)card.stats.blocks_written);
    board_halt(EXIT_POWER_CUT);
}

static void print_traffic(const char *what)
{
    say("%s: spi_commands=%lu sectors_read=%lu sectors_written=%lu read_ops=%lu write_ops=%lu",
        what, (unsigned long)card.stats.commands, (unsigned long)card.bd.stats.sectors_read,
        (unsigned long)card.bd.stats.sectors_written, (unsigned long)card.bd.stats.read_ops,
        (unsigned long)card.bd.stats.write_ops);
}

/* The application's confirm(): the bootloader's FAT driver writes the
 * confirm record the next boot folds into the state. Runs on the
 * application's stack (the file table lives there for the call). */
static int api_confirm(void)
{
    struct sdb_fio_fat files;
    int err = sdb_fat_mount(&engine.vol, &card.bd, false);
    if (err)
        return err;
    sdb_fio_fat_init(&files, &engine.vol);
    err = sdboot_confirm(&files.fio);
    int uerr = sdb_fat_unmount(&engine.vol);
    return err ? err : uerr;
}

static int run_engine(struct sdboot_config *cfg, struct sdboot_result *res)
{
    int err = sdboot_boot(&engine, &card.bd, cfg, res);
    if (err) {
        say("card failed during boot: %s (%d, %s)", sdb_strerror(err), err,
            sdb_sd_fail_name(card.fail));
        board_halt(EXIT_CARD_FAILED);
    }
    say("decision: %s; event: %s; release %s%s (trial %u of %u)",
        res->decision == SDBOOT_RUN_CARD ? "start " SDB_APP_PATH " from the card"
                                         : sdboot_decision_name(res->decision),
        sdboot_event_name(res->event), res->version, res->on_trial ? " on trial" : "",
        (unsigned)res->trials_used, (unsigned)res->trial_max);
    if (res->error)
        say("error: %s (%d)", sdb_strerror(res->error), res->error);
    return SDB_OK;
}

static int load_app(struct sdb_app_header *hdr)
{
    int err = sdb_fat_mount(&engine.vol, &card.bd, true);
    if (err)
        return err;
    err = sdb_app_load(&engine.vol, (uint32_t)(uintptr_t)__app_ram_start,
                       (uint32_t)(uintptr_t)__app_ram_end, hdr);
    int uerr = sdb_fat_unmount(&engine.vol);
    return err ? err : uerr;
}

__attribute__((noinline)) static const char *app_error(int err)
{
    const char *msg = sdb_app_strerror(err);
    return msg ? msg : sdb_strerror(err);
}

int main(void)
{
    board_init();
    say("bootloader (lm3s6965, SD over SPI)");
    card.cut_after_writes = board_arg("cut", 0);
    card.cut = power_cut;
    int err = sdb_sd_open(&card, &board_sd_bus);
    if (err) {
        say("no card: %s (%s); internal fallback, nothing runs", sdb_strerror(err),
            sdb_sd_fail_name(card.fail));
        return EXIT_NOTHING_TO_RUN;
    }
    say("card %s, %lu sectors", card.sdhc ? "SDHC" : "SDSC", (unsigned long)card.bd.sector_count);

    struct sdboot_config cfg = SDBOOT_CONFIG_DEFAULTS;
    cfg.board = "lm3s6965evb";
#if SDBOOT_LOG /* the port builds the engine without its log (CMakeLists.txt) */
    cfg.log = log_line;
#endif
    cfg.entry = SDB_APP_PATH;
    cfg.trial_boots = (uint8_t)board_arg("trials", SDBOOT_DEFAULT_TRIAL_BOOTS);
    if (!board_arg("format", 1))
        cfg.format_policy = 0;
    struct sdboot_result res;
    run_engine(&cfg, &res);
    print_traffic("boot traffic");
    if (res.decision != SDBOOT_RUN_CARD)
        return EXIT_NOTHING_TO_RUN;

    struct sdb_app_header hdr;
    err = load_app(&hdr);
    if (err && err != SDB_APP_ENOFILE && strcmp(res.version, SDB_VERSION_NONE) != 0) {
        say("application damaged: %s; restoring the release", app_error(err));
        cfg.repair = true;
        run_engine(&cfg, &res);
        err = load_app(&hdr);
    }
    if (err) {
        say("application not started: %s", app_error(err));
        return EXIT_NO_APP;
    }
    print_traffic("load traffic");
    api = (struct sdb_app_api){.magic = SDB_APP_API_MAGIC,
                               .api_version = SDB_APP_API_VERSION,
                               .on_trial = res.on_trial,
                               .trials_used = res.trials_used,
                               .trial_max = res.trial_max,
                               .event = (uint8_t)res.event,
                               .confirm = api_confirm,
                               .puts = board_puts,
                               .halt = board_halt};
    _Static_assert(sizeof api.version >= SDB_VERSION_MAX, "version field");
    memcpy(api.version, res.version, SDB_VERSION_MAX);
    uint32_t used = board_stack_used(), size = board_stack_size();
    say("stack used %lu of %lu bytes", (unsigned long)used, (unsigned long)size);
    if (used >= size) {
        /* The paint is gone to the last word: the stack ran into .bss. */
        say("stack overflow: refusing to start the application");
        return EXIT_CARD_FAILED;
    }
    say("starting %s (%lu bytes at 0x%08lx)", api.version, (unsigned long)hdr.image_size,
        (unsigned long)hdr.load_addr);
    sdb_app_start(&hdr);
}
