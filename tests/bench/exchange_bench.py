#!/usr/bin/env python3
"""The exchange under load, with the real daemons on loopback (issue #6):

 1. timeline: ONE person known at 5 hospitals (5 gateways over generated SS-MIX2 storages,
    linked by the portal's PIX from their ITI-44 feeds), viewed through the portal's viewer
    API (visit history 受診歴 = encounters, lab results, the person's summary) by one user
    alone, then by USERS logged-in clinicians at once with no think time, then with THINK_MS
    between views; wrk with one session cookie per user in rotation. Prints p50/p99 latency,
    requests/s and partial answers, with the load average.
 1b. FHIR beside JSON: the same person through the FHIR API with SMART tokens (Patient by
    identifier, Observation over the 5 gateways) and through the web UI's JSON routes.
 2. document: a DOC_MB document of that person relayed through the portal, side by side with
    the same file fetched straight from the gateway (mutual TLS with the portal's certificate
    and a signed access assertion) and through nginx proxy_pass (TLS in front of the gateway,
    presenting the same client certificate; once with nginx's default buffering, once with
    proxy_buffering off). Prints wall time and MB/s per fetch, and the portal's peak RSS
    during each relay.

Everything runs in a temporary folder: a private PostgreSQL cluster (deploy/local-pg), the dev
PKI, the storages, the daemons on ports chosen by the kernel; all of it is stopped and removed
on exit (also on Ctrl-C).

  tests/bench/exchange_bench.py BUILD_DIR [--users 200] [--duration 20] [--doc-mb 50] ...
  tests/bench/exchange_bench.py BUILD_DIR --smoke     # small and quick; fails if anything is off
"""
import argparse, base64, hashlib, hmac, http.client, json, os, shutil, signal, ssl, statistics
import struct, subprocess, sys, tempfile, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NET = "1.2.392.200284.33"
CLINIC = NET + ".2000001"
PASSWORD = "Bench-Exchange-2026"


def hospital(i):
    return f"{NET}.131000{i + 1}"


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def log(*a):
    print(*a, flush=True)


