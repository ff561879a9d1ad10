"""``portout serve`` under load and under faults (issue 18, item 6). No time is ever asserted:
the figures are printed; the exit status says only whether every answer under load was a 201
and whether the fault checks held.

  build/venv/bin/python scripts/load.py [--quick] [--seconds S] [--clients N] [--tenants T]
      [--profiles test,interactive] [--fault-clients N] [--rounds R] [--only load|faults]

Load. For each hash profile (test, and interactive, the default), a fresh store of T tenants
(default 50; a PIN and three numbers each) and four carrier credentials, served by ``portout
serve`` over TLS with one worker per core and no rate limit. N carrier clients (threads, each
with its httpx connection; default 2 x cores) send port-out requests for S seconds (default
10; --quick: 2). Each (carrier, tenant) pair belongs to one client, which sends it three wrong
PINs and then the right one, over and over: the right PIN clears that carrier's failures, so
neither a carrier's lock (5 wrong) nor a tenant's (20 from all carriers in a day) is ever
reached, and every answer is a 201 (Rejected for the PIN; PendingReview; Rejected for a number
already in an open order). Beside it, in the same run: the core's own check rate,
``Store.check_pin`` from N threads on a store of its own at the same profile, with the same mix,
half the time before the server's run and half after (drift between them cancels). Server
requests/s / core checks/s is what the server costs; its target at the interactive profile is
0.90 or more (within 10 %).

Faults. The test profile, two workers, R rounds (default 3; --quick: 1) of max(3, S) seconds
each (--quick: 3). The clients (default 4 x cores) send every request with an Idempotency-Key
of its own and keep each (key, order id) answered 201. Half way into a round one worker is
killed (SIGKILL) and the clients go on; at the round's end, the whole server (its process
group). The store is looked at (which keys have an order), the server restarted on it and on
the same port, and every request whose answer was lost sent again with its key. At the end:
every order answered 201 is in the store under its key, no key has two orders, a request that
committed before a crash gets that order back, every key sent has its order, the server
answered after its worker's death, and the audit chain verifies. A webhook receiver of our own
is subscribed to every PortOutRequest throughout (the server with a 5-second delivery lease):
once the last restart's deliveries drain, every order's event has arrived, its signature good
(a repeat is counted: delivery is at least once). Any failure: exit status 1.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

import portout
from portout.server.certificates import self_signed
from portout.webhooks import WebhookReceiver

PORTOUT = Path(sys.executable).with_name("portout")
PIN = "602917"
CARRIERS = (("Lumen", "6529"), ("Zayo", "7788"), ("Bandwidth", "9513"), ("Telnyx", "4461"))
NUMBERS_PER_TENANT = 3
WRONG_PER_RIGHT = 3  # below the default policy's 5 per carrier; 4 carriers x 3 < 20 per tenant
INTERACTIVE_TARGET = 0.90
TICK = os.sysconf("SC_CLK_TCK")


def cores() -> int:
    return len(os.sched_getaffinity(0))


BEGAN = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - BEGAN:5.1f} s] {text}", file=sys.stderr, flush=True)


# -- stores ------------------------------------------------------------------------------------

@dataclass
class World:
    """A store made for a run: its tenants (each with PIN and numbers) and carrier tokens."""

    path: Path
    key: Path
    profile: str | None  # None: the store's own (interactive, the default)
    tenants: list[str]
    numbers: dict[str, list[str]]
    tokens: list[str]

    def open(self, actor: str = "load") -> portout.Store:
        return portout.Store.open(self.path, key_file=self.key, profile=self.profile, allow_test_profile=True,
                                  actor=actor, create=False)


def make_world(folder: Path, name: str, profile: str | None, tenants: int, carriers: int) -> World:
    folder.mkdir(parents=True, exist_ok=True)
    path, key = folder / f"{name}.db", folder / f"{name}.key"
    ids = [f"tenant{i:04d}" for i in range(tenants)]
    numbers = {t: [f"+1425555{i * NUMBERS_PER_TENANT + j:04d}" for j in range(NUMBERS_PER_TENANT)]
               for i, t in enumerate(ids)}
    with portout.Store.open(path, key_file=key, profile=profile, allow_test_profile=True, actor="load") as s:
        s.import_tenants((t, f"Tenant {t}", "US") for t in ids)
        with ThreadPoolExecutor(cores()) as pool:  # a first PIN is one Argon2id hash, off the GIL
            list(pool.map(lambda t: s.set_pin(t, PIN), ids))
        for t in ids:
            for n in numbers[t]:
                s.add_phone_number(t, n)
        tokens = [s.new_credential(f"load-{c.lower()}", "Carrier", carrier_name=c, carrier_spid=spid).token
                  for c, spid in CARRIERS[:carriers]]
    return World(path, key, profile, ids, numbers, tokens)


def wrong_pin(n: int) -> str:
    pin = f"{(n * 7919 + 104729) % 1_000_000:06d}"
    return pin if pin != PIN else "000001"


def pins(phase: int = 0) -> Iterator[str]:
    """WRONG_PER_RIGHT wrong PINs, then the right one, for ever: one (carrier, tenant) pair's.
    The pairs start at different phases, so that a quarter of the requests carry the right PIN
    from the first round of tenants on, never more than WRONG_PER_RIGHT wrong ones in a row."""
    for n in itertools.count(phase % (WRONG_PER_RIGHT + 1)):
        yield PIN if n % (WRONG_PER_RIGHT + 1) == WRONG_PER_RIGHT else wrong_pin(n)


def requests_of(world: World, client: int, clients: int) -> Iterator[dict[str, Any]]:
    """Client `client`'s port-out requests. It speaks for carrier client % carriers, to its share
    of the tenants: the clients of one carrier split them, so no pair has two clients."""
    carriers = len(world.tokens)
    mine = world.tenants[client // carriers::math.ceil(clients / carriers)]
    schedule = {t: pins(k + client) for k, t in enumerate(mine)}
    asked: Counter[str] = Counter()
    for k in itertools.count():
        tenant = mine[k % len(mine)]
        number = world.numbers[tenant][asked[tenant] // (WRONG_PER_RIGHT + 1) % NUMBERS_PER_TENANT]
        asked[tenant] += 1
        yield {"tenantId": tenant, "phoneNumbers": [number], "pin": next(schedule[tenant])}


# -- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command's name: [0] state, [1] ppid, [2] pgrp, [11]
    utime, [12] stime."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()


def processes() -> Iterator[tuple[int, list[str]]]:
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                yield int(entry.name), proc_stat(int(entry.name))
            except (OSError, IndexError):
                pass  # gone meanwhile


class _NoDelay:
    """httpcore's network backend, with TCP_NODELAY on every connection it opens."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        stream = self.backend.connect_tcp(*args, **kwargs)
        stream.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)


