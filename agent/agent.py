"""Reference monitoring agent: enrols this machine once, then reports its metrics.

Standard library plus psutil only, so it can be copied onto a machine on its own:

    python agent/agent.py --server https://console.example.com --token TOKEN [--interval 60]

The device key the server hands out at enrolment is kept in a state file (mode 600) and
is the only credential used afterwards. When the server cannot be reached, the agent
retries with exponential back-off up to a cap, then carries on at its interval.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import os
import platform
import random
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

VERSION = "1.0.0"
logger = logging.getLogger("atera-agent")

# File systems that are not disks a person fills: their use would only raise false alerts.
PSEUDO_FS = {"squashfs", "tmpfs", "devtmpfs", "overlay", "proc", "sysfs", "nsfs", "ramfs"}
GB = 1024**3
# Shorter intervals would hammer the server for no better alerting (rules count minutes).
MIN_INTERVAL = 5.0


class Refused(Exception):
    """The server answered with a 4xx: retrying the same request would not help."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def post(url: str, payload: dict, key: str | None = None, timeout: float = 10) -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": f"atera-agent/{VERSION}"}
    if key:
        headers["Authorization"] = f"Device {key}"
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's own server)
        url, data=json.dumps(payload).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500:
            try:
                body = json.loads(error.read() or b"{}")
            except ValueError:
                body = {}
            raise Refused(error.code, body) from error
        raise


def load_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


def save_state(path: Path, state: dict) -> None:
    """Write atomically and readable by the owner only: the file holds the device key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(state, handle)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def device_kind() -> str:
    if sys.platform == "darwin":
        return "mac"
    return "workstation"


def volumes() -> list[dict]:
    found, seen = [], set()
    for partition in psutil.disk_partitions(all=False):
        if partition.fstype in PSEUDO_FS or partition.mountpoint in seen:
            continue
        seen.add(partition.mountpoint)
        try:
            usage = psutil.disk_usage(partition.mountpoint)
        except OSError:
            continue
        found.append(volume(partition.mountpoint, usage))
    if not found:
        # In a container every mount may be an overlay; the root is still worth watching.
        found.append(volume("/", psutil.disk_usage("/")))
    return found[:64]


def volume(name: str, usage) -> dict:
    return {
        "name": name[:100],
        "used_percent": round(usage.percent, 1),
        "free_gb": round(usage.free / GB, 2),
        "total_gb": round(usage.total / GB, 2),
    }


def measure(sequence: int) -> dict:
    return {
        "sent_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "sequence": sequence,
        # Since the previous call: the average over the interval, not an instant.
        "cpu_percent": round(psutil.cpu_percent(interval=None), 1),
        "memory_percent": round(psutil.virtual_memory().percent, 1),
        "uptime_seconds": max(int(time.time() - psutil.boot_time()), 0),
        "volumes": volumes(),
        "agent_version": VERSION,
    }


class Agent:
    def __init__(self, args: argparse.Namespace) -> None:
        self.server = args.server.rstrip("/")
        self.token = args.token
        self.interval = args.interval
        self.max_backoff = args.max_backoff
        self.kind = args.kind or device_kind()
        self.state_path = Path(args.state).expanduser()
        self.state = load_state(self.state_path)

    def url(self, path: str) -> str:
        return f"{self.server}/api/v1/agent/{path}"

    def enrol(self) -> None:
        if not self.token:
            raise SystemExit("Not enrolled yet: pass --token with the customer's enrolment token.")
        answer = self.with_retries(
            lambda: post(
                self.url("enrol/"),
                {
                    "token": self.token,
                    "hostname": socket.gethostname()[:255],
                    "os": f"{platform.system()} {platform.release()}".strip()[:255],
                    "kind": self.kind,
                },
            )
        )
        self.state = {"server": self.server, "device_id": answer["device_id"], "sequence": 0}
        self.state["key"] = answer["key"]
        save_state(self.state_path, self.state)
        logger.info("enrolled as device %s; key in %s", answer["device_id"], self.state_path)

    def report(self) -> dict:
        """Send one report; a sequence the server has seen already is skipped past."""
        sequence = self.state.get("sequence", 0) + 1
        while True:
            try:
                answer = self.with_retries(
                    lambda number=sequence: post(
                        self.url("reports/"), measure(number), key=self.state["key"]
                    )
                )
            except Refused as refused:
                if refused.status == 409 and "last_sequence" in refused.body:
                    # State restored from a backup: continue after the server's last one.
                    sequence = int(refused.body["last_sequence"]) + 1
                    continue
                raise
            self.state["sequence"] = sequence
            save_state(self.state_path, self.state)
            return answer

    def with_retries(self, call):
        delay = 1.0
        while True:
            try:
                return call()
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
                if isinstance(error, urllib.error.HTTPError) and error.code < 500:
                    raise
                wait = min(delay, self.max_backoff) * random.uniform(0.8, 1.2)
                logger.warning("server unreachable (%s); retrying in %.1f s", error, wait)
                time.sleep(wait)
                delay = min(delay * 2, self.max_backoff)

    def run(self, once: bool = False) -> int:
        if "key" not in self.state:
            try:
                self.enrol()
            except Refused as refused:
                logger.error("enrolment refused (%s): check the token", refused)
                return 2
        psutil.cpu_percent(interval=None)  # the first reading is always 0: prime it
        next_at = time.monotonic()
        while True:
            try:
                answer = self.report()
                logger.info("report accepted: %s", answer)
            except Refused as refused:
                if refused.status in (401, 403):
                    logger.error("the server refuses this device (%s); stopping", refused)
                    return 3
                # A 400 names the field; the next measurement may be fine.
                logger.error("report refused: %s", refused)
            if once:
                return 0
            next_at += self.interval
            time.sleep(max(next_at - time.monotonic(), 0))


def seconds(text: str) -> float:
    """A finite, positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="the console's URL")
    parser.add_argument("--token", help="the customer's enrolment token (first run only)")
    parser.add_argument(
        "--interval",
        type=seconds,
        default=60,
        help=f"seconds between reports (at least {MIN_INTERVAL:g})",
    )
    # For the end-to-end tests only, which cannot wait minutes for a few reports.
    parser.add_argument("--allow-short-interval", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--state", default="~/.atera-agent.json", help="where the key is kept")
    parser.add_argument("--kind", choices=["workstation", "server", "mac", "other"])
    parser.add_argument("--max-backoff", type=seconds, default=300, help="longest retry wait (s)")
    parser.add_argument("--once", action="store_true", help="send one report and exit")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.interval < MIN_INTERVAL and not args.allow_short_interval:
        parser.error(f"argument --interval: must be at least {MIN_INTERVAL:g} seconds")
    logging.basicConfig(
        level=logging.INFO if args.verbose or not args.once else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    try:
        return Agent(args).run(once=args.once)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
