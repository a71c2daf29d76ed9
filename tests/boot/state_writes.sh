#!/usr/bin/env bash
# The boot state changes only through the transitions in src/boot/state.c:
# no file of src/ or tools/ other than state.c writes a field of struct
# sdboot_state, and inside state.c fs_dirty is set only by fs_work_begin and
# cleared only by fs_work_end. Field names are read from boot.h, so a new
# field is covered as soon as it is declared.
set -euo pipefail
src=${SDB_SRC:?}
cd "$src"
fields=$(sed -n '/^struct sdboot_state {/,/^};/p' include/sdboot/boot.h |
  grep -oP '^\s+\w+\s+\K\w+(?=(\[[^]]*\])?;)' | paste -sd'|')
[ -n "$fields" ] && grep -qw seq <<< "${fields//|/ }" || { echo "FAIL: no fields parsed"; exit 1; }
# x->field = / x.field = / ++ / -- / op= / x->field[i] = / memcpy(x->field, / snprintf(x->field,
assign="(->|\.)\s*($fields)\b\s*(\[[^]]*\])?\s*([-+*/|&^]?=(?!=)|\+\+|--)"
prefix="(\+\+|--)\s*\w+(->|\.)\s*($fields)\b"
copy="\b(memcpy|memset|memmove|strcpy|strncpy|snprintf|sprintf)\s*\(\s*&?\s*[\w>.-]*(->|\.)($fields)\b"
files=$(git ls-files 'src/*.c' 'src/*.h' 'tools/*.c' | grep -v '^src/boot/state\.c$')
hits=$(grep -nP "$assign|$prefix|$copy" $files |
  grep -vP '\b(res|r|e|rec|opts|cfg|lim|entry|h|d|t|w|c|f|s|stat|ent|info)(->|\.)' || true)
# Only fields of the boot state count: keep lines that name a state variable.
hits=$(grep -P '\b(st|state|b->st|engine\.st|sdb\.st)\b' <<< "$hits" || true)
if [ -n "$hits" ]; then
  echo "FAIL: boot state written outside src/boot/state.c (use a transition there):"
  echo "$hits"
  exit 1
fi
sets=$(grep -cP 'fs_dirty\s*=\s*(true|false)' src/boot/state.c)
in_bracket=$(awk '/^int fs_work_(begin|end)\(/,/^}/' src/boot/state.c | grep -cP 'fs_dirty\s*=\s*(true|false)')
if [ "$sets" -ne 2 ] || [ "$in_bracket" -ne 2 ]; then
  echo "FAIL: fs_dirty set $sets times in state.c, $in_bracket of them in fs_work_begin/end (want 2 and 2)"
  exit 1
fi
echo "state fields ($fields): written only in src/boot/state.c; fs_dirty only in fs_work_begin/end"