class Bench:
    def __init__(self, args):
        self.a = args
        self.build = os.path.abspath(args.build)
        self.work = tempfile.mkdtemp(prefix="hareyaka-exchange-bench-")
        os.chmod(self.work, 0o755)  # the PostgreSQL cluster runs as 'postgres'
        self.procs = []  # (name, Popen)
        self.pg = None
        self.pki = self.work + "/pki"

    # ---- processes -----------------------------------------------------------------------
    def spawn(self, name, argv, env=None):
        err = open(f"{self.work}/{name}.err", "w")
        p = subprocess.Popen(argv, stdout=err, stderr=err, env={**os.environ, **(env or {})})
        self.procs.append((name, p))
        return p

    def cleanup(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for _, p in reversed(self.procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.pg:
            subprocess.run([ROOT + "/deploy/local-pg", self.pg, "stop"], check=False)
        if self.a.keep:
            log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def wait_ports(self, name, proc, timeout=60):
        path = f"{self.work}/{name}.ports"
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(path) and os.path.getsize(path) > 0:
                return json.load(open(path))["listeners"]
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        sys.stderr.write(open(f"{self.work}/{name}.err").read())
        raise SystemExit(f"{name} did not start; see {self.work}/{name}.err")

    def daemon(self, name, binary, config, env=None):
        path = f"{self.work}/{name}.json"
        json.dump(config, open(path, "w"), indent=1)
        p = self.spawn(name, [os.path.join(self.build, binary), "--config", path, "--ports-file",
                              f"{self.work}/{name}.ports"], env)
        return p, self.wait_ports(name, p)

    def cpu_by_part(self):
        """CPU (ms) used so far by the portal, the 5 gateways and PostgreSQL (postmaster,
        its live backends and the children it has reaped)."""
        out = {"portal": cpu_ms(self.portal_proc.pid), "gateways": 0.0, "postgres": 0.0}
        for name, p in self.procs:
            if name.startswith("gateway") or name.startswith("gw"):
                out["gateways"] += cpu_ms(p.pid)
        try:
            master = int(open(self.pg + "/data/postmaster.pid").readline())
        except (OSError, ValueError, TypeError):
            return out
        out["postgres"] = cpu_ms(master, children=True)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    f = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(f[1]) == master:
                    out["postgres"] += cpu_ms(int(entry))
        return out

    # ---- HTTPS ---------------------------------------------------------------------------
    def tls(self, node=None):
        ctx = ssl.create_default_context(cafile=self.pki + "/ca.pem")
        if node:
            ctx.load_cert_chain(f"{self.pki}/{node}.pem", f"{self.pki}/{node}.key")
        return ctx

    def call(self, port, method, path, body=None, headers=None, node=None):
        c = http.client.HTTPSConnection("127.0.0.1", port, context=self.tls(node), timeout=60)
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        out = (r.status, r.getheaders(), r.read())
        c.close()
        return out

    # ---- set-up --------------------------------------------------------------------------
    def listener(self, node, auth):
        l = {"address": "127.0.0.1", "port": 0, "cert_file": f"{self.pki}/{node}.pem",
             "key_file": f"{self.pki}/{node}.key", "client_auth": auth}
        if auth != "none":
            l["client_ca_file"] = self.pki + "/ca.pem"
        return l

    def storages(self):
        """One generated storage, copied to the 5 hospitals: every patient is a patient of all
        five with the same demographics, which PIX links into one person. The person measured
        is the patient with the most files among those with a discharge summary (a PDF in the
        extended storage); at hospital 1 that PDF is replaced by a DOC_MB file."""
        gen = self.work + "/gen"
        subprocess.run([f"{self.build}/gateway/hareyaka-ssmix2-gen", "--out", gen + "/ssmix2",
                        "--extended", gen + "/extended", "--patients", str(self.a.patients),
                        "--seed", "6", "--visits", str(self.a.visits)],
                       check=True, stdout=subprocess.DEVNULL)
        best = None
        for dirpath, _, files in os.walk(gen + "/extended"):
            if "summary.pdf" not in files:
                continue
            pid = os.path.relpath(dirpath, gen + "/extended").split(os.sep)[2]
            n = sum(len(f) for _, _, f in os.walk(f"{gen}/ssmix2/{pid[:3]}/{pid[3:6]}/{pid}"))
            if best is None or n > best[1]:
                best = (pid, n, os.path.join(dirpath, "summary.pdf"))
        if best is None:
            raise SystemExit("the generated storage has no discharge summary; raise --patients")
        self.pid, files, pdf = best
        self.doc_rel = os.path.relpath(pdf, gen + "/extended")
        for i in range(5):
            shutil.copytree(gen, f"{self.work}/gw{i + 1}", symlinks=True)
        # The big document: a PDF header, then incompressible filler (the relay must not gain
        # from any compression), DOC_MB * 2^20 bytes in all.
        big = f"{self.work}/gw1/extended/{self.doc_rel}"
        self.doc_size = self.a.doc_mb << 20
        with open(big, "wb") as f:
            f.write(b"%PDF-1.4\n%")
            left = self.doc_size - 10
            chunk = os.urandom(1 << 20)
            while left > 0:
                f.write(chunk[:min(left, len(chunk))])
                left -= min(left, len(chunk))
        log(f"storages: {self.a.patients} patients x 5 hospitals; person = patient {self.pid} "
            f"({files} files at each hospital); document {self.a.doc_mb} MB at hospital 1")

    def start(self):
        nodes = ["portal", "nginx"] + [f"gw{i + 1}" for i in range(5)]
        subprocess.run([ROOT + "/deploy/dev-pki", self.pki] + nodes, check=True,
                       stdout=subprocess.DEVNULL)
        self.pg = self.work + "/pg"
        admin = subprocess.run([ROOT + "/deploy/local-pg", self.pg, "start"], check=True,
                               capture_output=True, text=True).stdout.strip()
        subprocess.run(["psql", admin, "-qc", "CREATE DATABASE hareyaka"], check=True)
        if self.a.synchronous_commit == "off":
            subprocess.run(["psql", admin, "-qc", "ALTER SYSTEM SET synchronous_commit = off"],
                           check=True)
            subprocess.run(["psql", admin, "-qtAc", "SELECT pg_reload_conf()"], check=True,
                           stdout=subprocess.DEVNULL)
        db = f"host={self.pg} dbname=hareyaka user=hareyaka"
        self.storages()
        portal_cfg = {
            "log": {"level": "info", "format": "text", "file": self.work + "/portal.log"},
            "runtime": {"io_threads": 2, "worker_threads": 16},
            "database": {"conninfo": {"env": "HAREYAKA_DB"}, "pool_size": 16},
            "assertion_signing_key": self.pki + "/assertion.key",
            "client_tls": {"ca_file": self.pki + "/ca.pem", "cert_file": self.pki + "/portal.pem",
                           "key_file": self.pki + "/portal.key"},
            "listeners": {"web": self.listener("portal", "none"),
                          "nodes": self.listener("portal", "require")},
            # Logins are not measured: the password hash is set to its minimum cost so that
            # logging in hundreds of users takes seconds, not minutes.
            "auth": {"fast_password_hashing_for_tests": True},
        }
        self.portal_proc, ports = self.daemon("portal", self.a.portal, portal_cfg,
                                              {"HAREYAKA_DB": db})
        self.web = ports["web"]
        self.gw = []
        for i in range(5):
            g = f"gw{i + 1}"
            cfg = {
                "log": {"level": "info", "format": "text", "file": f"{self.work}/{g}.log"},
                "facility_oid": hospital(i),
                "assertion_public_key": self.pki + "/assertion.pub",
                "listener": self.listener(g, "require"),
                "storage": {"ssmix2_root": f"{self.work}/{g}/ssmix2",
                            "extended_root": f"{self.work}/{g}/extended",
                            "state_dir": f"{self.work}/{g}/state"},
                "portal": {"url": f"https://127.0.0.1:{ports['nodes']}",
                           "tls": {"ca_file": self.pki + "/ca.pem",
                                   "cert_file": f"{self.pki}/{g}.pem",
                                   "key_file": f"{self.pki}/{g}.key"}},
            }
            self.gw.append(self.daemon(g, self.a.gateway, cfg)[1]["nodes"])
        self.seed(db)

    def seed(self, db):
        def fingerprint(node):
            der = subprocess.run(["openssl", "x509", "-in", f"{self.pki}/{node}.pem", "-outform",
                                  "der"], check=True, capture_output=True).stdout
            return hashlib.sha256(der).hexdigest()

        facilities = [{"oid": hospital(i), "name_kanji": f"ベンチ病院{i + 1}",
                       "kind": "hospital",
                       "municipality_code": "331007", "discloses": True, "views": True,
                       "gateway_url": f"https://127.0.0.1:{self.gw[i]}",
                       "gateway_cert_sha256": fingerprint(f"gw{i + 1}")} for i in range(5)]
        facilities.append({"oid": CLINIC, "name_kanji": "ベンチ診療所", "kind": "clinic",
                           "municipality_code": "331007", "discloses": False, "views": True})
        self.users = []
        for n in range(self.a.users):
            secret = base64.b32encode(os.urandom(20)).decode()
            self.users.append({"login_id": f"bench-dr-{n:04d}", "display_name": f"医師 {n}",
                               "facility_oid": CLINIC, "profession": "doctor",
                               "password": PASSWORD, "totp_secret": secret})
        consents = [{"authority": hospital(i) + ".1", "local_id": self.pid,
                     "source_facility": hospital(i), "viewer_facility": None, "categories": None,
                     "document_ref": "bench"} for i in range(5)]
        json.dump({"facilities": facilities, "users": self.users, "consents": consents},
                  open(self.work + "/seed.json", "w"), ensure_ascii=False)
        subprocess.run([f"{self.build}/portal/hareyaka-portal", "bootstrap", "--config",
                        self.work + "/portal.json", "--file", self.work + "/seed.json"],
                       check=True, stdout=subprocess.DEVNULL, env={**os.environ, "HAREYAKA_DB": db})

    # ---- sessions ------------------------------------------------------------------------
    @staticmethod
    def totp(secret):
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        h = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
        o = h[-1] & 15
        return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)

    def login(self, u):
        status, headers, body = self.call(self.web, "POST", "/api/v1/session",
                                          {"login_id": u["login_id"], "password": PASSWORD,
                                           "totp": self.totp(u["totp_secret"])})
        if status != 200:
            raise SystemExit(f"login of {u['login_id']} failed: {status} {body[:300]}")
        for k, v in headers:
            if k.lower() == "set-cookie":
                return v.split(";")[0]
        raise SystemExit("login answered without a session cookie")

    def get(self, cookie, path):
        status, _, body = self.call(self.web, "GET", path, headers={"Cookie": cookie})
        return status, (json.loads(body) if body[:1] in (b"{", b"[") else body)

    def sessions(self):
        self.cookies = [self.login(u) for u in self.users]
        self.cookie_file = self.work + "/cookies.txt"  # for wrk; one per line
        open(self.cookie_file, "w").write("\n".join(self.cookies) + "\n")
        log(f"sessions: {len(self.cookies)} users logged in (password + one-time code)")
        # Wait until the 5 gateways have fed the patient and PIX has linked the 5 identities.
        end = time.time() + 120
        while True:
            status, body = self.get(self.cookies[0], "/api/v1/persons?local_id=" + self.pid)
            items = body.get("items", []) if status == 200 else []
            linked = [p for p in items if len(p["identifiers"]) == 5]
            if linked:
                self.person = linked[0]["person_id"]
                break
            if time.time() > end:
                raise SystemExit(f"the person was not linked across 5 hospitals: {body}")
            time.sleep(0.5)
        log(f"person {self.person}: linked at 5 hospitals")

    # ---- 1. timeline ---------------------------------------------------------------------
    def check_view(self, path):
        status, body = self.get(self.cookies[-1], path)
        facilities = {i["facility_oid"] for i in body.get("items", [])} if status == 200 else set()
        if "identifiers" in body:  # the summary: its facilities list what may be opened
            facilities = {f["oid"] for f in body.get("facilities", [])}
        if status != 200 or body.get("missing") or len(facilities) != 5:
            raise SystemExit(f"{path}: expected items from 5 hospitals: {status} "
                             f"{json.dumps(body)[:400]}")
        return len(body.get("items", []))

    def timeline(self):
        cookies = self.cookie_file
        lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange_bench.lua")
        views = [("visit history (encounters)", f"/api/v1/persons/{self.person}/encounters"),
                 ("lab results", f"/api/v1/persons/{self.person}/lab_results"),
                 ("summary", f"/api/v1/persons/{self.person}")]
        log(f"\n1. timeline of one person at 5 hospitals: wrk -t{self.a.threads} "
            f"-c{self.a.connections} -d{self.a.duration}s, {len(self.cookies)} sessions in "
            f"rotation, cores={os.cpu_count()}")
        log(f"{'view':28} {'items':>5} {'users':>5} {'think':>6} {'req/s':>8} {'p50':>9} "
            f"{'p99':>9} {'max':>9} {'non-2xx':>7} {'partial':>7} {'load':>5}  "
            f"CPU ms/view: portal+postgres+gateways")
        results = []
        for name, path in views:
            items = self.check_view(path)
            url = f"https://127.0.0.1:{self.web}{path}"
            if self.a.warmup > 0:
                subprocess.run(["wrk", "-t1", f"-c{min(16, self.a.connections)}",
                                f"-d{self.a.warmup}s", "-s", lua, url, "--", path, cookies],
                               check=True, capture_output=True)
            # One user alone (the floor), then all users with no think time (saturation), then
            # all users reading (think time between views).
            for conns, think in [(1, 0), (self.a.connections, 0)] + (
                    [(self.a.connections, self.a.think_ms)] if self.a.think_ms else []):
                load = loadavg()
                cpu0 = self.cpu_by_part()
                out = subprocess.run(["wrk", f"-t{min(self.a.threads, conns)}", f"-c{conns}",
                                      f"-d{self.a.duration}s", "--latency", "--timeout", "10s",
                                      "-s", lua, url, "--", path, cookies, str(think)],
                                     check=True, capture_output=True, text=True).stdout
                cpu1 = self.cpu_by_part()
                r = parse_wrk(out)
                r.update(view=name, items=items, load=load, think=think)
                # CPU per view is far less sensitive to the rest of the machine than latency.
                n = max(r.get("requests", 0), 1)
                r["cpu"] = {k: (cpu1[k] - cpu0[k]) / n for k in cpu0}
                results.append(r)
                c = r["cpu"]
                log(f"{name:28} {items:5d} {conns:5d} {think:6d} {r['rps']:8.1f} {r['p50']:>9} "
                    f"{r['p99']:>9} {r['max']:>9} {r['non2xx']:7d} {r['partial']:7d} {load:>5}  "
                    f"{c['portal']:.1f}+{c['postgres']:.1f}+{c['gateways']:.1f} = "
                    f"{sum(c.values()):.1f}")
                if r["errors"]:
                    log("  wrk: " + r["errors"])
                if self.a.verbose:
                    log(out)
        return results

    # ---- FHIR beside the JSON routes -------------------------------------------------------
    def fhir_tokens(self):
        """A SMART app registered in the database, then the standalone launch with each
        user's session (authorize with PKCE, token): one bearer token per user."""
        subprocess.run(["psql", f"host={self.pg} dbname=hareyaka user=hareyaka", "-qc",
                        "INSERT INTO fhir_clients (client_id, name, redirect_uris, scopes, "
                        "created_by) VALUES ('bench-app', 'bench', "
                        "ARRAY['https://app.example.jp/cb'], 'user/*.rs', 'bench') "
                        "ON CONFLICT DO NOTHING"], check=True)
        tokens = []
        for cookie in self.cookies:
            verifier = base64.urlsafe_b64encode(os.urandom(48)).decode().rstrip("=")
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            q = urllib.parse.urlencode({
                "response_type": "code", "client_id": "bench-app",
                "redirect_uri": "https://app.example.jp/cb", "scope": "user/*.rs",
                "code_challenge": challenge, "code_challenge_method": "S256"})
            status, headers, body = self.call(self.web, "GET", "/fhir/auth/authorize?" + q,
                                              headers={"Cookie": cookie})
            loc = dict((k.lower(), v) for k, v in headers).get("location", "")
            code = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query).get("code", [""])[0]
            if status != 302 or not code:
                raise SystemExit(f"authorize: {status} {loc} {body[:200]}")
            c = http.client.HTTPSConnection("127.0.0.1", self.web, context=self.tls(), timeout=60)
            c.request("POST", "/fhir/auth/token", body=urllib.parse.urlencode({
                "grant_type": "authorization_code", "code": code, "client_id": "bench-app",
                "redirect_uri": "https://app.example.jp/cb", "code_verifier": verifier}),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
            r = c.getresponse()
            t = json.loads(r.read())
            c.close()
            tokens.append("Bearer " + t["access_token"])
        path = self.work + "/tokens.txt"
        open(path, "w").write("\n".join(tokens) + "\n")
        return path

    def fhir(self):
        """The FHIR route and the web UI's JSON route for the same data, side by side: the
        patient by identifier (PDQm) against the persons search by local id, and the lab
        results over 5 gateways as Observation against /lab_results. Goal: FHIR <= 1.2x."""
        tokens = self.fhir_tokens()
        lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange_bench.lua")
        ident = urllib.parse.quote(f"urn:oid:{hospital(0)}.1|{self.pid}", safe="")
        pairs = [("patient by id", f"/fhir/Patient?identifier={ident}",
                  f"/api/v1/persons?local_id={self.pid}"),
                 ("lab results, 5 gateways",
                  f"/fhir/Observation?patient={self.person}&category=laboratory",
                  f"/api/v1/persons/{self.person}/lab_results")]
        log(f"\nFHIR beside JSON: wrk -t{self.a.threads} -d{self.a.duration}s, one token or "
            f"session per user in rotation ({len(self.cookies)} users)")
        log(f"{'view':26} {'route':5} {'conns':>5} {'req/s':>8} {'p50':>9} {'p95':>9} "
            f"{'p99':>9} {'non-2xx':>7} {'partial':>7} {'load':>5}")
        for name, fhir_path, json_path in pairs:
            for conns in (1, self.a.connections):
                for route, path, creds in (("json", json_path, self.cookie_file),
                                           ("fhir", fhir_path, tokens)):
                    url = f"https://127.0.0.1:{self.web}{path}"
                    if self.a.warmup > 0:
                        subprocess.run(["wrk", "-t1", "-c4", f"-d{self.a.warmup}s", "-s", lua,
                                        url, "--", path, creds], check=True, capture_output=True)
                    load = loadavg()
                    out = subprocess.run(["wrk", f"-t{min(self.a.threads, conns)}", f"-c{conns}",
                                          f"-d{self.a.duration}s", "--latency", "--timeout",
                                          "10s", "-s", lua, url, "--", path, creds],
                                         check=True, capture_output=True, text=True).stdout
                    r = parse_wrk(out)
                    log(f"{name:26} {route:5} {conns:5d} {r['rps']:8.1f} {r['p50']:>9} "
                        f"{r.get('p95', '-'):>9} {r['p99']:>9} {r['non2xx']:7d} "
                        f"{r['partial']:7d} {load:>5}")
                    if r.get("disclosed", 0) == 0:
                        raise SystemExit(f"{route} {path}: nothing disclosed: {out[-400:]}")

    # ---- 3. soak -------------------------------------------------------------------------
    def soak(self):
        """USERS sessions, CONNECTIONS concurrent clients, mixed views for SOAK seconds: errors,
        and the resident memory and open descriptors of every daemon after warm-up."""
        lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange_bench.lua")
        p = f"/api/v1/persons/{self.person}"
        paths = [p, p + "/encounters", p + "/lab_results", p + "/prescriptions",
                 p + "/diagnoses", "/api/v1/persons?local_id=" + self.pid]
        for path in paths[:3]:
            self.check_view(path)
        url = f"https://127.0.0.1:{self.web}{paths[0]}"
        procs = {"portal": self.portal_proc.pid, "postgres": self.pg_pid()}  # + its backends
        # (postgres: RssAnon of the postmaster and its backends; the others: VmRSS)
        for name, proc in self.procs:
            if name.startswith("gw"):
                procs[name] = proc.pid
        samples = []  # (t, {name: (rss kB, fds)})

        def sample(t0):
            row = {}
            for name, pid in procs.items():
                # PostgreSQL: the postmaster and every backend (one per pooled connection).
                pids = [pid] + (children(pid) if name == "postgres" else [])
                rss = fds = 0
                for q in pids:
                    try:
                        fds += len(os.listdir(f"/proc/{q}/fd"))
                        # PostgreSQL's backends map the shared buffers: their RSS grows as
                        # they touch pages of it; what is theirs alone is RssAnon.
                        rss += proc_status(q, "RssAnon" if name == "postgres" else "VmRSS")
                    except OSError:
                        pass
                row[name] = (rss, fds)
            samples.append((time.time() - t0, row))

        log(f"\n3. soak: {self.a.connections} concurrent clients, {len(self.cookies)} sessions, "
            f"{len(paths)} views in rotation (summary, encounters, lab results, prescriptions, "
            f"diagnoses, patient search), {self.a.soak} s, wrk -t{self.a.threads}, "
            f"cores={os.cpu_count()}, load before {loadavg()}")
        t0 = time.time()
        sample(t0)
        w = subprocess.Popen(["wrk", f"-t{self.a.threads}", f"-c{self.a.connections}",
                              f"-d{self.a.soak}s", "--latency", "--timeout", "30s", "-s", lua,
                              url, "--", ",".join(paths), self.cookie_file, "0"],
                             stdout=subprocess.PIPE, text=True)
        every = max(5, self.a.soak // 30)
        while w.poll() is None:
            time.sleep(every)
            sample(t0)
        out = w.stdout.read()
        sample(t0)
        r = parse_wrk(out)
        warm = next((s for s in samples if s[0] >= min(60, self.a.soak / 5)), samples[-1])
        last = samples[-1]
        log(f"requests {r.get('requests', 0)}  req/s {r['rps']:.1f}  p50 {r['p50']}  "
            f"p99 {r['p99']}  max {r['max']}  non-2xx {r['non2xx']}  partial {r['partial']}  "
            f"load after {loadavg()}")
        if r["errors"]:
            log("  wrk: " + r["errors"])
        log(f"{'process':12} {'RSS MB start':>13} {'after warm-up':>14} {'end':>8} {'growth':>7}"
            f"  {'fds start':>9} {'warm':>5} {'end':>5}")
        grown = []
        for name in procs:
            r0, f0 = samples[0][1][name]
            rw, fw = warm[1][name]
            re_, fe = last[1][name]
            g = (re_ - rw) / rw * 100 if rw else 0
            gf = (fe - fw) / fw * 100 if fw > 0 else 0
            log(f"{name:12} {r0 / 1024:13.1f} {rw / 1024:14.1f} {re_ / 1024:8.1f} {g:6.1f}%"
                f"  {f0:9d} {fw:5d} {fe:5d}")
            if g > 10 or gf > 10:
                grown.append(name)
        if self.a.verbose:
            for t, row in samples:
                log(f"  t={t:6.0f}s " + "  ".join(f"{n} {v[0] / 1024:.1f}MB/{v[1]}fd"
                                                  for n, v in row.items()))
        failed = r["non2xx"] or r["errors"] or grown
        log("soak: " + ("FAILED: " + ", ".join(filter(None, [
            f"{r['non2xx']} non-2xx" if r["non2xx"] else "", r["errors"],
            ("growth > 10 % after warm-up: " + ", ".join(grown)) if grown else ""]))
            if failed else "0 errors; memory and descriptors flat (< 10 % after warm-up)"))
        return not failed

    def pg_pid(self):
        return int(open(self.pg + "/data/postmaster.pid").readline())

    # ---- 2. document ---------------------------------------------------------------------
    def assertion(self):
        now = int(time.time())
        # Presented with the portal's certificate (directly or by nginx), accepted once, and
        # short-lived, as the gateway requires (docs/security-model.md "Nodes").
        der = subprocess.run(["openssl", "x509", "-in", self.pki + "/portal.pem", "-outform",
                              "der"], check=True, capture_output=True).stdout
        claims = {"usr": "bench-direct", "prof": "doctor", "fac": CLINIC, "aud": hospital(0),
                  "aa": hospital(0) + ".1", "pid": self.pid, "cat": "documents",
                  "pur": "treatment", "rid": "bench", "iat": now, "exp": now + 60,
                  "prs": hashlib.sha256(der).hexdigest(), "jti": os.urandom(16).hex()}
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        payload = b64(json.dumps(claims, separators=(",", ":")).encode())
        # Ed25519 signs in one shot: openssl needs the input as a file, not a pipe.
        msg = self.work + "/assertion.msg"
        open(msg, "w").write(payload)
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey",
                              self.pki + "/assertion.key", "-in", msg], check=True,
                             capture_output=True).stdout
        return payload + "." + b64(sig)

    def nginx(self):
        ports = []
        servers = ""
        for buffering in ("on", "off"):
            s = __import__("socket").socket()
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
            s.close()
            servers += f"""
  server {{
    listen 127.0.0.1:{ports[-1]} ssl;
    ssl_certificate {self.pki}/nginx.pem;
    ssl_certificate_key {self.pki}/nginx.key;
    location / {{
      proxy_pass https://127.0.0.1:{self.gw[0]};
      proxy_http_version 1.1;
      proxy_buffering {buffering};
      proxy_ssl_certificate {self.pki}/portal.pem;
      proxy_ssl_certificate_key {self.pki}/portal.key;
      proxy_ssl_trusted_certificate {self.pki}/ca.pem;
      proxy_ssl_verify on;
      proxy_ssl_name localhost;
      proxy_ssl_session_reuse on;
    }}
  }}"""
        conf = self.work + "/nginx.conf"
        open(conf, "w").write(f"""worker_processes auto;
pid {self.work}/nginx.pid;
error_log {self.work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {self.work}/nginx-body;
  proxy_temp_path {self.work}/nginx-proxy;
  fastcgi_temp_path {self.work}/nginx-fastcgi;
  uwsgi_temp_path {self.work}/nginx-uwsgi;
  scgi_temp_path {self.work}/nginx-scgi;
{servers}
}}
""")
        p = self.spawn("nginx", ["nginx", "-c", conf, "-p", self.work, "-g", "daemon off;"])
        for _ in range(100):
            if os.path.exists(self.work + "/nginx.pid"):
                break
            if p.poll() is not None:
                raise SystemExit("nginx did not start: " + open(self.work + "/nginx.err").read())
            time.sleep(0.05)
        return ports

    def curl(self, url, headers, node=None):
        argv = ["curl", "-sS", "--cacert", self.pki + "/ca.pem", "-o", "/dev/null", "-w",
                "%{http_code} %{size_download} %{time_total}"]
        if node:
            argv += ["--cert", f"{self.pki}/{node}.pem", "--key", f"{self.pki}/{node}.key"]
        for k, v in headers.items():
            argv += ["-H", f"{k}: {v}"]
        out = subprocess.run(argv + [url], check=True, capture_output=True, text=True).stdout
        code, size, secs = out.split()
        if code != "200" or int(size) != self.doc_size:
            raise SystemExit(f"{url}: HTTP {code}, {size} bytes (expected {self.doc_size})")
        return float(secs)

    def document(self):
        status, body = self.get(self.cookies[0], f"/api/v1/persons/{self.person}/documents")
        docs = [d for d in body.get("items", []) if d["facility_oid"] == hospital(0)
                and d.get("size") == self.doc_size]
        if status != 200 or not docs:
            raise SystemExit(f"the {self.a.doc_mb} MB document is not listed: {status} {body}")
        doc = urllib.parse.quote(docs[0]["id"], safe="")
        gw_path = f"/gw/v1/patients/{self.pid}/documents/{doc}"
        nginx_on, nginx_off = self.nginx()
        portal_url = (f"https://127.0.0.1:{self.web}/api/v1/persons/{self.person}/documents/"
                      f"{hospital(0)}/{doc}")
        ways = [("direct from the gateway", lambda: self.curl(
                    f"https://127.0.0.1:{self.gw[0]}{gw_path}",
                    {"X-Hareyaka-Assertion": self.assertion()}, "portal")),
                ("nginx proxy_pass (buffering)", lambda: self.curl(
                    f"https://127.0.0.1:{nginx_on}{gw_path}",
                    {"X-Hareyaka-Assertion": self.assertion()})),
                ("nginx proxy_pass (unbuffered)", lambda: self.curl(
                    f"https://127.0.0.1:{nginx_off}{gw_path}",
                    {"X-Hareyaka-Assertion": self.assertion()})),
                ("through the portal", lambda: self.curl(portal_url,
                                                         {"Cookie": self.cookies[0]}))]
        pid = self.portal_proc.pid
        rss_before = proc_status(pid, "VmRSS")
        times = {name: [] for name, _ in ways}
        peaks, loads = [], []
        for name, fetch in ways:
            fetch()  # warm-up: page cache, TLS sessions, pooled connections
        for _ in range(self.a.runs):
            loads.append(float(loadavg()))
            for name, fetch in ways:
                if name == "through the portal":
                    open(f"/proc/{pid}/clear_refs", "w").write("5")  # reset the peak RSS
                times[name].append(fetch())
                if name == "through the portal":
                    peaks.append(proc_status(pid, "VmHWM"))
        mb = self.doc_size / (1 << 20)
        log(f"\n2. one {mb:.0f} MB document, {self.a.runs} runs (ways interleaved), curl, TLS, "
            f"cores={os.cpu_count()}, load {min(loads):.2f}-{max(loads):.2f}")
        log(f"{'way':32} {'best s':>7} {'median s':>9} {'MB/s (median)':>14}  runs (s)")
        direct = statistics.median(times[ways[0][0]])
        for name, _ in ways:
            t = times[name]
            med = statistics.median(t)
            log(f"{name:32} {min(t):7.3f} {med:9.3f} {mb / med:14.1f}  "
                + " ".join(f"{x:.3f}" for x in t))
        ratio = [direct / statistics.median(times[w[0]]) for w in ways]
        log(f"ratio portal/direct (median throughput): {ratio[3]:.2f}   "
            f"nginx(buffering)/direct: {ratio[1]:.2f}   nginx(unbuffered)/direct: {ratio[2]:.2f}")
        log(f"portal RSS: {rss_before / 1024:.1f} MB before; peak during each relay: "
            + ", ".join(f"{p / 1024:.1f}" for p in peaks) + " MB")
        if max(peaks) - rss_before > self.doc_size / 1024 / 2:
            raise SystemExit("the portal's memory grew with the document: not streamed")


