#!/usr/bin/env bash
# Bash completion (tools/sdboot/sdboot.bash-completion) in a plain bash, as
# bash would call it: commands, sim/image subcommands, every option of every
# command's --help, files, directories, fixed choices, nothing for numbers,
# and file names with a blank kept whole.
set -uo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" completion
completion=$SDB_SRC/tools/sdboot/sdboot.bash-completion
touch a.img "my card.img" key.pem
mkdir site

# complete WORD... : the candidates for the last word (one per line, sorted)
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
             COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; _sdboot
             printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$SDBOOT" "$@" | sed '/^$/d' | sort
}
# expect 'WANTED,CANDIDATES' WORD... (all of them and nothing else)
expect() {
    local want=$1 got
    shift
    checks=$((checks + 1))
    got=$(complete_words "$@" | paste -sd,)
    want=$(tr ',' '\n' <<<"$want" | sed '/^$/d' | sort | paste -sd,)
    [ "$got" = "$want" ] || { echo "FAIL: sdboot $* -> '$got', want '$want'"; fails=$((fails + 1)); }
}
expect_line() { # expect_line 'ONE CANDIDATE WITH BLANKS' WORD...
    local want=$1
    shift
    checks=$((checks + 1))
    complete_words "$@" | grep -qxF -- "$want" || { echo "FAIL: sdboot $* lacks '$want'"; fails=$((fails + 1)); }
}

check bash -n "$completion"
check bash -c "source '$completion' && complete -p sdboot | grep -q -- '-F _sdboot sdboot'"

expect "keygen,pack,verify,inspect,image,serve,sim,error,version,--help,--version" ""
expect "sim,serve" s
expect "boot,confirm,stage,ota,repair,status" sim ""
expect "stage,status" sim st
expect "create,ls,get,put,mkdir,rm,check" image ""
# after "--": the options of that command's --help, and nothing else
expect "$("$SDBOOT" sim boot --help | grep -oE '(^|[[ ])--[a-z][a-z0-9-]*' | tr -d '[ ' | sort -u | paste -sd,),--help" sim boot --
expect_line --trial-boots sim boot --t
expect_line --tear sim boot --t
checks=$((checks + 1))
complete_words sim boot --t | grep -qv '^--t' && { echo "FAIL: sim boot --t offers more than --t*"; fails=$((fails + 1)); }
expect "a.img,key.pem,my card.img,site" sim boot --card ""
expect "a.img" sim status --card a
expect "site" pack --out ""
expect "site" sim stage --card a.img --release s
expect "site" pack -C ""
expect "key.pem" verify site --pubkey k
expect "12,16,32" image create x.img --fat ""
expect "" pack --version ""
expect "" serve site --port ""
expect "" sim ota --card a.img --url ""
expect "a.img,key.pem,my card.img,site" inspect ""

# every option of every command's --help is offered after "-"
for cmd in $(help_section "" commands | grep -vx 'sim\|image') $(help_section sim subcommands | sed 's/^/sim:/'); do
    cmd=${cmd/:/ }
    for opt in $("$SDBOOT" $cmd --help | grep -oE '(^|[[ ])--?[a-z][a-z0-9-]*' | tr -d '[ ' | sort -u); do
        expect_line "$opt" $cmd "${opt:0:2}"
    done
done

checks_done
