#!/usr/bin/env bash
# --json of sim status, sim boot, inspect and verify: one object on stdout that
# python3 -m json.tool parses, carrying the same numbers and words as the text
# lines of the same run (a copy of the same card image for sim boot), the same
# exit code, and errors as {code, message} with the message the text prints.
set -uo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" json
# run NAME CMD...: stdout in NAME.out, stderr in NAME.err, exit code in NAME.rc
run() {
    local name=$1
    shift
    "$@" >"$name.out" 2>"$name.err"
    echo $? >"$name.rc"
}
# field FILE EXPR: a value of the JSON in FILE (python expression on j)
field() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
# valid NAME: exactly one JSON object on stdout, that json.tool accepts
valid() {
    python3 -m json.tool "$1.out" >/dev/null && [ "$(wc -l <"$1.out")" -eq 1 ] &&
        [ "$(field "$1.out" 'type(j).__name__')" = dict ]
}
text() { sed -n "s/^$2: //p" "$1.out"; } # text NAME KEY: the value of a "KEY: value" line

mkdir -p v1/app v2/app
echo "print('v1')" >v1/main.py
echo "A=1" >v1/app/a.py
echo "print('v2')" >v2/main.py
echo "A=2" >v2/app/a.py
"$SDBOOT" keygen key.pem pub.pem >/dev/null
"$SDBOOT" keygen other.pem otherpub.pem >/dev/null
"$SDBOOT" pack --version 1.0.0 --out site --key key.pem -C v1 main.py app >/dev/null
"$SDBOOT" image create card.img --size 8M >/dev/null

# sim boot on two copies of the same card: text and JSON agree
"$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem >/dev/null
cp card.img text.img && cp card.img json.img
run bt "$SDBOOT" sim boot --card text.img
run bj "$SDBOOT" sim boot --card json.img --json
check valid bj
check [ "$(cat bt.rc)" = 0 ] && check [ "$(cat bj.rc)" = 0 ]
check cmp -s text.img json.img
check [ "$(field bj.out 'j["command"]')" = "sim boot" ]
check [ "$(field bj.out 'j["ok"]')" = True ]
check [ "$(field bj.out 'j["decision"]["text"]')" = "$(text bt decision)" ]
check [ "$(field bj.out 'j["decision"]["key"]')" = run_card ]
check [ "$(field bj.out 'j["version"] + " (on trial: boot %d of %d, not confirmed)" % (j["trial"]["used"], j["trial"]["max"])')" = "$(text bt version)" ]
check [ "$(field bj.out 'j["event"]["name"]')" = "$(text bt event)" ]
check [ "$(field bj.out '"%d sectors read in %d requests, %d sectors written in %d requests" % (j["card_io"]["sectors_read"], j["card_io"]["read_requests"], j["card_io"]["sectors_written"], j["card_io"]["write_requests"])')" = "$(text bt card | sed 's/, est\. .*//')" ]
check [ "$(field bj.out 'j["card_io"]["read_requests"] > 0 and j["card_io"]["sectors_written"] > 0')" = True ]
check [ "$(field bj.out '"\n".join("  boot: " + l for l in j["log"])')" = "$(grep '^  boot: ' bt.out)" ]
check [ "$(field bj.out 'j["sdboot"]["version"]')" = "$("$SDBOOT" --version | sed -n '1s/^sdboot \([^ ]*\).*/\1/p')" ]

# sim status: every text line, from the JSON
run st "$SDBOOT" sim status --card json.img
run sj "$SDBOOT" sim status --card json.img --json
check valid sj
check [ "$(field sj.out 'j["installed"]')" = "$(text st installed)" ]
check [ "$(field sj.out 'j["previous"] or "-"')" = "$(text st previous)" ]
check [ "$(field sj.out '"yes" if j["confirmed"] else "no"')" = "$(text st confirmed)" ]
check [ "$(field sj.out '"%d of %d boots used" % (j["trial"]["used"], j["trial"]["max"])')" = "$(text st trial)" ]
check [ "$(field sj.out 'j["phase"]')" = "$(text st phase)" ]
check [ "$(field sj.out 'j["last_event"]["name"]')" = "$(text st 'last event')" ]
check [ "$(field sj.out '"yes (pending install)" if j["staged"] else "no"')" = "$(text st staged)" ]
check [ "$(field sj.out '"%s (%s)" % (j["refused"]["version"], j["refused"]["error"]["message"]) if j["refused"] else "-"')" = "$(text st refused)" ]