def no_delay(cert: Path) -> httpx.HTTPTransport:
    """A transport whose connections send at once. httpx writes a POST's headers and its body
    apart; with Nagle's algorithm on, the body waits for the server's delayed ACK of the
    headers, 40 ms on Linux, which would be counted against the server."""
    option = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    try:
        return httpx.HTTPTransport(verify=str(cert), socket_options=option)  # type: ignore[call-arg]
    except TypeError:  # httpx before 0.24 takes no socket options: its pool's backend, wrapped
        transport = httpx.HTTPTransport(verify=str(cert))
        pool = transport._pool  # noqa: SLF001
        pool._network_backend = _NoDelay(pool._network_backend)  # type: ignore[assignment]  # noqa: SLF001
        return transport


STARTED: list[Server] = []  # every server started, killed on the way out whatever happens


class Server:
    """``portout serve`` on a loopback port over TLS, in a process group (session) of its own."""

    def __init__(self, world: World, folder: Path, *, workers: int, port: int | None = None,
                 cert: tuple[Path, Path] | None = None, extra: tuple[str, ...] = ()) -> None:
        self.world, self.workers = world, workers
        self.port = port or free_port()
        self.cert, self.cert_key = cert or self_signed(folder, "portout load server")
        self.url = f"https://127.0.0.1:{self.port}"
        args = [str(PORTOUT), "serve", "--store", str(world.path), "--key-file", str(world.key),
                "--listen", f"127.0.0.1:{self.port}", "--tls-cert", str(self.cert), "--tls-key",
                str(self.cert_key), "--workers", str(workers), "--rate-limit", "0", "--allow-test-profile",
                "--log-level", "warning", *extra]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTOUT_", "PROMETHEUS_"))}
        if workers > 1:
            # serve() would make this folder in /tmp itself, and a SIGKILL would leave it there.
            env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="metrics-", dir=folder)
        self.log = folder / f"server-{self.port}-{len(STARTED)}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)
        STARTED.append(self)
        self.wait_ready()

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, transport=no_delay(self.cert))

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn's supervisor spawned (not multiprocessing's helpers)."""
        pids = []
        for pid, stat in processes():
            if int(stat[1]) == self.proc.pid:
                try:
                    if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        pids.append(pid)
                except OSError:
                    pass
        return sorted(pids)

    def _holds_store(self, pid: int) -> bool:
        store = os.path.realpath(self.world.path)
        try:
            return any(os.path.realpath(e.path) == store for e in os.scandir(f"/proc/{pid}/fd"))
        except OSError:
            return False

    def wait_ready(self, timeout: float = 60) -> None:
        """Until /healthz answers and every worker has opened the store (so none is still
        importing when the measurement starts)."""
        deadline = time.monotonic() + timeout
        healthy = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"portout serve stopped: {self.log.read_text(errors='replace')}")
            if not healthy:
                try:
                    with self.client() as c:
                        healthy = c.get("/healthz").status_code == 200
                except httpx.TransportError:
                    pass
            if healthy:
                pids = self.worker_pids() if self.workers > 1 else [self.proc.pid]
                if len(pids) == self.workers and all(self._holds_store(p) for p in pids):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"portout serve did not come up: {self.log.read_text(errors='replace')}")

    def cpu_seconds(self) -> float:
        """CPU time of the supervisor and its workers so far (live processes only)."""
        total = 0
        for pid in [self.proc.pid, *self.worker_pids()]:
            try:
                stat = proc_stat(pid)
                total += int(stat[11]) + int(stat[12])
            except (OSError, IndexError):
                pass
        return total / TICK

    def kill_group(self) -> None:
        """SIGKILL to the whole process group, at once."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL to the whole process group; returns once no process of it is left."""
        if self.proc.poll() is None:
            self.kill_group()
        self.proc.wait(30)
        deadline = time.monotonic() + 30
        while any(int(stat[2]) == self.proc.pid for _, stat in processes()):
            if time.monotonic() > deadline:
                raise RuntimeError(f"processes of group {self.proc.pid} outlived SIGKILL")
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            time.sleep(0.05)

    def stop(self) -> int:
        """SIGTERM: uvicorn finishes what is in flight and stops its workers; SIGKILL after 30 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                say(f"portout serve (pid {self.proc.pid}) did not stop on SIGTERM in 30 s: killed")
        self.kill()  # the workers too, should any have outlived the supervisor
        return int(self.proc.returncode)


# -- driving load ------------------------------------------------------------------------------

@dataclass
class Run:
    """Operations of `count` threads over `seconds`. done: those finished in the window, and
    the share of each one under way at the deadline that fell in it (an operation of 400 ms cut
    in half by the deadline counts 0.5: with few long operations a window's count is otherwise
    short by up to one a thread). Latencies and outcomes cover every operation."""

    seconds: float
    done: float = 0.0
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def __add__(self, other: Run) -> Run:
        return Run(self.seconds + other.seconds, self.done + other.done, self.latencies + other.latencies,
                   self.outcomes + other.outcomes, self.client_cpu + other.client_cpu,
                   self.server_cpu + other.server_cpu)

    @property
    def rate(self) -> float:
        return self.done / self.seconds

    def percentile_ms(self, q: float) -> float:
        """Nearest rank."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000 if ordered else float("nan")


