#!/usr/bin/env python3
"""Synthetic account activity for bench/kpi_vs_clickhouse.sh.

ACCOUNTS accounts with 1 to 4 devices (account i has 1 + i % 4), over LEAD + DAYS days ending
the day before LAST_DAY (days since 1970-01-01); each account is active on a day with
probability 1/2 and then has 1 to 3 events, each on one of its devices. Writes the collector's
CSV (timestamp,type,uid,deviceId,newUser,seqTime,service) for every day but the last as
OUT/backfill.csv and the last day as OUT/last.csv, and the same rows as tab-separated values
for ClickHouse (OUT/*.tsv: day, timestamp, type, uid, deviceId). Deterministic (seeded).
"""
import random
import sys

DAY_MS = 86400000
TYPES = ["account.login", "account.signed", "device.connected", "sequence.begin"]


def main():
    accounts, days, lead, last_day, out = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                           int(sys.argv[4]), sys.argv[5])
    rnd = random.Random(16)
    first = last_day - (lead + days) + 1
    files = {}
    for name in ("backfill", "last"):
        csv = open(f"{out}/{name}.csv", "w")
        csv.write("timestamp,type,uid,deviceId,newUser,seqTime,service\n")
        files[name] = (csv, open(f"{out}/{name}.tsv", "w"))
    for day in range(first, last_day + 1):
        csv, tsv = files["last" if day == last_day else "backfill"]
        rows, crows = [], []
        for account in range(accounts):
            if rnd.random() >= 0.5:
                continue
            uid = f"u{account:07d}"
            devices = 1 + account % 4
            for _ in range(rnd.randint(1, 3)):
                ts = day * DAY_MS + rnd.randrange(DAY_MS)
                kind = TYPES[rnd.randrange(4)]
                device = f"{uid}-d{rnd.randrange(devices)}"
                rows.append(f"{ts},{kind},{uid},{device},{rnd.randrange(2)},"
                            f"{rnd.randrange(60000)},sync\n")
                crows.append(f"{day}\t{ts}\t{kind}\t{uid}\t{device}\n")
        csv.writelines(rows)
        tsv.writelines(crows)
    for csv, tsv in files.values():
        csv.close()
        tsv.close()


if __name__ == "__main__":
    main()
