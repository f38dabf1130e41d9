#!/usr/bin/env python3
"""What a peer network costs a clinician's timeline (issue #16): the visit history of a patient
known in both networks of `deploy/demo --networks 2`, viewed at network 1 by USERS concurrent
readers, first within network 1 only (GET /api/v1/persons/{id}/encounters), then as the
patient page shows it with the peer (that request and, in parallel, the peer's records over
IHE XCPD + XCA: /api/v1/persons/{id}/communities/{peer}/encounters; a view ends when both
have answered). Prints p50/p99 of each and the ratio. Every request is real: sessions, PIX,
decide(), the audit chain, the gateways' signed calls; the peer's view adds ITI-38 and ITI-39
to network 2's portal, its decisions and audit, and its own gateway calls.

Run against the demo (it starts both networks, runs this, and stops them):

  HAREYAKA_DEMO_SKIP_BUILD=1 HAREYAKA_DEMO_THEN=tests/bench/xca_bench.py \\
      deploy/demo --smoke --networks 2

XCA_BENCH_USERS (default 50) and XCA_BENCH_VIEWS (per user and pass, default 20). The client
(Python threads) runs on the same cores as both networks: figures are for comparison, not
capacity.
"""
import http.client, json, os, ssl, statistics, subprocess, sys, threading, time
import urllib.request, http.cookiejar

demo = os.environ["HAREYAKA_DEMO_DIR"]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
users = int(os.environ.get("XCA_BENCH_USERS", "50"))
views = int(os.environ.get("XCA_BENCH_VIEWS", "20"))
ctx = ssl.create_default_context(cafile=f"{demo}/pki/ca.pem")
port = json.load(open(f"{demo}/portal.ports"))["listeners"]["web"]


def login():
    code = subprocess.run([f"{root}/deploy/totp", "JBSWY3DPEHPK3PXPDRSATO2A"], check=True,
                          capture_output=True, text=True).stdout.strip()
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
    c.request("POST", "/api/v1/session",
              json.dumps({"login_id": "dr-sato", "password": "Hareyaka-Demo-2026", "totp": code}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"login: {r.status}")
    return r.getheader("Set-Cookie").split(";")[0]


cookie = login()


def get(conn, path):
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise RuntimeError(f"{path}: {r.status} {body[:200]}")
    return json.loads(body)


conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
person = peer = None
for _ in range(90):
    people = get(conn, "/api/v1/persons?page_size=200")["items"]
    for p in (p for p in people if len(p["identifiers"]) >= 2):
        found = [c for c in get(conn, f"/api/v1/persons/{p['person_id']}/communities")["communities"]
                 if c["status"] == "found"]
        if found:
            person, peer = p["person_id"], found[0]["home_community_id"]
            break
    if person:
        break
    time.sleep(1)
if not person:
    sys.exit("no patient of both networks found within 90 s")
local = f"/api/v1/persons/{person}/encounters"
remote = f"/api/v1/persons/{person}/communities/{peer}/encounters"
n_local = len(get(conn, local)["items"])
answer = get(conn, remote)
print(f"person {person}: {n_local} visits here, {len(answer['items'])} at the peer "
      f"({answer['community']['name']}, {answer['community']['status']})", flush=True)


def run(with_peer):
    lat, errors = [], []
    lock = threading.Lock()

    def reader():
        a = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
        b = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
        for _ in range(views):
            t0 = time.perf_counter()
            try:
                if with_peer:
                    side = {}
                    t = threading.Thread(target=lambda: side.setdefault("r", get(b, remote)))
                    t.start()
                    get(a, local)
                    t.join()
                    if side.get("r", {}).get("community", {}).get("status") != "ok":
                        raise RuntimeError(f"peer answered {side.get('r', {}).get('community')}")
                else:
                    get(a, local)
            except Exception as e:  # noqa: BLE001 (counted and shown)
                with lock:
                    errors.append(str(e)[:120])
                a = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
                b = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
                continue
            with lock:
                lat.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=reader) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat.sort()
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    return statistics.median(lat) if lat else float("nan"), p99, len(lat) / wall, errors


print(f"{users} users x {views} views per pass, load average {open('/proc/loadavg').read().split()[0]}")
run(False)  # warm-up: connections, caches, the XCPD correlation
results = {}
for name, with_peer in (("this network only", False), ("with the peer network", True)):
    p50, p99, rate, errors = run(with_peer)
    results[name] = (p50, p99)
    print(f"  {name:24} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  {rate:6.1f} views/s  "
          f"errors {len(errors)}{'  e.g. ' + errors[0] if errors else ''}", flush=True)
(a50, a99), (b50, b99) = results["this network only"], results["with the peer network"]
print(f"  ratio with/without the peer: p50 {b50 / a50:.2f}x  p99 {b99 / a99:.2f}x")
