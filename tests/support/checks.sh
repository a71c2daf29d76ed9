# Shared by the shell tests of the CLI and the install: source it with a name,
#   source "$SDB_SRC/tests/support/checks.sh" NAME
# to get a scratch directory $work (the current directory, removed on exit),
# `check CMD...` (counts, and prints FAIL with the command when it fails),
# `ok` / `bad WHAT` (count a check done by hand), `run CMD...` (output in
# out.txt, exit code in $rc), an array `pids` of servers killed on exit,
# `help_section "CMD" TITLE` (the first words of the lines under "TITLE:" in
# `sdboot CMD --help`: the commands, the sim subcommands) and `checks_done`,
# which prints "NAME: N passed, M failed" and returns non-zero on a failure;
# `free_port` (a free loopback TCP port), `start_nginx PORT SERVERS` (nginx
# with those server blocks, waited for on http PORT, its access log in
# ngx/logs/access.log: sets $ngx, killed on exit) and `serve_nginx ROOT`
# (start_nginx on a free port serving ROOT: sets $url).
checks_name=$1
work=$(mktemp -d "/tmp/sdb-$checks_name-XXXXXX")
pids=() # servers the test starts: killed on exit
checks_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap checks_cleanup EXIT
cd "$work" || exit 1
fails=0
checks=0

ok() { checks=$((checks + 1)); }
bad() {
    echo "FAIL: $*"
    checks=$((checks + 1))
    fails=$((fails + 1))
}

check() {
    checks=$((checks + 1))
    "$@" || { echo "FAIL: $*"; fails=$((fails + 1)); }
}

# run CMD...: its output in out.txt, its exit code in $rc (never stops the script).
run() {
    set +e
    "$@" >out.txt 2>&1
    rc=$?
    set -e
}

help_section() {
    "$SDBOOT" $1 --help | awk -v title="$2:" '$0 == title { on = 1; next }
        on && !/^  [a-z]/ { exit } on { print $1 }'
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nginx() {
    local nginx_bin
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    mkdir -p ngx/logs ngx/tmp
    cat > ngx/nginx.conf <<NGX
daemon off;
worker_processes 1;
pid $work/ngx/nginx.pid;
error_log $work/ngx/logs/error.log;
events { worker_connections 64; }
http {
  access_log $work/ngx/logs/access.log;
  client_body_temp_path $work/ngx/tmp; proxy_temp_path $work/ngx/tmp;
  fastcgi_temp_path $work/ngx/tmp; uwsgi_temp_path $work/ngx/tmp; scgi_temp_path $work/ngx/tmp;
  $2
}
NGX
    "$nginx_bin" -p "$work/ngx" -c "$work/ngx/nginx.conf" &
    ngx=$!
    pids+=("$ngx")
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$1/versions" && break; sleep 0.1; done
}

serve_nginx() {
    local port
    port=$(free_port)
    start_nginx "$port" "server { listen 127.0.0.1:$port; location / { root $1; } }"
    url="http://127.0.0.1:$port/"
}

checks_done() {
    echo "$checks_name: $((checks - fails)) passed, $fails failed"
    [ "$fails" -eq 0 ]
}
