#!/usr/bin/env python3
"""Hold COUNT connections to sdboot serve on 127.0.0.1:PORT, each with half a
request sent and never finished, for HOLD seconds; touch flood.ready (in the
current directory) once all are open; then print how many the server closed.

usage: serve_flood.py PORT COUNT HOLD_SECONDS
Used by tests/ota/serve.sh (the idle timeout and connection limit hold) and
scripts/bench_serve.sh (a normal request's time under COUNT idle connections).
"""
import resource
import socket
import sys
import time

port, count, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 256), hard))
socks = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /rel.tar HTTP/1.1\r\nHost: x\r\n")  # never finished
    socks.append(s)
open("flood.ready", "w").close()
time.sleep(hold)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except BlockingIOError:
        pass
    except ConnectionResetError:
        closed += 1
print(closed)
