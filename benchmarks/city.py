"""``city``: a city on one bot (issue 19): 300,000 people, 5,000 groups, 50 units, and whether the
costs stay flat as its people, inbox, outbox and tickets grow.

* messages: 200,000 messages from senders drawn at random among the people, over the groups,
  through the whole pipeline (inbox, dispatcher, a keyword plugin that writes a row and replies,
  outbox, a null platform), on SQLite and on PostgreSQL: msgs/s over the first and the last
  10,000 (flat, not falling as the tables grow), RSS after every 50,000 (bounded: the caches have
  a size);
* workers: a queued inbox on PostgreSQL drained by one worker in single mode (the baseline), one
  worker in shared mode (``dispatcher.shared``) and two shared workers, each its own process;
* tickets: the complaints plugin at 100,000 open tickets over the units: the overdue scan, the
  morning digest and ``/tickets`` (SQLite);
* check-in: one opened in each of 5,000 groups of 12 named people, against the physical bound of
  posting its prompts at Telegram's 30 msg/s;
* broadcast: a promotion to 5,000 groups, press to last copy, against a bare ``ctx.send`` loop
  and the same physical bound.

The machine's load average is printed beside each part: the figures are only comparable within
a run. ``--small`` runs every part at a size for a smoke test (under 2 minutes).

    python -m benchmarks.city [--small] [--parts messages,workers,tickets,checkin,broadcast]
        [--no-postgres] [--messages 200000] [--people 300000] [--groups 5000] ...
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from benchmarks import _city_stream, _city_work
from benchmarks._city_stream import load
from benchmarks.dispatch import drop_pg, pg_url

PARTS = ("messages", "workers", "tickets", "checkin", "broadcast")
CITY = {"people": 300_000, "groups": 5_000, "units": 50, "messages": 200_000,
        "tickets": 100_000, "checkin_groups": 5_000, "checkin_size": 12,
        "broadcast_groups": 5_000, "queued": 20_000, "queued_chats": 500}  # fmt: skip
SMALL = {"people": 3_000, "groups": 200, "units": 50, "messages": 20_000, "tickets": 2_000,
         "checkin_groups": 100, "checkin_size": 12, "broadcast_groups": 100, "queued": 2_000,
         "queued_chats": 100}  # fmt: skip


async def messages(size: dict[str, Any], with_pg: bool) -> None:
    n, people, groups = size["messages"], size["people"], size["groups"]
    print(f"messages: {n:,} from random senders among {people:,} people in {groups:,} groups "
          f"({load()})")  # fmt: skip
    print(f"{(await _city_stream.stream(None, 'SQLite', n, people, groups)).line()} ({load()})")
    url = await pg_url() if with_pg else None
    if url:
        found = await _city_stream.stream(url, "PostgreSQL, 1 worker", n, people, groups)
        print(f"{found.line()} ({load()})")


async def workers(size: dict[str, Any], with_pg: bool) -> None:
    n, chats = size["queued"], size["queued_chats"]
    print(f"workers: {n:,} queued messages over {chats} chats, PostgreSQL, one process each "
          f"({load()})")  # fmt: skip
    if not with_pg:
        print("  (skipped: no PostgreSQL)")
        return
    base = None
    for count, shared in ((1, False), (1, True), (2, True)):
        url = await pg_url()
        if url is None:
            return
        found = await _city_stream.drain(url, n, chats, count, shared=shared, timeout=600)
        base = base or found["rate"]
        mode = "shared" if shared else "single"
        stuck = (f"; NOT DONE: {found['unhandled']:,} unhandled, {found['pending']:,} unsent"
                 if found["unhandled"] or found["pending"] else "")  # fmt: skip
        print(f"  {count} worker{'s' if count > 1 else ' '} {mode:<6} {found['seconds']:6.1f} s, "
              f"{found['rate']:6,.0f} msgs/s ({found['rate'] / base:.2f}x single), handled "
              f"{' + '.join(f'{h:,}' for h in found['shares'])} in {found['batches']:,} batches, "
              f"workers' CPU {found['cpu']:.1f} s (start-up too){stuck} ({load()})")  # fmt: skip


async def tickets(size: dict[str, Any], with_pg: bool) -> None:
    print(f"tickets: {size['tickets']:,} open tickets over {size['units']} units, SQLite "
          f"({load()})")  # fmt: skip
    for line in await _city_work.tickets(size["tickets"], size["units"], None):
        print(line)


async def checkin(size: dict[str, Any], with_pg: bool) -> None:
    groups, people = size["checkin_groups"], size["people"]
    print(f"checkin: {groups:,} groups of {size['checkin_size']}, SQLite ({load()})")
    for line in await _city_work.checkin(groups, size["checkin_size"], people):
        print(line)


async def broadcast(size: dict[str, Any], with_pg: bool) -> None:
    print(f"broadcast: {size['broadcast_groups']:,} groups, SQLite ({load()})")
    for line in await _city_work.broadcast(size["broadcast_groups"], None):
        print(line)


async def main(size: dict[str, Any], parts: list[str], with_pg: bool) -> None:
    print(f"city: {', '.join(f'{k}={v:,}' for k, v in size.items())}; {os.cpu_count()} cores, "
          f"{load()}")  # fmt: skip
    try:
        for part in parts:
            started = time.perf_counter()
            await globals()[part](size, with_pg)
            print(f"  ({part}: {time.perf_counter() - started:.0f} s, {load()})")
    finally:
        if with_pg:
            await drop_pg()


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="every part, small: a smoke test")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--shared", action="store_true", help=argparse.SUPPRESS)
    for key, value in CITY.items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=None,
                            help=f"default {value:,} ({SMALL[key]:,} with --small)")  # fmt: skip
    return parser.parse_args(argv)


def sizes(args: argparse.Namespace) -> dict[str, Any]:
    base = SMALL if args.small else CITY
    return {k: getattr(args, k) if getattr(args, k) is not None else v for k, v in base.items()}


if __name__ == "__main__":
    args = arguments()
    if args.worker:
        asyncio.run(_city_stream.worker_main(args.worker, args.shared))
    else:
        asyncio.run(main(sizes(args), args.parts.split(","), not args.no_postgres))
