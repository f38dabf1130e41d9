#!/usr/bin/env python3
"""Faults under load (issue #15), with the real daemons of exchange_bench.py (a private
PostgreSQL, the portal, 5 gateways, logged-in doctors viewing one person known at all five):

  during LOAD seconds of bounded load (CONNECTIONS clients viewing the person's visit history
  with no think time, while hospital 2 publishes patients added to its storage), kill -9 one
  gateway, then the portal, then PostgreSQL's postmaster, each restarted a few seconds later
  on the same ports; then, once everything answers again:

  - 0 acknowledged registrations lost: every patient a gateway holds as acknowledged
    (state_dir/published) is an identity in the portal's PIX;
  - 0 audit records lost: hareyaka-audit-verify checks the whole chain (no missing seq, every
    hash, the head);
  - nothing disclosed without its record: the successful view records written during the
    load are at least the answers that carried records (wrk counts them);
  - a full disk in a gateway's state folder (a 16 MiB tmpfs, filled) refuses that hospital's
    disclosure with a clear error in its log and in the portal's answer ("missing"), and the
    hospital answers again once space returns.

  tests/bench/faults_under_load.py BUILD_DIR [--load 60] [--connections 50] [--users 50]

Prints a line per fault and per check, and exits 1 when a check fails. Needs root for the
tmpfs (the CI machine's case); without it the full-disk part fails rather than pass untested.
"""
import argparse, json, os, signal, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import exchange_bench as xb  # noqa: E402

log = xb.log


