#!/usr/bin/env python3
"""The hosted gateway (issue #17): resident memory per idle tenant, and the time to ingest a
10 MB SS-MIX2 upload against the same storage read by a hospital gateway.

1. hareyaka-hosted with 1 tenant, then with TENANTS tenants (each with its own storage area,
   index, outbox, audit and a publisher towards a portal URL): VmRSS, threads and open files
   once /readyz answers; the difference divided by TENANTS - 1 is the cost of an idle tenant.
2. A generated storage of about MB megabytes, zipped, POSTed to one tenant as its data manager
   would (an assertion signed with the portal's key): the time until the 200 (every file
   checked, written, fsynced, journalled, linked and indexed) and the process's peak RSS.
   Then a hareyaka-gateway started cold on the same files (no index cache): the time until its
   /readyz (every file read and judged), the hospital's way of reading the same storage.

  tests/bench/hosted_bench.py BUILD_DIR [--tenants 1000] [--mb 10] [--smoke]
"""
import argparse, base64, http.client, io, json, os, shutil, socket, ssl, subprocess, sys
import tempfile, time, zipfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--tenants", type=int, default=1000)
ap.add_argument("--mb", type=float, default=10)
ap.add_argument("--smoke", action="store_true", help="tiny sizes: the script still works")
args = ap.parse_args()
if args.smoke:
    args.tenants, args.mb = 5, 0.5
build = os.path.abspath(args.build)
tmp = tempfile.mkdtemp(prefix="hosted-bench-")
pki = f"{tmp}/pki"
subprocess.run([f"{root}/deploy/dev-pki", pki, "hosted", "tenant", "portal", "gateway"],
               check=True, capture_output=True)


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


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


PORTAL_FP = fingerprint(f"{pki}/portal.pem")


def assertion(claims):
    """Signed as the portal signs (common/assertion.cpp): base64url(JSON).base64url(Ed25519)."""
    payload = b64url(json.dumps(claims).encode())
    with open(f"{tmp}/payload", "w") as f:
        f.write(payload)
    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", f"{pki}/assertion.key",
                          "-rawin", "-in", f"{tmp}/payload"], check=True,
                         capture_output=True).stdout
    return payload + "." + b64url(sig)


def ctx():
    c = ssl.create_default_context(cafile=f"{pki}/ca.pem")
    c.load_cert_chain(f"{pki}/portal.pem", f"{pki}/portal.key")
    return c


def request(port, method, path, body=None, headers=None, timeout=600):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx(), timeout=timeout)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def wait_ready(port, proc, what, timeout=600):
    t = time.time()
    while time.time() - t < timeout:
        if proc.poll() is not None:
            sys.exit(f"{what} exited: {open(proc.log_path).read()[-2000:]}")
        try:
            if request(port, "GET", "/readyz", timeout=5)[0] == 200:
                return time.time() - t
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"{what} not ready in {timeout} s")