Step = Callable[[], str]


def drive(count: int, seconds: float, worker: Callable[[int], AbstractContextManager[Step]],
          server: Server | None = None) -> Run:
    """`count` threads, each with worker(i)'s step (set up and warmed before the start), call
    their step over and over, all started together, for `seconds`."""
    started = [0.0]
    cpu: dict[str, float] = {}

    def start() -> None:  # the barrier's action: once all are ready, before any goes
        started[0] = time.perf_counter()
        cpu["client"] = time.process_time()
        cpu["server"] = server.cpu_seconds() if server else 0.0

    barrier = threading.Barrier(count, action=start)
    done: list[list[tuple[float, float, str]]] = [[] for _ in range(count)]
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            with worker(i) as step:
                barrier.wait()
                deadline = started[0] + seconds
                while (began := time.perf_counter()) < deadline:
                    try:
                        outcome = step()
                    except httpx.HTTPError as error:
                        outcome = f"no answer: {type(error).__name__}"
                    done[i].append((began, time.perf_counter(), outcome))
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    real = [f for f in failures if not isinstance(f, threading.BrokenBarrierError)]
    if real or failures:
        raise (real or failures)[0]
    result = Run(seconds, client_cpu=time.process_time() - cpu["client"],
                 server_cpu=(server.cpu_seconds() - cpu["server"]) if server else 0.0)
    deadline = started[0] + seconds
    for began, ended, outcome in itertools.chain.from_iterable(done):
        result.done += 1.0 if ended <= deadline else (deadline - began) / (ended - began)
        result.latencies.append(ended - began)
        result.outcomes[outcome] += 1
    return result


