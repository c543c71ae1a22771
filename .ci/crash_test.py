#!/usr/bin/env python3
"""Crash test of bid ingestion (issue 10), driven by `.ci/crash-test`.

For each backend given on the command line: start one or more replicas of `socval serve` on
127.0.0.1:0 sharing its database, create a tender with an open lot over the API, let a few client
threads (spread over the replicas) submit single bids as fast as they can (each attempt a new
`external_id`), `kill -9` a seeded random replica at seeded random moments and restart it on the
same database while the others serve on, then stop the client, restart what is down and check
that every bid answered 201 is stored (listed through `GET …/bids`) and that the audit chain
verifies and chains one event per change, none left pending (`GET /v1/audit/verify`, then
`socval check-audit` offline). Every replica is also an audit sequencer (issue 19), so a kill
often lands in the middle of chaining; another replica, or the restarted one, must take over.

Standard library only. Exit status: 0 all backends passed, 1 a check failed, 2 a setup failure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ORG = "crash-test"
START_TIMEOUT_S = 20.0
REQUEST_TIMEOUT_S = 10.0
KILL_GAP_S = (0.3, 1.5)


class SetupError(Exception):
    """The harness could not do its part (server start, tender creation): not a crash finding."""


def log(message: str) -> None:
    print(f"crash-test: {message}", flush=True)


def bid_body(external_id: str) -> bytes:
    # The body of tests/api/bids.rs `bid()`.
    return json.dumps(
        {
            "external_id": external_id,
            "supplier": {"name": f"Supplier {external_id}"},
            "price": "98500.50",
            "submitted_at": "2026-03-01T10:00:00+01:00",
            "commitments": [
                {"measure": "SVS-CARBON-SAVED", "quantity": "12.5"},
                {
                    "description": "We will employ apprentices from the local area",
                    "quantity": 4,
                    "unit": "people",
                },
            ],
        }
    ).encode()


TENDER = {
    # tests/api/tenders.rs `tender_body()`
    "external_id": "CRASH-1",
    "title": "Facilities management",
    "buyer": "Department for Example",
    "authority_type": "central_government",
    "procurement_regime": "procurement_act_2023",
    "value": "1200000",
    "lots": [{"title": "North", "external_id": "CRASH-1-L1"}, {"title": "South"}],
}

SCHEME = {
    # tests/api/tenders.rs `scheme_body()`
    "authority_type": "central_government",
    "criteria": [
        {"id": "price", "type": "price", "weight": 60},
        {"id": "q1", "type": "quality", "weight": 30, "scale": {"min": 0, "max": 100}},
        {
            "id": "sv",
            "type": "social_value",
            "weight": 10,
            "outcome": "PPN002:1a",
            "method": "qualitative",
            "scale": {"min": 0, "max": 100},
        },
    ],
}


class Server:
    """`socval serve` incarnations of one replica; the live pid is kept in `pid_file` (`*.pid` in
    the work directory) so the shell wrapper can kill it whatever happens to this process."""

    def __init__(self, binary: str, env: dict[str, str], workdir: Path, name: str) -> None:
        self.binary = binary
        self.env = env
        self.workdir = workdir
        self.name = name
        self.pid_file = workdir / f"{name}.pid"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.starts = 0
        self.log_path: Path | None = None

    def start(self) -> int:
        self.starts += 1
        self.log_path = self.workdir / f"{self.name}-{self.starts}.log"
        started = time.monotonic()
        with open(self.log_path, "wb") as log_file:
            self.proc = subprocess.Popen(
                [self.binary, "serve"],
                env={**self.env, "SOCVAL_BIND": "127.0.0.1:0", "SOCVAL_LOG_FORMAT": "json"},
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
            )
        self.pid_file.write_text(f"{self.proc.pid}\n")
        offset = 0
        pending = b""
        while time.monotonic() - started < START_TIMEOUT_S:
            with open(self.log_path, "rb") as log_file:
                log_file.seek(offset)
                chunk = log_file.read()
            offset += len(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                fields = event.get("fields") or {}
                if fields.get("message") == "socval listening":
                    self.port = int(str(fields["address"]).rsplit(":", 1)[1])
                    return self.port
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise SetupError(
            f"{self.name}: server start #{self.starts} did not report its address "
            f"(exit status {self.proc.poll()}); log tail:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def _reap(self) -> None:
        assert self.proc is not None
        self.proc.wait()
        self.pid_file.unlink(missing_ok=True)
        self.proc = None
        self.port = None

    def kill9(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self._reap()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not drained in 10 s."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log(f"{self.name}: server ignored SIGTERM for 10 s, killing it")
            self.proc.send_signal(signal.SIGKILL)
        self._reap()


def call(port: int, method: str, path: str, token: str, body: object | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, data, headers)
        response = conn.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, text
    finally:
        conn.close()


def expect(port: int, method: str, path: str, token: str, status: int, body: object | None = None):
    actual, text = call(port, method, path, token, body)
    if actual != status:
        raise SetupError(f"{method} {path}: expected {status}, got {actual}: {text[:500]}")
    return json.loads(text) if text else None


class Ingest:
    """Client threads posting single bids, thread i to replica i modulo the replicas, at whatever
    port that replica has now (None while it is down)."""

    def __init__(self, bids_path: str, token: str, workers: int, replicas: int) -> None:
        self.bids_path = bids_path
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.ports: list[int | None] = [None] * replicas
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.counter = 0
        self.acknowledged: set[str] = set()
        self.attempted = 0
        self.failures = 0  # connection refused / reset / timeout: not acknowledged
        self.statuses: dict[int, int] = {}
        self.samples: list[str] = []
        self.threads = [
            threading.Thread(target=self.run, args=(i % replicas,), name=f"ingest-{i}", daemon=True)
            for i in range(workers)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stop_flag.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 5)

    def next_id(self) -> str:
        with self.lock:
            self.counter += 1
            self.attempted += 1
            return f"crash-{self.counter:07d}"

    def run(self, replica: int) -> None:
        conn: http.client.HTTPConnection | None = None
        conn_port = None
        while not self.stop_flag.is_set():
            port = self.ports[replica]
            if port is None:
                time.sleep(0.005)
                continue
            if conn is None or conn_port != port:
                if conn is not None:
                    conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
                conn_port = port
            external_id = self.next_id()
            try:
                conn.request("POST", self.bids_path, bid_body(external_id), self.headers)
                response = conn.getresponse()
                text = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = None
                with self.lock:
                    self.failures += 1
                time.sleep(0.005)
                continue
            with self.lock:
                if response.status == 201:
                    self.acknowledged.add(external_id)
                else:
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
                    if len(self.samples) < 5:
                        self.samples.append(
                            f"{response.status} {text[:300].decode(errors='replace')}"
                        )
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


def list_external_ids(port: int, path: str, token: str) -> tuple[set[str], int]:
    """Every bid of the lot through cursor pagination: (external ids, rows listed)."""
    found: set[str] = set()
    rows = 0
    cursor = None
    while True:
        query = "limit=500" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        page = expect(port, "GET", f"{path}?{query}", token, 200)
        for item in page["items"]:
            found.add(item["external_id"])
            rows += 1
        cursor = page.get("next_cursor")
        if not cursor:
            return found, rows


def mint(binary: str, env: dict[str, str], role: str) -> str:
    result = subprocess.run(
        [binary, "token", "--role", role, "--org", ORG, "--sub", "crash-test", "--ttl", "2h"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SetupError(f"socval token failed: {result.stderr.strip()}")
    return result.stdout.strip()


def run_backend(args, name: str, database_url: str, seed: int, replicas: int) -> bool:
    began = time.monotonic()
    workdir = Path(args.workdir)
    env = {
        "DATABASE_URL": database_url,
        "SOCVAL_JWT_SECRET": args.secret,
        # One signing key for every replica (as a deployment mounts one Secret).
        "SOCVAL_AUDIT_SIGNING_KEY": str(workdir / f"{name}-audit-key.pem"),
    }
    # What libpq may need beyond the URL (a password file, TLS roots); nothing else leaks in.
    env.update({k: v for k, v in os.environ.items() if k.startswith("PG") or k in ("HOME", "TMPDIR")})
    platform = mint(args.binary, env, "platform")
    auditor = mint(args.binary, env, "auditor")
    rng = random.Random(seed)  # the same kill schedule on every backend for one seed
    servers = [Server(args.binary, env, workdir, f"{name}-{i}") for i in range(replicas)]
    ingest: Ingest | None = None
    try:
        ports = [server.start() for server in servers]
        port = ports[0]
        tender = expect(port, "POST", "/v1/tenders", platform, 201, TENDER)
        lot_path = f"/v1/tenders/{tender['id']}/lots/{tender['lots'][0]['id']}"
        expect(port, "PUT", f"{lot_path}/scheme", platform, 200, SCHEME)
        expect(port, "POST", f"{lot_path}/open", platform, 200)
        bids_path = f"{lot_path}/bids"

        ingest = Ingest(bids_path, platform, args.workers, replicas)
        ingest.ports = list(ports)
        ingest.start()
        restarts: list[float] = []
        for kill in range(1, args.kills + 1):
            gap = rng.uniform(*KILL_GAP_S)
            victim = rng.randrange(replicas)
            time.sleep(gap)
            ingest.ports[victim] = None
            acknowledged_before = len(ingest.acknowledged)
            servers[victim].kill9()
            log(
                f"{name}: kill -9 #{kill} of replica {victim} after {gap:.2f}s "
                f"(acknowledged so far {acknowledged_before})"
            )
            if kill < args.kills:
                restarted = time.monotonic()
                ingest.ports[victim] = servers[victim].start()
                restarts.append(time.monotonic() - restarted)
        ingest.stop()
        if any(t.is_alive() for t in ingest.threads):
            raise SetupError(f"{name}: client threads did not stop")

        port = next((server.port for server in servers if server.port is not None), None)
        if port is None:
            port = servers[0].start()
        present, rows = list_external_ids(port, bids_path, platform)
        verification = expect(port, "GET", "/v1/audit/verify", auditor, 200)
        for server in servers:
            server.stop()
        offline = subprocess.run(
            [args.binary, "check-audit", "--org", ORG],
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if ingest is not None:
            ingest.stop_flag.set()
        for server in servers:
            server.kill9()

    acknowledged = ingest.acknowledged
    lost = sorted(acknowledged - present)
    unknown = sorted(present - {f"crash-{n:07d}" for n in range(1, ingest.counter + 1)})
    unacknowledged_present = len(present - acknowledged)
    # One event per entity changed: the tender and each of its lots created, the scheme version
    # and the lot that now names it, the lot opened, then one per stored bid.
    setup_events = 1 + len(TENDER["lots"]) + 2 + 1
    expected_events = setup_events + rows
    valid = verification.get("valid") is True
    failures = []
    if lost:
        failures.append(f"{len(lost)} acknowledged bids are missing, e.g. {lost[:10]}")
    if unknown:
        failures.append(f"stored bids nobody submitted: {unknown[:10]}")
    if rows != len(present):
        failures.append(f"the listing has {rows} rows for {len(present)} external ids")
    if not valid:
        failures.append(f"GET /v1/audit/verify: {verification}")
    elif verification.get("events_pending") != 0:
        failures.append(f"events still pending after the ledger read caught up: {verification}")
    elif verification.get("events_checked") != expected_events:
        failures.append(
            f"audit events_checked={verification.get('events_checked')} but "
            f"{setup_events} setup changes + {rows} bids = {expected_events}: a change without its event or "
            f"an event without its change"
        )
    if offline.returncode != 0:
        failures.append(
            f"socval check-audit exited {offline.returncode}: "
            f"{(offline.stdout + offline.stderr).strip()[:500]}"
        )
    other = ",".join(f"{k}x{v}" for k, v in sorted(ingest.statuses.items())) or "none"
    slowest = max(restarts, default=0.0)
    print(
        f"{name}: replicas={replicas} acknowledged={len(acknowledged)} present={len(present)} "
        f"lost={len(lost)} kills={args.kills} audit={'valid' if valid else 'INVALID'} "
        f"(events_checked={verification.get('events_checked')}) "
        f"check-audit={'ok' if offline.returncode == 0 else 'FAILED'} "
        f"| attempts={ingest.attempted} unacknowledged_present={unacknowledged_present} "
        f"connection_failures={ingest.failures} other_statuses={other} "
        f"slowest_restart={slowest:.2f}s runtime={time.monotonic() - began:.1f}s",
        flush=True,
    )
    for sample in ingest.samples:
        log(f"{name}: non-201 sample: {sample}")
    for failure in failures:
        print(f"{name}: FAILED: {failure}", flush=True)
    if failures:
        print(
            f"{name}: reproduce with CRASH_SEED={args.seed} .ci/crash-test "
            f"(kill times replay; the server's state at each kill does not)",
            flush=True,
        )
    return not failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--backend", action="append", required=True, metavar="NAME=DATABASE_URL",
        help="repeatable; each runs in turn on its own database",
    )
    parser.add_argument(
        "--replicas", action="append", default=[], metavar="NAME=COUNT",
        help="replicas of socval serve on that backend's database (1 when not given)",
    )
    args = parser.parse_args()
    replicas = {name: int(count) for name, _, count in (r.partition("=") for r in args.replicas)}

    # SIGTERM (the wrapper's timeout or trap) unwinds through the `finally` that kills the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    ok = True
    for spec in args.backend:
        name, _, url = spec.partition("=")
        try:
            ok &= run_backend(args, name, url, args.seed, replicas.get(name, 1))
        except (SetupError, OSError, http.client.HTTPException, ValueError, KeyError) as error:
            print(f"{name}: FAILED: {type(error).__name__}: {error}", flush=True)
            return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