class Faults(xb.Bench):
    def pin_ports(self, name):
        """Rewrites a daemon's configuration with the ports it got, so a restart keeps them."""
        path = f"{self.work}/{name}.json"
        cfg = json.load(open(path))
        ports = json.load(open(f"{self.work}/{name}.ports"))["listeners"]
        if "listeners" in cfg:
            for l, port in ports.items():
                cfg["listeners"][l]["port"] = port
        else:
            cfg["listener"]["port"] = ports["nodes"]
        json.dump(cfg, open(path, "w"), indent=1)

    def storages(self):
        super().storages()
        # Hospital 5's state folder on a small tmpfs, to fill later.
        self.tmpfs = f"{self.work}/gw5/state"
        os.makedirs(self.tmpfs, exist_ok=True)
        self.mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs",
                                       self.tmpfs], capture_output=True).returncode == 0

    def proc(self, name):
        return next(p for n, p in self.procs if n == name)

    def kill9(self, name):
        p = self.proc(name)
        p.send_signal(signal.SIGKILL)
        p.wait()

    def restart(self, name, binary, env=None):
        os.remove(f"{self.work}/{name}.ports")
        self.procs = [(n, p) for n, p in self.procs if n != name]
        argv = [os.path.join(self.build, binary), "--config", f"{self.work}/{name}.json",
                "--ports-file", f"{self.work}/{name}.ports"]
        p = self.spawn(name, argv, env)
        self.wait_ports(name, p, timeout=120)
        if name == "portal":
            self.portal_proc = p

    def psql(self, sql):
        return subprocess.run(["psql", f"host={self.pg} dbname=hareyaka user=hareyaka", "-qtAc",
                               sql], check=True, capture_output=True, text=True).stdout.strip()

    def ready(self, timeout=120):
        end = time.time() + timeout
        while time.time() < end:
            try:
                status, _, _ = self.call(self.web, "GET", "/readyz")
                if status == 200:
                    return True
            except Exception:
                pass
            time.sleep(0.5)
        return False


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("build", nargs="?", default=os.path.join(xb.ROOT, "build"))
    p.add_argument("--load", type=int, default=60, help="seconds of load with the faults in it")
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--patients", type=int, default=12)
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()
    # What exchange_bench's set-up reads.
    for k, v in dict(threads=2, visits=6, doc_mb=1, synchronous_commit="on",
                     portal="portal/hareyaka-portal", gateway="gateway/hareyaka-gateway",
                     verbose=False).items():
        setattr(a, k, v)
    b = Faults(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failures = []
    b.mounted = False
    try:
        b.start()
        tmpfs, mounted = b.tmpfs, b.mounted
        for name in ["portal"] + [f"gw{i + 1}" for i in range(5)]:
            b.pin_ports(name)
        b.sessions()
        db_env = {"HAREYAKA_DB": f"host={b.pg} dbname=hareyaka user=hareyaka"}
        seq0 = int(b.psql("SELECT seq FROM audit_chain_head"))
        path = f"/api/v1/persons/{b.person}/encounters"
        lua = os.path.join(xb.ROOT, "tests/bench/exchange_bench.lua")
        log(f"\nfaults under load: {a.connections} clients viewing {path} for {a.load} s, "
            f"cores={os.cpu_count()}, load {xb.loadavg()}")
        out = {}

        def load():
            out["wrk"] = subprocess.run(
                ["wrk", "-t2", f"-c{a.connections}", f"-d{a.load}s", "--timeout", "10s", "-s",
                 lua, f"https://127.0.0.1:{b.web}{path}", "--", path, b.cookie_file, "0"],
                capture_output=True, text=True).stdout

        w = threading.Thread(target=load)
        w.start()
        t0 = time.time()
        # One doctor's view every half second: when the answers change (the outage each fault
        # causes, and the recovery).
        transitions = []

        def watch():
            last = None
            while w.is_alive():
                try:
                    status, _ = b.get(b.cookies[-1], path)
                except Exception:
                    status = "no connection"
                if status != last:
                    transitions.append((time.time() - t0, status))
                    last = status
                time.sleep(0.5)

        watcher = threading.Thread(target=watch)
        watcher.start()

        def at(t):
            time.sleep(max(0, t0 + t - time.time()))

        # Hospital 2 publishes while the faults happen: new patients appear in its storage.
        gen2 = b.work + "/gen2"
        subprocess.run([f"{b.build}/gateway/hareyaka-ssmix2-gen", "--out", gen2 + "/ssmix2",
                        "--extended", gen2 + "/extended", "--patients", "20", "--seed", "77",
                        "--first-id", "5000001"], check=False, capture_output=True)
        at(a.load * 0.1)
        if os.path.isdir(gen2 + "/ssmix2"):
            subprocess.run(["cp", "-a", gen2 + "/ssmix2/.", f"{b.work}/gw2/ssmix2/"], check=True)
            log(f"  t={time.time() - t0:5.1f}s hospital 2: 20 patients added to its storage")
        at(a.load * 0.2)
        b.kill9("gw1")
        log(f"  t={time.time() - t0:5.1f}s kill -9 gateway 1")
        at(a.load * 0.3)
        b.restart("gw1", a.gateway)
        log(f"  t={time.time() - t0:5.1f}s gateway 1 restarted")
        at(a.load * 0.45)
        b.kill9("portal")
        log(f"  t={time.time() - t0:5.1f}s kill -9 portal")
        at(a.load * 0.5)
        b.restart("portal", a.portal, db_env)
        log(f"  t={time.time() - t0:5.1f}s portal restarted")
        at(a.load * 0.65)
        postmaster = b.pg_pid()
        os.kill(postmaster, signal.SIGKILL)
        log(f"  t={time.time() - t0:5.1f}s kill -9 PostgreSQL (postmaster {postmaster})")
        at(a.load * 0.72)
        for _ in range(100):  # the backends notice the postmaster is gone and exit
            if not xb.children(postmaster):
                break
            time.sleep(0.1)
        subprocess.run([xb.ROOT + "/deploy/local-pg", b.pg, "start"], check=True,
                       capture_output=True)
        log(f"  t={time.time() - t0:5.1f}s PostgreSQL restarted (crash recovery)")
        w.join()
        watcher.join()
        log("  one doctor's view: " + ", ".join(f"t={t:.1f}s {st}" for t, st in transitions))
        r = xb.parse_wrk(out.get("wrk", ""))
        log(f"  load: {r.get('requests', 0)} requests, {r['rps']:.1f}/s, non-2xx {r['non2xx']}, "
            f"answers with records {r.get('disclosed', 0)}, partial {r['partial']}, "
            f"by status {r.get('statuses', '?')}; "
            f"{r['errors'] or 'no socket errors'} (the kills cut connections: intended)")

        # ---- the checks ------------------------------------------------------------------
        if not b.ready():
            failures.append("the portal did not become ready again")
        # Registrations: every acknowledged patient of every gateway is in PIX (the
        # publishers catch up first: wait until their outboxes are empty).
        end = time.time() + 120
        while time.time() < end:
            pending = sum(len(os.listdir(f"{b.work}/gw{i + 1}/state/outbox"))
                          for i in range(5) if os.path.isdir(f"{b.work}/gw{i + 1}/state/outbox"))
            if pending == 0:
                break
            time.sleep(1)
        lost = acked = 0
        for i in range(5):
            pub = f"{b.work}/gw{i + 1}/state/published"
            known = set(b.psql(f"SELECT local_id FROM pix_identities WHERE authority = "
                               f"'{xb.hospital(i)}.1'").split())
            for f in os.listdir(pub):
                if open(os.path.join(pub, f)).read().strip():
                    acked += 1
                    lost += bytes.fromhex(f).decode() not in known  # names: hex of the id
        log(f"  registrations: {acked} acknowledged, {lost} missing from the portal's PIX")
        if lost:
            failures.append(f"{lost} acknowledged registrations lost")
        verify = subprocess.run([f"{b.build}/portal/audit/hareyaka-audit-verify"],
                                capture_output=True, text=True, env={**os.environ, **db_env})
        log(f"  audit chain: {verify.stdout.strip() or verify.stderr.strip()}")
        if verify.returncode != 0:
            failures.append("the audit chain does not verify")
        records = int(b.psql(f"SELECT count(*) FROM audit_log WHERE seq > {seq0} AND "
                             "event_type = 'view' AND outcome = 'success'"))
        log(f"  disclosure records during the load: {records} (answers that carried records: "
            f"{r.get('disclosed', 0)})")
        if records < r.get("disclosed", 0):
            failures.append("answers with records outnumber the disclosure records")

        # ---- a full disk at hospital 5 -------------------------------------------------
        if not mounted:
            failures.append("full disk not tested: mounting a tmpfs needs root")
        else:
            cookie = b.cookies[0]
            fill = tmpfs + "/fill"
            subprocess.run(["dd", "if=/dev/zero", f"of={fill}", "bs=1M", "count=64"],
                           capture_output=True)
            # A file's last block still takes a few lines: view until the disk says no.
            for _ in range(200):
                status, body = b.get(cookie, path)
                missing = {m["facility_oid"]: m["reason"] for m in body.get("missing", [])}
                got = {i["facility_oid"] for i in body.get("items", [])}
                if xb.hospital(4) in missing:
                    break
            gw_log = open(f"{b.work}/gw5.log", errors="replace").read()
            clear = "No space left on device" in gw_log
            log(f"  full disk at hospital 5: HTTP {status}, hospital 5 "
                f"{'missing (' + missing.get(xb.hospital(4), '') + ')' if xb.hospital(4) in missing else 'ANSWERED'}"
                f", its log names the cause: {clear}")
            if xb.hospital(4) in got or xb.hospital(4) not in missing or not clear:
                failures.append("a full disk at a gateway did not refuse its disclosure clearly")
            os.remove(fill)
            back = False
            for _ in range(30):
                status, body = b.get(cookie, path)
                if xb.hospital(4) in {i["facility_oid"] for i in body.get("items", [])}:
                    back = True
                    break
                time.sleep(1)
            log(f"  space back: hospital 5 answers again: {back}")
            if not back:
                failures.append("hospital 5 did not recover when space returned")
    finally:
        if b.mounted:  # lazily: hospital 5's gateway still has its files open until it stops
            subprocess.run(["umount", "-l", b.tmpfs], capture_output=True)
        b.cleanup()
    log("faults under load: " + ("FAILED: " + "; ".join(failures) if failures else "all checks hold"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