def outcome_of(response: httpx.Response) -> str:
    if response.status_code != 201:
        try:
            return f"{response.status_code} {response.json().get('errorId')}"
        except ValueError:
            return f"{response.status_code}"
    order = response.json()
    return f"201 {order['status']}" + (f"/{order['reason']}" if order.get("reason") else "")


def carrier_client(server: Server, world: World, clients: int, warm: int) -> Callable[[int], AbstractContextManager[Step]]:
    @contextmanager
    def worker(i: int) -> Iterator[Step]:
        bodies = requests_of(world, i, clients)
        with server.client(world.tokens[i % len(world.tokens)]) as c:
            def step() -> str:
                return outcome_of(c.post("/v1/port-out-orders", json=next(bodies)))
            for _ in range(warm):  # the TLS handshake, the worker's first requests
                step()
            yield step
    return worker


def core_checker(store: portout.Store, world: World, schedules: list[Iterator[str]]) -> Callable[[int], AbstractContextManager[Step]]:
    @contextmanager
    def worker(i: int) -> Iterator[Step]:
        tenant, schedule = world.tenants[i], schedules[i]  # a tenant of its own: the same mix holds

        def step() -> str:
            return "accepted" if store.check_pin(tenant, next(schedule)) else "refused"
        step()
        yield step
    return worker


# -- load --------------------------------------------------------------------------------------

@dataclass
class LoadResult:
    profile: str
    served: Run
    core: Run
    answers_ok: bool
    locked: int
    audit_valid: bool
    audit_events: int
    setup_seconds: float

    @property
    def ratio(self) -> float:
        return self.served.rate / self.core.rate if self.core.rate else float("nan")


def locked_tenants(store: portout.Store) -> int:
    return sum(1 for s in store.pin_statuses()
               if s.locked_until is not None or any(c.locked_until is not None for c in s.carriers))


def load(profile: str, folder: Path, args: argparse.Namespace) -> LoadResult:
    store_profile = None if profile == "interactive" else profile  # interactive: the default
    began = time.perf_counter()
    say(f"load, {profile} profile: making the stores ({args.tenants} tenants) ...")
    world = make_world(folder, "served", store_profile, args.tenants, len(CARRIERS))
    core_world = make_world(folder, "core", store_profile, args.clients, 0)
    say(f"load, {profile} profile: starting portout serve ({cores()} workers) ...")
    server = Server(world, folder, workers=cores())
    setup = time.perf_counter() - began
    core = core_world.open()
    try:
        if core.profile != profile:
            raise RuntimeError(f"the core's store runs at {core.profile}, not {profile}")
        schedules = [pins(i) for i in range(args.clients)]
        checker = core_checker(core, core_world, schedules)
        half = args.seconds / 2
        say(f"load, {profile} profile: the core, {half:g} s; the server, {args.seconds:g} s; the core, {half:g} s ...")
        first = drive(args.clients, half, checker)
        served = drive(args.clients, args.seconds, carrier_client(server, world, args.clients, args.warm), server)
        second = drive(args.clients, half, checker)
    finally:
        core.close()
        server.stop()
    with world.open() as s:
        if s.profile != profile:
            raise RuntimeError(f"the served store runs at {s.profile}, not {profile}")
        locked = locked_tenants(s)
        audit = s.verify_audit()
    answers_ok = all(o.startswith("201 ") for o in served.outcomes)
    return LoadResult(profile, served, first + second, answers_ok, locked, audit.is_valid, audit.event_count,
                      setup)


