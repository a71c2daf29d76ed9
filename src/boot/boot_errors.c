/* Messages for the boot engine's error codes (boot.h). */
#include <stddef.h>
#include "sdboot/boot.h"

const char *sdb_boot_strerror(int err)
{
    switch (err) {
    case SDBOOT_ENOCARD:
        return "no card";
    case SDBOOT_ECARDIO:
        return "card gives read errors (left untouched)";
    case SDBOOT_ENOFS:
        return "no usable file system and the policy forbids formatting";
    case SDBOOT_ESTATE:
        return "both boot state records are damaged";
    case SDBOOT_ENOPENDING:
        return "no release is staged";
    case SDBOOT_ESTAGED:
        return "staged archive missing or does not match its record";
    case SDBOOT_ENOPREVIOUS:
        return "no previous release to roll back to";
    case SDBOOT_ETOODEEP:
        return "release tree nested too deep";
    case SDBOOT_ENOARCHIVE:
        return "the installed release's archive is missing";
    case SDBOOT_EDAMAGED:
        return "repair could not restore every file";
    case SDBOOT_ENOENTRY:
        return "nothing to run: no release installed and no entry file on the card";
    case SDBOOT_EDAMAGEDFAT:
        return "damaged FAT card left untouched (never formatted): run `sdboot image check`";
    case SDBOOT_EDELTABASE:
        return "staged delta does not apply to the installed release (or the card keeps no index "
               "of it)";
    case SDBOOT_EDELTA:
        return "staged delta lacks a file that its release changed";
    case SDBOOT_EODD:
        return "an entry of sdboot's own in /.sdboot has the wrong type (a directory where a file "
               "belongs, or the reverse): left as it is";
    default:
        return NULL;
    }
}
