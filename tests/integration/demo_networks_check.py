#!/usr/bin/env python3
"""Run by `deploy/demo --smoke --networks 2` (HAREYAKA_DEMO_THEN): the README's two-network demo
does what it says. dr-sato logs in at network 1, opens a patient of both of its hospitals and
finds the patient known at network 2 over IHE XCPD, and sees the diagnoses network 2's
hospitals hold of them over IHE XCA; network 2 answers the other way too."""
import http.cookiejar, json, os, ssl, subprocess, sys, time, urllib.request

demo = os.environ["HAREYAKA_DEMO_DIR"]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ctx = ssl.create_default_context(cafile=f"{demo}/pki/ca.pem")


def web_port(portal):
    return json.load(open(f"{demo}/{portal}.ports"))["listeners"]["web"]


def session(portal):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx),
                                         urllib.request.HTTPCookieProcessor(jar))
    base = f"https://127.0.0.1:{web_port(portal)}"
    code = subprocess.run([f"{root}/deploy/totp", "JBSWY3DPEHPK3PXPDRSATO2A"], check=True,
                          capture_output=True, text=True).stdout.strip()
    body = json.dumps({"login_id": "dr-sato", "password": "Hareyaka-Demo-2026",
                       "totp": code}).encode()
    opener.open(urllib.request.Request(base + "/api/v1/session", body,
                                       {"Content-Type": "application/json"}))
    return lambda path: json.load(opener.open(base + path))


def check(portal, peer):
    """Polls up to 90 s: the gateways publish their patients to the portals after start."""
    get = session(portal)
    statuses = {}
    for _ in range(90):
        people = get("/api/v1/persons?page_size=200")["items"]
        shared = [p for p in people if len(p["identifiers"]) >= 2]
        if shared:
            answer = get(f"/api/v1/persons/{shared[0]['person_id']}/communities")["communities"]
            statuses = {c["name"]: c["status"] for c in answer}
            if statuses.get(peer) == "found":
                print(f"  {portal}: a shared patient is known at {peer}")
                hcid = next(c["home_community_id"] for c in answer if c["name"] == peer)
                records = get(f"/api/v1/persons/{shared[0]['person_id']}/communities/{hcid}"
                              "/diagnoses")
                if records["community"]["status"] != "ok" or not records["items"]:
                    sys.exit(f"{portal}: no diagnoses from {peer} over XCA: {records}")
                print(f"  {portal}: {len(records['items'])} diagnoses from {peer} over XCA")
                return
        time.sleep(1)
    sys.exit(f"{portal}: no shared patient found at {peer} within 90 s (last answer {statuses})")


# One code per 30 s step is accepted once per user and network: the two portals are two
# networks, each with its own replay guard.
check("portal", "もみじネット（広島）")
check("portal2", "はれやかネット（岡山）")