def report_load(results: list[LoadResult], args: argparse.Namespace) -> None:
    print(f"\nportout serve under load: {args.clients} carrier clients (threads, one httpx connection each, "
          f"TLS, TCP_NODELAY), {cores()} workers,\nno rate limit; {args.tenants} tenants, {len(CARRIERS)} carriers, "
          f"{WRONG_PER_RIGHT} wrong PINs to 1 right per (carrier, tenant); {args.seconds:g} s a profile.")
    print(f"core: Store.check_pin from {args.clients} threads on a store of its own at the same profile, "
          f"the same mix,\n{args.seconds / 2:g} s before the server's run and {args.seconds / 2:g} s after it.\n")
    head = (f"{'profile':<12} {'server req/s':>12} {'p50 ms':>8} {'p99 ms':>8}   {'core checks/s':>13} "
            f"{'p50 ms':>8} {'p99 ms':>8}   {'server/core':>11}  {'target':<7} met")
    print(head)
    print("-" * len(head))
    for r in results:
        target = f">= {INTERACTIVE_TARGET:.2f}" if r.profile == "interactive" else ""
        met = ("yes" if r.ratio >= INTERACTIVE_TARGET else "NO") if target else ""
        print(f"{r.profile:<12} {r.served.rate:>12.1f} {r.served.percentile_ms(0.5):>8.1f} "
              f"{r.served.percentile_ms(0.99):>8.1f}   {r.core.rate:>13.1f} {r.core.percentile_ms(0.5):>8.1f} "
              f"{r.core.percentile_ms(0.99):>8.1f}   {r.ratio:>11.3f}  {target:<7} {met}")
    print("\nserver/core: the server's requests per second over the core's checks per second (1: the server "
          "costs nothing\nbeyond the check); no time is asserted, 'met' is for reading only.")
    for r in results:
        s = r.served
        n = sum(s.outcomes.values())
        answers = ", ".join(f"{k} {v}" for k, v in s.outcomes.most_common())
        print(f"\n{r.profile}: {n} requests ({s.done:.1f} in the window): {answers}")
        print(f"  latency: min {min(s.latencies) * 1000:.1f} ms, p10 {s.percentile_ms(0.1):.1f}, "
              f"p50 {s.percentile_ms(0.5):.1f}, p90 {s.percentile_ms(0.9):.1f}, p99 {s.percentile_ms(0.99):.1f}, "
              f"max {max(s.latencies) * 1000:.1f} (core: min {min(r.core.latencies) * 1000:.1f}, "
              f"p50 {r.core.percentile_ms(0.5):.1f})")
        print(f"  CPU per request: server {s.server_cpu / n * 1000:.2f} ms, clients {s.client_cpu / n * 1000:.2f} ms "
              f"(CPU busy: server {s.server_cpu / s.seconds / cores():.0%}, clients "
              f"{s.client_cpu / s.seconds / cores():.0%} of {cores()} cores)")
        core_n = sum(r.core.outcomes.values())
        print(f"  core: {core_n} checks ({', '.join(f'{k} {v}' for k, v in sorted(r.core.outcomes.items()))}), "
              f"CPU per check {r.core.client_cpu / core_n * 1000:.2f} ms")
        print(f"  tenants locked afterwards: {r.locked}; audit chain: "
              f"{'valid' if r.audit_valid else 'BROKEN'} ({r.audit_events} events); setup {r.setup_seconds:.1f} s")


# -- faults ------------------------------------------------------------------------------------

@dataclass
class Sent:
    key: str
    client: int
    round: int
    body: dict[str, Any]
    at: float = 0.0  # when the answer came (perf_counter); 0: none
    status: int = 0  # 0: no answer
    order_id: str | None = None
    error: str = ""
    committed: str | None = None  # the key's order in the store after the crash, when lost
    retry_status: int = 0
    retry_order_id: str | None = None
    retry_error: str = ""


def send(c: httpx.Client, sent: Sent) -> tuple[int, str | None]:
    r = c.post("/v1/port-out-orders", json=sent.body, headers={"Idempotency-Key": sent.key})
    return r.status_code, (r.json()["id"] if r.status_code == 201 else None)