# a refused install: the event carries the error code and message of the text
"$SDBOOT" pack --version 1.1.0 --out site --key key.pem -C v2 main.py app >/dev/null
"$SDBOOT" sim stage --card json.img --release site --pubkey pub.pem >/dev/null
cp json.img text.img
run ct "$SDBOOT" sim boot --card text.img --power-cut-after 5
run cj "$SDBOOT" sim boot --card json.img --power-cut-after 5 --json
check [ "$(cat cj.rc)" = 75 ] && check [ "$(cat ct.rc)" = 75 ]
check valid cj
check [ "$(field cj.out 'j["ok"]')" = False ]
check [ "$(field cj.out 'j["error"]["code"] < 0')" = True ]
check [ "$(field cj.out 'j["error"]["message"]')" = "power cut after 5 sector writes (simulated)" ]
check grep -qF "sdboot sim boot: $(field cj.out 'j["error"]["message"]')" cj.err
check cmp -s text.img json.img
run sc "$SDBOOT" sim status --card json.img --json
check [ "$(field sc.out 'j["phase"]')" != idle ] || check [ "$(field sc.out 'j["staged"]')" = True ]

# errors: the same exit code, {code, message}, and the text's message on stderr
run me "$SDBOOT" sim status --card 'missing "card" é.img' --json
check [ "$(cat me.rc)" = 1 ]
check valid me
check [ "$(field me.out 'j["card"]')" = 'missing "card" é.img' ]
check [ "$(field me.out 'j["ok"]')" = False ]
check grep -qF "$(field me.out 'j["error"]["message"]')" me.err
"$SDBOOT" image create blank.img --size 8M >/dev/null
run ns "$SDBOOT" sim status --card blank.img --json
check [ "$(cat ns.rc)" = 1 ]
check [ "$(field ns.out 'j["error"]["message"]')" = "no sdboot state on this card" ]
check [ "$(field ns.out 'j["error"]["code"]')" -lt 0 ]
run ua "$SDBOOT" sim status --card blank.img --json --bogus
check [ "$(cat ua.rc)" = 2 ]
check [ ! -s ua.out ]

# inspect: entries, count, bytes and the index as the text says
tar=site/1_0_0-firmware.tar
run it "$SDBOOT" inspect "$tar"
run ij "$SDBOOT" inspect "$tar" --json
check valid ij
check [ "$(field ij.out '"%s: %d entries, %d bytes, %s" % (j["file"], j["entry_count"], j["bytes"], "accepted" if j["accepted"] else "refused")')" = "$(grep ' bytes, accepted$' it.out)" ]
check [ "$(field ij.out '"\n".join("%s %10d  %s%s" % (e["type"][0], e["size"], e["path"], "/" if e["type"] == "dir" else "") for e in j["entries"])')" = "$(sed '/ bytes, accepted$/,$d' it.out)" ]
check [ "$(field ij.out '"index %s.idx: %d files, %d directories" % (j["file"], j["index"]["files"], j["index"]["dirs"])')" = "$(grep -o '^index .*: [0-9]* files, [0-9]* directories' it.out)" ]
check [ "$(field ij.out 'j["index"]["files"]')" = 2 ]
check [ "$(field ij.out 'len(j["entries"]) == j["entry_count"]')" = True ]
mkdir -p bad && (cd bad && ln -s /etc/passwd link && tar -cf ../bad.tar link)
run rt "$SDBOOT" inspect bad.tar
run rj "$SDBOOT" inspect bad.tar --json
check [ "$(cat rj.rc)" = 1 ] && check [ "$(cat rt.rc)" = 1 ]
check valid rj
check [ "$(field rj.out 'j["accepted"]')" = False ]
check grep -qF "refused: $(field rj.out 'j["error"]["message"]')" rt.err

# verify: one result per release, the signature, the totals
run vt "$SDBOOT" verify site --pubkey pub.pem
run vj "$SDBOOT" verify site --pubkey pub.pem --json
check valid vj
check [ "$(field vj.out 'j["passed"]')" = "$(grep -c '^ok   [0-9]' vt.out)" ]
check [ "$(field vj.out 'j["passed"]')" = 2 ]
check [ "$(field vj.out 'j["failed"]')" = 0 ]
check [ "$(field vj.out 'j["signature"]["valid"]')" = True ]
check [ "$(field vj.out '"\n".join("ok   %s %s (%d bytes, %d entries, sha256, index of %d files)" % (r["version"], r["file"], r["bytes"], r["entries"], r["index_files"]) for r in j["releases"])')" = "$(grep '^ok   [0-9]' vt.out)" ]
echo garbage >>site/1_1_0-firmware.tar
run wt "$SDBOOT" verify site --pubkey otherpub.pem
run wj "$SDBOOT" verify site --pubkey otherpub.pem --json
check [ "$(cat wj.rc)" = 1 ] && check [ "$(cat wt.rc)" = 1 ]
check valid wj
check [ "$(field wj.out 'j["ok"]')" = False ]
check [ "$(field wj.out 'j["signature"]["valid"]')" = False ]
check [ "$(field wj.out 'j["failed"]')" = 1 ]
check grep -qF "FAIL signature of site/versions: $(field wj.out 'j["signature"]["error"]["message"]')" wt.out
check grep -qF "FAIL 1.1.0 1_1_0-firmware.tar: $(field wj.out '[r for r in j["releases"] if not r["ok"]][0]["error"]["message"]')" wt.out
check [ "$(field wj.out '[r for r in j["releases"] if not r["ok"]][0]["error"]["code"] < 0')" = True ]

checks_done