def proc_figures(pid):
    fig = {}
    for line in open(f"/proc/{pid}/status"):
        k, v = line.split(":", 1)
        if k in ("VmRSS", "VmHWM", "Threads"):
            fig[k] = int(v.split()[0])
    fig["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return fig


def start(binary, cfg, name):
    path = f"{tmp}/{name}.json"
    with open(path, "w") as f:
        json.dump(cfg, f)
    log_path = f"{tmp}/{name}.log"
    p = subprocess.Popen([binary, "--config", path], stdout=open(log_path, "w"),
                         stderr=subprocess.STDOUT)
    p.log_path = log_path
    return p


def hosted_config(n, port, with_portal, name):
    cfg = {"assertion_public_key": f"{pki}/assertion.pub",
           "node_readers": [PORTAL_FP],
           "listener": {"address": "127.0.0.1", "port": port, "cert_file": f"{pki}/hosted.pem",
                        "key_file": f"{pki}/hosted.key", "client_auth": "require",
                        "client_ca_file": f"{pki}/ca.pem"},
           "tenants_dir": f"{tmp}/{name}/tenants", "state_dir": f"{tmp}/{name}/state",
           "log": {"level": "error"},
           "tenants": [{"id": f"t{i}", "facility_oid": f"1.2.392.200284.33.{2100000 + i}",
                        "cert_file": f"{pki}/tenant.pem", "key_file": f"{pki}/tenant.key",
                        "quota_mb": 1024} for i in range(n)]}
    if with_portal:  # publishers exist; the portal is a closed port (they back off, idle)
        cfg["portal"] = {"url": f"https://127.0.0.1:{free_port()}", "ca_file": f"{pki}/ca.pem"}
    return cfg


hosted = f"{build}/gateway/hosted/hareyaka-hosted"
print(f"# hosted_bench: {args.tenants} tenants, {args.mb:g} MB upload")
figures = {}
for n in (1, args.tenants):
    port = free_port()
    p = start(hosted, hosted_config(n, port, True, f"idle{n}"), f"idle{n}")
    ready = wait_ready(port, p, f"hosted with {n} tenants")
    time.sleep(2)  # the first publish rounds (refused by the closed port) settle
    figures[n] = proc_figures(p.pid) | {"ready_s": ready}
    p.terminate()
    p.wait()
one, many = figures[1], figures[args.tenants]
per = (many["VmRSS"] - one["VmRSS"]) / max(1, args.tenants - 1)
print(f"idle, 1 tenant:      RSS {one['VmRSS'] / 1024:.1f} MB, {one['Threads']} threads, "
      f"{one['fds']} open files, ready in {one['ready_s']:.2f} s")
print(f"idle, {args.tenants} tenants: RSS {many['VmRSS'] / 1024:.1f} MB, {many['Threads']} threads, "
      f"{many['fds']} open files, ready in {many['ready_s']:.2f} s")
print(f"resident memory per idle tenant: {per:.0f} kB")

# 2. A ~MB upload to one tenant.
gen = f"{tmp}/generated"
patients = max(4, int(args.mb * 80))
subprocess.run([f"{build}/gateway/hareyaka-ssmix2-gen", "--out", gen, "--patients", str(patients)],
               check=True, capture_output=True)
buf, size, files = io.BytesIO(), 0, 0
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for d, _, names in sorted(os.walk(gen)):
        for n in sorted(names):
            full = os.path.join(d, n)
            if size >= args.mb * 1e6:
                break
            z.write(full, "export/" + os.path.relpath(full, gen))
            size += os.path.getsize(full)
            files += 1
body = buf.getvalue()
print(f"upload: {files} files, {size / 1e6:.1f} MB of SS-MIX2 ({len(body) / 1e6:.1f} MB zipped)")
port = free_port()
cfg = hosted_config(1, port, False, "ingest")
p = start(hosted, cfg, "ingest")
wait_ready(port, p, "hosted for the upload")
now = int(time.time())
token = assertion({"usr": "bench-dm", "prof": "data_manager", "fac": "1.2.392.200284.33.2100000",
                   "aud": "1.2.392.200284.33.2100000", "aa": "", "pid": "", "cat": "upload",
                   "pur": "upload", "rid": "bench", "iat": now - 1, "exp": now + 120,
                   "prs": PORTAL_FP, "jti": "bench-upload-1"})
before = proc_figures(p.pid)
t = time.time()
status, answer = request(port, "POST", "/t/t0/gw/v1/uploads/ssmix2", body,
                         {"Content-Type": "application/zip", "X-Hareyaka-Assertion": token})
ingest = time.time() - t
if status != 200:
    sys.exit(f"upload answered {status}: {answer[:2000]!r}")
report = json.loads(answer)
after = proc_figures(p.pid)
p.terminate()
p.wait()
print(f"ingest: {report['stored']} files stored in {ingest:.2f} s "
      f"({size / 1e6 / ingest:.1f} MB/s, {report['stored'] / ingest:.0f} files/s); "
      f"peak RSS {after['VmHWM'] / 1024:.1f} MB (idle {before['VmRSS'] / 1024:.1f} MB)")

# The same files read by a hospital gateway, cold (no index cache).
storage = f"{tmp}/ingest/tenants/t0/ssmix2"
gport = free_port()
gw = start(f"{build}/gateway/hareyaka-gateway",
           {"facility_oid": "1.2.392.200284.33.1310001",
            "assertion_public_key": f"{pki}/assertion.pub", "node_readers": [PORTAL_FP],
            "listener": {"address": "127.0.0.1", "port": gport, "cert_file": f"{pki}/gateway.pem",
                         "key_file": f"{pki}/gateway.key", "client_auth": "require",
                         "client_ca_file": f"{pki}/ca.pem"},
            "storage": {"ssmix2_root": storage, "state_dir": f"{tmp}/gw-state"},
            "log": {"level": "error"}}, "hospital")
scan = wait_ready(gport, gw, "hospital gateway")
gw.terminate()
gw.wait()
print(f"hospital gateway, same storage: indexed (every file read and judged) in {scan:.2f} s; "
      f"the upload took {ingest / scan:.1f}x as long (it also writes, fsyncs and links each file)")
shutil.rmtree(tmp, ignore_errors=True)