@dataclass
class Round:
    victim: int
    survivors: list[int]
    worker_killed: float  # seconds into the round
    server_killed: float
    answered_after_worker: int


def fault_round(n: int, server: Server, world: World, bodies: list[Iterator[dict[str, Any]]],
                seconds: float, sent: list[Sent]) -> Round:
    """Clients for `seconds`: a worker SIGKILLed half way, the whole server at the end.
    Returns once no process of the server is left."""
    stop = threading.Event()
    mine: list[list[Sent]] = [[] for _ in bodies]

    def client(i: int) -> None:
        with server.client(world.tokens[i % len(world.tokens)]) as c:
            for body in bodies[i]:
                if stop.is_set():
                    return
                s = Sent(str(uuid.uuid4()), i, n, body)
                mine[i].append(s)
                try:
                    s.status, s.order_id = send(c, s)
                    s.at = time.perf_counter()
                except httpx.HTTPError as error:
                    s.error = type(error).__name__
                    time.sleep(0.05)  # as a client would, before its next request

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(bodies))]
    began = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds / 2)
    workers = server.worker_pids()
    if len(workers) != server.workers:
        raise RuntimeError(f"expected {server.workers} workers under pid {server.proc.pid}, found {workers}")
    victim = workers[0]
    os.kill(victim, signal.SIGKILL)
    worker_killed = time.perf_counter()
    time.sleep(seconds / 2)
    survivors = [p for p in server.worker_pids() if p != victim]
    server.kill_group()
    server_killed = time.perf_counter()
    stop.set()
    server.kill()  # and wait until none of its processes is left
    for t in threads:
        t.join(90)
    if any(t.is_alive() for t in threads):
        raise RuntimeError("a client still waits for an answer 90 s after the server's death")
    sent.extend(itertools.chain.from_iterable(mine))
    after = sum(1 for per in mine for s in per if s.status == 201 and worker_killed < s.at < server_killed)
    return Round(victim, survivors, worker_killed - began, server_killed - began, after)


def retry(server: Server, world: World, clients: int, again: list[Sent]) -> None:
    """Each request sent again with its key, by its own carrier; three tries each."""
    def run(i: int) -> None:
        with server.client(world.tokens[i % len(world.tokens)]) as c:
            for s in again:
                if s.client != i:
                    continue
                for attempt in range(3):
                    try:
                        s.retry_status, s.retry_order_id = send(c, s)
                        s.retry_error = ""
                        break
                    except httpx.HTTPError as error:
                        s.retry_error = type(error).__name__
                        time.sleep(0.5 * (attempt + 1))

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run, range(clients)))


def keys_in(world: World) -> dict[str, list[str]]:
    """Every idempotency key in the store, with its orders."""
    with world.open("load-check") as s:
        out: dict[str, list[str]] = defaultdict(list)
        for o in s.orders():
            if o.idempotency_key:
                out[o.idempotency_key].append(o.order_id)
    return out


def pending_deliveries(world: World) -> int:
    with world.open("load-check") as store:
        return len(store.deliveries(status="Pending", limit=1000))


