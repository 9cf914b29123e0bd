#!/usr/bin/env python3
"""fdatasync latency of the disk under a directory: the floor under every durable commit.

  bench/fsync_latency.py [DIR] [COUNT]

Writes a 4 KiB page and fdatasyncs it COUNT times (default 300) in a fresh file under DIR
(default /tmp), then prints p50/p90/p99. A client that waits for its commit can be answered at
most once per fdatasync, so N connections with one request each cannot be acknowledged faster
than N / p50 per second, whatever the server.
"""
import os
import sys
import tempfile
import time


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with tempfile.NamedTemporaryFile(dir=directory) as f:
        page = os.urandom(4096)
        times = []
        for i in range(count):
            os.pwrite(f.fileno(), page, (i % 16) * 4096)
            start = time.perf_counter()
            os.fdatasync(f.fileno())
            times.append(time.perf_counter() - start)
    times.sort()
    pick = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000
    print(f"fdatasync of 4 KiB under {directory}: p50 {pick(0.5):.2f} ms, "
          f"p90 {pick(0.9):.2f} ms, p99 {pick(0.99):.2f} ms ({count} runs)")
    print(f"ceiling for 32 connections waiting on their commit: {32 / (pick(0.5) / 1000):,.0f}/s")


if __name__ == "__main__":
    main()
