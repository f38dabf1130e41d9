#!/usr/bin/env python3
"""Preservation throughput and recovery point (issue #20): a generated SS-MIX2 storage of
PATIENTS patients preserved by a real hareyaka-gateway to a real hareyaka-preserve node on
loopback (mutual TLS, AES-256-GCM sealing, Ed25519 manifests, fsync of every object), against
a plain local `rsync -a` of the same files (no TLS, no encryption, no fsync: the floor any
copy pays). Then the RPO: a new file is written at the hospital SAMPLES times, and the time
until the node holds a new generation of that patient is measured (inotify -> queue -> node).
Last, the time of `hareyaka-gateway restore` of the whole copy (the RTO of the data).

  tests/bench/preserve_bench.py BUILD_DIR [--patients 1000] [--samples 20]
"""
import argparse, http.client, json, os, shutil, socket, ssl, statistics, subprocess, sys
import tempfile, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--patients", type=int, default=1000)
ap.add_argument("--samples", type=int, default=20)
args = ap.parse_args()
build = os.path.abspath(args.build)
MINIMUM = {"ADT-00", "ADT-61", "PPR-01", "OMP-01", "OMP-11", "OMP-02", "OMP-12", "OML-11",
           "ADT-12", "ADT-22", "ADT-52"}
OID = "1.2.392.200284.33.1310001"

tmp = tempfile.mkdtemp(prefix="preserve-bench-")
pki = f"{tmp}/pki"
subprocess.run([f"{root}/deploy/dev-pki", pki, "gateway", "node", "client"], check=True)


def fingerprint(pem):
    out = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256"],
                         check=True, capture_output=True, text=True).stdout
    return out.split("=", 1)[1].strip().replace(":", "").lower()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


storage = f"{tmp}/ssmix2"
t = time.time()
subprocess.run([f"{build}/gateway/hareyaka-ssmix2-gen", "--out", storage, "--patients",
                str(args.patients)], check=True, capture_output=True)
subprocess.run(f"openssl rand -base64 32 > {tmp}/preserve.key && openssl genpkey -algorithm "
               f"ed25519 -out {tmp}/sign.key", shell=True, check=True)
files, size = [], 0
for d, _, names in os.walk(storage):
    for n in names:
        rel = os.path.relpath(os.path.join(d, n), storage)
        parts = rel.split("/")
        if len(parts) == 6 and parts[4] in MINIMUM and n.endswith("_1"):
            files.append(rel)
            size += os.path.getsize(os.path.join(d, n))
print(f"storage: {args.patients} patients, {len(files)} files of the minimum data set, "
      f"{size / 1e6:.1f} MB (generated in {time.time() - t:.0f} s)")

node_port = free_port()
node_cfg = {"listener": {"port": node_port, "cert_file": f"{pki}/node.pem",
                         "key_file": f"{pki}/node.key", "client_auth": "require",
                         "client_ca_file": f"{pki}/ca.pem"},
            "store_dir": f"{tmp}/node-store",
            "facilities": [{"oid": OID, "writers": [fingerprint(f"{pki}/gateway.pem")],
                            "readers": [fingerprint(f"{pki}/gateway.pem"),
                                        fingerprint(f"{pki}/client.pem")]}],
            "log": {"level": "warn"}}
client_tls = {"ca_file": f"{pki}/ca.pem", "cert_file": f"{pki}/gateway.pem",
              "key_file": f"{pki}/gateway.key"}
gw_cfg = {"facility_oid": OID, "assertion_public_key": f"{pki}/assertion.pub",
          "node_readers": [fingerprint(f"{pki}/client.pem")],
          "listener": {"port": 0, "cert_file": f"{pki}/gateway.pem", "key_file": f"{pki}/gateway.key",
                       "client_auth": "require", "client_ca_file": f"{pki}/ca.pem"},
          "storage": {"ssmix2_root": storage, "state_dir": f"{tmp}/state"},
          "preservation": {"keys": [{"id": "bench", "key": {"file": f"{tmp}/preserve.key"}}],
                           "signing_key_file": f"{tmp}/sign.key", "patients": "all",
                           "nodes": [{"name": "east", "url": f"https://127.0.0.1:{node_port}",
                                      "tls": client_tls}]},
          "log": {"level": "warn"}}