def faults(folder: Path, args: argparse.Namespace) -> bool:
    workers, seconds, clients = 2, args.fault_seconds, args.fault_clients
    say(f"faults: making the store, starting portout serve ({workers} workers) ...")
    world = make_world(folder, "faults", "test", args.tenants, len(CARRIERS))
    receiver = WebhookReceiver()
    with world.open("load-setup") as store:
        secret = store.new_webhook(receiver.url, ["PortOutRequest"]).secret
    # A short lease: what a killed worker had claimed is sent again seconds after the restart.
    delivery = ("--allow-private-webhooks", "--delivery-interval", "0.2", "--delivery-lease", "5")
    server = Server(world, folder, workers=workers, extra=delivery)
    bodies = [requests_of(world, i, clients) for i in range(clients)]
    sent: list[Sent] = []
    rounds: list[Round] = []
    duplicates_after_crash = 0
    for n in range(args.rounds):
        say(f"faults, round {n + 1} of {args.rounds}: {clients} clients for {seconds:g} s; a worker killed "
            f"at {seconds / 2:g} s, the server at {seconds:g} s ...")
        rounds.append(fault_round(n, server, world, bodies, seconds, sent))
        before = keys_in(world)  # what the crash left, before anything is sent again
        duplicates_after_crash += sum(1 for ids in before.values() if len(ids) > 1)
        again = [s for s in sent if s.round == n and s.status != 201]
        for s in again:
            s.committed = before[s.key][0] if before.get(s.key) else None
        say(f"faults, round {n + 1}: restarting portout serve on the same store and port; "
            f"sending {len(again)} requests again with their keys ...")
        server = Server(world, folder, workers=workers, port=server.port, cert=(server.cert, server.cert_key),
                        extra=delivery)
        retry(server, world, clients, again)
    say("faults: waiting for the webhook deliveries to drain ...")
    drain_started = time.monotonic()
    while pending_deliveries(world) and time.monotonic() - drain_started < 180:
        time.sleep(0.5)
    drained = time.monotonic() - drain_started
    server.stop()
    receiver.close()

    with world.open("load-check") as store:
        orders = list(store.orders())
        audit = store.verify_audit()
    by_key: dict[str, list[str]] = defaultdict(list)
    key_of: dict[str, str | None] = {}
    for o in orders:
        key_of[o.order_id] = o.idempotency_key
        if o.idempotency_key:
            by_key[o.idempotency_key].append(o.order_id)

    again = [s for s in sent if s.status != 201]
    answered = {s.key: s.order_id for s in sent if s.status == 201}
    answered.update({s.key: s.retry_order_id for s in again if s.retry_status == 201})
    found = [k for k, oid in answered.items() if oid in key_of and key_of[oid] == k]
    missing = [k for k in answered if k not in found]
    duplicates = [k for k, ids in by_key.items() if len(ids) > 1]
    lost = [s for s in sent if s.status == 0]
    refused = [s for s in sent if s.status not in (0, 201)]
    committed = [s for s in again if s.committed]
    given_back = [s for s in committed if s.retry_order_id == s.committed]
    unanswered = [s for s in again if s.retry_status != 201]
    sent_keys = {s.key for s in sent}
    without_order = [k for k in sent_keys if not by_key.get(k)]
    strangers = [k for k in by_key if k not in sent_keys]
    retry_answers = Counter(f"{s.retry_status} {s.retry_error}".strip() for s in again)
    order_ids = {o.order_id for o in orders}
    delivered = Counter(e["order_id"] for e in receiver.events(secret))
    bad_signatures = len(receiver.requests) - sum(delivered.values())
    undelivered = [oid for oid in order_ids if not delivered.get(oid)]
    repeated = sum(n - 1 for n in delivered.values() if n > 1)

    checks = {
        "every order answered 201 is in the store under its key": not missing,
        "no idempotency key has two orders (after each crash, and at the end)":
            not duplicates and not duplicates_after_crash,
        "a request committed before a crash gets that order back": len(given_back) == len(committed),
        "every request answered 201 in the end": not unanswered,
        "every key sent has its order in the store, and no other key is there": not without_order and not strangers,
        "the server answered after its worker's SIGKILL, each round": all(r.answered_after_worker for r in rounds),
        "the audit chain verifies": bool(audit.is_valid),
        "every order's webhook event was delivered, signed, after the kills and restarts":
            not undelivered and not bad_signatures,
    }
    print(f"\nportout serve under faults: test profile, {workers} workers, {clients} clients, "
          f"{len(world.tenants)} tenants, an Idempotency-Key of its own for each request; {len(rounds)} round(s) of "
          f"{seconds:g} s:")
    for n, r in enumerate(rounds, 1):
        print(f"  round {n}: worker {r.victim} killed (SIGKILL) at {r.worker_killed:.1f} s, the server answered "
              f"{r.answered_after_worker} more through {r.survivors}; its process group killed at "
              f"{r.server_killed:.1f} s, restarted on the same store and port")
    rows = [
        ("requests sent", len(sent), ""),
        ("acknowledged (201)", sum(1 for s in sent if s.status == 201),
         f"{sum(r.answered_after_worker for r in rounds)} of them after a worker's death"),
        ("answer lost", len(lost), ", ".join(f"{k} {v}" for k, v in Counter(s.error for s in lost).most_common())),
        ("answered, not 201", len(refused), ", ".join(f"{k} {v}" for k, v in Counter(
            str(s.status) for s in refused).most_common())),
        ("lost, but committed before the crash", len(committed), ""),
        ("retried with the same key", len(again), ", ".join(f"{k}: {v}" for k, v in retry_answers.most_common())),
        ("retries given the committed order back", len(given_back), f"of {len(committed)}"),
        ("answered orders found in the store", len(found), f"of {len(answered)} answered"),
        ("keys with two or more orders", len(duplicates), f"after a crash, before the retries: {duplicates_after_crash}"),
        ("keys sent without an order", len(without_order), f"orders of keys never sent: {len(strangers)}"),
        ("orders in the store", len(orders), ""),
        ("audit events", audit.event_count, "valid" if audit.is_valid else f"BROKEN: {audit.problem}"),
        ("webhook events received", len(receiver.requests),
         f"{len(order_ids) - len(undelivered)} of {len(order_ids)} orders; {repeated} sent twice (at least once); "
         f"the last {drained:.1f} s after the final restart's retries; bad signatures {bad_signatures}"),
    ]
    width = max(len(r[0]) for r in rows)
    for what, count, note in rows:
        print(f"  {what:<{width}} {count:>7}  {note}")
    for what, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    for k in (missing + duplicates)[:5]:
        print(f"    e.g. key {k}: answered {answered.get(k)}, in the store {by_key.get(k)}")
    for s in unanswered[:5]:
        print(f"    e.g. key {s.key}: retry {s.retry_status} {s.retry_error}")
    return all(checks.values())