def proc_status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB
    return 0


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def parse_wrk(out):
    r = {"rps": 0.0, "p50": "-", "p99": "-", "max": "-", "non2xx": 0, "partial": 0, "errors": ""}
    for line in out.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "Requests/sec:":
            r["rps"] = float(f[1])
        elif f[0] == "50%":
            r["p50"] = f[1]
        elif f[0] == "p95:":
            r["p95"] = f[1]
        elif f[0] == "99%":
            r["p99"] = f[1]
        elif f[0] == "Latency" and len(f) >= 4:
            r["max"] = f[3]
        elif line.strip().startswith("Non-2xx"):
            r["non2xx"] = int(f[-1])
        elif f[0] == "partial:":
            r["partial"] = int(f[1])
        elif f[0] == "disclosed:":
            r["disclosed"] = int(f[1])
        elif f[0] == "statuses:":
            r["statuses"] = " ".join(f[1:])
        elif f[0] == "Socket":
            r["errors"] = line.strip()
        elif len(f) >= 3 and f[1] == "requests" and f[2] == "in":
            r["requests"] = int(f[0])
    return r


def cpu_ms(pid, children=False):
    """User + system CPU of a process so far (and of its waited-for children), in ms."""
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("build", nargs="?", default=os.path.join(ROOT, "build"))
    p.add_argument("--smoke", action="store_true", help="tiny sizes; fails if anything is off")
    p.add_argument("--users", type=int, default=200, help="logged-in users (one session each)")
    p.add_argument("--connections", type=int, default=200, help="wrk connections")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--duration", type=int, default=20, help="seconds per view")
    p.add_argument("--think-ms", type=int, default=1000,
                   help="second pass: each user waits this long between views (0: skip)")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per view")
    p.add_argument("--patients", type=int, default=50, help="patients per hospital")
    p.add_argument("--visits", type=int, default=6, help="average outpatient visits")
    p.add_argument("--doc-mb", type=int, default=50)
    p.add_argument("--runs", type=int, default=5, help="document fetches per way")
    p.add_argument("--synchronous-commit", choices=["on", "off"], default="on",
                   help="PostgreSQL's setting (on: every audit append waits for the WAL flush)")
    p.add_argument("--only", choices=["timeline", "document", "soak", "fhir"])
    p.add_argument("--soak", type=int, default=600,
                   help="with --only soak: seconds of mixed views by --connections clients")
    p.add_argument("--portal", default="portal/hareyaka-portal",
                   help="portal binary (relative to BUILD or absolute), e.g. an older build's")
    p.add_argument("--gateway", default="gateway/hareyaka-gateway",
                   help="gateway binary (relative to BUILD or absolute), e.g. an older build's")
    p.add_argument("--hold", action="store_true",
                   help="after set-up, print the addresses and wait (for profiling by hand)")
    p.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    p.add_argument("--verbose", action="store_true", help="print wrk's whole output")
    a = p.parse_args()
    if a.smoke:
        a.users, a.connections, a.duration, a.warmup, a.think_ms = 10, 10, 1, 0, 0
        a.patients, a.doc_mb, a.runs = 12, 8, 1
    for tool in ("wrk", "nginx", "curl", "openssl", "psql"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed (deploy/install-deps)")
    b = Bench(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    log(f"load average before set-up (the rest of the machine): {loadavg()}")
    try:
        b.start()
        b.sessions()
        if a.hold:
            log(f"holding (Ctrl-C stops): work {b.work}, portal https://127.0.0.1:{b.web}, "
                f"person {b.person}, cookie {b.cookies[0]}, gateways {b.gw}, "
                f"portal pid {b.portal_proc.pid}")
            signal.pause()
        if a.only == "soak":
            if not b.soak():
                raise SystemExit(1)
            return
        if a.only == "fhir":
            b.fhir()
            return
        if a.only != "document":
            results = b.timeline()
            # (Partial answers under load depend on the machine's load against the gateway
            # deadline; the complete answer is checked before each pass.)
            if a.smoke and any(r["non2xx"] or r["rps"] <= 0 for r in results):
                raise SystemExit("smoke: error answers under load")
            b.fhir()
        if a.only != "timeline":
            b.document()
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()