json.dump(node_cfg, open(f"{tmp}/node.json", "w"))
json.dump(gw_cfg, open(f"{tmp}/gateway.json", "w"))
procs = []
log = open(f"{tmp}/daemons.log", "w")
procs.append(subprocess.Popen([f"{build}/preserve/hareyaka-preserve", "--config", f"{tmp}/node.json"],
                              stdout=log, stderr=log))
ctx = ssl.create_default_context(cafile=f"{pki}/ca.pem")
ctx.load_cert_chain(f"{pki}/client.pem", f"{pki}/client.key")


def get(port, path):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def wait(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if pred():
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    sys.exit(f"timed out waiting for {what}; see {tmp}/daemons.log")


wait(lambda: get(node_port, "/healthz")[0] == 200, 30, "the node")
try:
    t0 = time.time()
    procs.append(subprocess.Popen([f"{build}/gateway/hareyaka-gateway", "--config",
                                   f"{tmp}/gateway.json", "--ports-file", f"{tmp}/gw.ports"],
                                  stdout=log, stderr=log))
    wait(lambda: os.path.exists(f"{tmp}/gw.ports"), 30, "the gateway")
    gw_port = json.load(open(f"{tmp}/gw.ports"))["listeners"]["nodes"]
    wait(lambda: get(gw_port, "/readyz")[0] == 200, 600, "the gateway's scan")
    t_ready = time.time()

    def drained():
        s = json.loads(get(gw_port, "/gw/v1/preserve/status")[1])["nodes"][0]
        return s["pending"] == 0 and s["acknowledged"] >= args.patients

    wait(drained, 3600, "the first preservation")
    t_done = time.time()
    status = json.loads(get(gw_port, "/gw/v1/preserve/status")[1])["nodes"][0]
    ours = t_done - t_ready
    print(f"hareyaka preservation: {ours:.1f} s after the index was ready "
          f"({t_ready - t0:.1f} s scan): {len(files) / ours:,.0f} files/s, "
          f"{size / 1e6 / ours:.1f} MB/s of records, {status['bytes_sent'] / 1e6:.1f} MB sealed sent")
    with open(f"{tmp}/files.txt", "w") as f:
        f.write("\n".join(files) + "\n")
    t = time.time()
    subprocess.run(["rsync", "-a", f"--files-from={tmp}/files.txt", storage + "/", f"{tmp}/rsync/"],
                   check=True)
    rs = time.time() - t
    print(f"rsync -a (local, same files): {rs:.1f} s: {len(files) / rs:,.0f} files/s, "
          f"{size / 1e6 / rs:.1f} MB/s; hareyaka/rsync time {ours / rs:.1f}x")

    # RPO: a new lab result for a patient, until the node holds a new generation of it.
    lab = next(f for f in files if "/OML-11/" in f)
    base = f"/pv/v1/facilities/{OID}/patients?limit=5000"

    def generations():
        return sum(len(p["generations"]) for p in json.loads(get(node_port, base)[1])["patients"])

    rpo = []
    for i in range(args.samples):
        before = generations()
        name = os.path.basename(lab).split("_")
        name[4] = f"209912{i + 1:02d}000000000"  # yyyyMMddHHmmssfff, a valid time
        new = os.path.join(storage, os.path.dirname(lab), "_".join(name))
        t = time.time()
        shutil.copyfile(os.path.join(storage, lab), new)
        wait(lambda: generations() > before, 120, "the new generation")
        rpo.append(time.time() - t)
    rpo.sort()
    print(f"RPO (new file -> preserved generation), {args.samples} samples: "
          f"p50 {statistics.median(rpo) * 1000:.0f} ms, max {rpo[-1] * 1000:.0f} ms "
          f"(includes this script's 20 ms polling of the node)")

    t = time.time()
    r = subprocess.run([f"{build}/gateway/hareyaka-gateway", "restore", "--config",
                        f"{tmp}/gateway.json", "--node", "east", "--into", f"{tmp}/restored"],
                       capture_output=True, text=True)
    rt = time.time() - t
    report = json.loads(r.stdout)
    print(f"restore: {rt:.1f} s for {report['patients']} patients, {report['files']} files "
          f"({report['files'] / rt:,.0f} files/s), {len(report['problems'])} problems, exit {r.returncode}")
    du = subprocess.run(["du", "-sb", f"{tmp}/node-store"], capture_output=True, text=True).stdout
    print(f"node store: {int(du.split()[0]) / 1e6:.1f} MB for {size / 1e6:.1f} MB of records "
          f"(base64 and generations)")
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
    shutil.rmtree(tmp, ignore_errors=True)