# -- main --------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s a profile, a short fault run")
    parser.add_argument("--seconds", type=float, help="seconds of load a profile (default 10; --quick: 2)")
    parser.add_argument("--clients", type=int, default=2 * cores(), help="concurrent carrier clients "
                        f"(default 2 x cores = {2 * cores()})")
    parser.add_argument("--tenants", type=int, default=50, help="tenants in each store (default 50)")
    parser.add_argument("--profiles", default="test,interactive", help="hash profiles to load (default "
                        "test,interactive)")
    parser.add_argument("--fault-clients", type=int, default=4 * cores(), help="clients under faults "
                        f"(default 4 x cores = {4 * cores()}: more requests in flight when the kills come)")
    parser.add_argument("--rounds", type=int, help="rounds of kills and restarts (default 3; --quick: 1)")
    parser.add_argument("--only", choices=("load", "faults"), help="run one part only")
    args = parser.parse_args()
    args.seconds = args.seconds if args.seconds is not None else (2.0 if args.quick else 10.0)
    args.fault_seconds = 3.0 if args.quick else max(3.0, args.seconds)
    args.rounds = args.rounds if args.rounds is not None else (1 if args.quick else 3)
    args.warm = 1 if args.quick else 2
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    if not 1 <= args.clients <= 64 or not 1 <= args.fault_clients <= 64:
        parser.error("--clients and --fault-clients are 1 to 64")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds is 1 to 20")
    if not 1 <= args.tenants <= 10_000 // NUMBERS_PER_TENANT:
        parser.error(f"--tenants is 1 to {10_000 // NUMBERS_PER_TENANT}")
    if args.tenants < math.ceil(max(args.clients, args.fault_clients) / len(CARRIERS)):
        parser.error("fewer tenants than clients per carrier")
    if not 0.5 <= args.seconds <= 600:
        parser.error("--seconds is 0.5 to 600")

    folder = Path(tempfile.mkdtemp(prefix="portout-load-"))
    ok = True
    try:
        results = []
        if args.only != "faults":
            for profile in profiles:
                results.append(load(profile, folder / profile, args))
            report_load(results, args)
            for r in results:
                if not r.answers_ok or not r.audit_valid:
                    print(f"FAIL: under load at the {r.profile} profile: "
                          f"{'an answer was not 201' if not r.answers_ok else 'the audit chain does not verify'}")
                    ok = False
        if args.only != "load":
            ok = faults(folder / "faults", args) and ok
        print(f"\n{'all checks held' if ok else 'FAILED'}")
    finally:
        for server in STARTED:
            try:
                server.kill()
            except Exception as error:  # noqa: BLE001 - keep cleaning up
                say(f"could not kill portout serve (pid {server.proc.pid}): {error}")
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the servers are killed on the way out
    sys.exit(main())
