#!/usr/bin/env python3
"""Writes the demo network's bootstrap file: facilities (with their gateways' addresses and
certificate fingerprints), demo users with pre-enrolled one-time-code secrets, and consents.

  demo-seed.py DEMO_DIR GATEWAY_A_URL GATEWAY_B_URL > seed.json

Environment, for the second network of `deploy/demo --networks 2`: SEED_NETWORK (1 or 2;
facility OIDs, names and gateway certificates of that network), SEED_TRUTH (its truth.csv),
SEED_PEER_COMMUNITY (the other network's homeCommunityId: the shared patients' consents
then also name it, so they can be discovered across the border over IHE XCPD).

Consents follow a seed network's typical state: every patient of both hospitals who is
shared between them consented to all participating facilities; half of hospital A's other
patients consented only to the clinic; the rest did not consent (the clinic never sees them).
"""
import csv, hashlib, json, os, subprocess, sys

demo, url_a, url_b = sys.argv[1], sys.argv[2], sys.argv[3]
NETWORK = os.environ.get("SEED_NETWORK", "1")
PEER = os.environ.get("SEED_PEER_COMMUNITY", "")
HOSTED = os.environ.get("SEED_HOSTED_URL", "")
ROOT = "1.2.392.200284.33" if NETWORK == "1" else "1.2.392.200300.34"
GATEWAYS = ("gateway-a", "gateway-b") if NETWORK == "1" else ("gateway-c", "gateway-d")
A, B = ROOT + ".1310001", ROOT + ".1310002"
CLINIC, PHARMACY = ROOT + ".2000001", ROOT + ".3000001"
CARE = ROOT + ".3000002"  # a visiting-nurse station, network 1's second hosted tenant
NAMES = {
    "1": [("晴れやか総合病院", "ハレヤカソウゴウビョウイン", "Hareyaka General Hospital"),
          ("岡山中央病院", "オカヤマチュウオウビョウイン", "Okayama Central Hospital"),
          ("はれやか内科クリニック", "ハレヤカナイカクリニック", "Hareyaka Internal Medicine Clinic"),
          ("さくら薬局", "サクラヤッキョク", "Sakura Pharmacy"), "331007"],
    "2": [("もみじ総合病院", "モミジソウゴウビョウイン", "Momiji General Hospital"),
          ("広島中央病院", "ヒロシマチュウオウビョウイン", "Hiroshima Central Hospital"),
          ("もみじ内科クリニック", "モミジナイカクリニック", "Momiji Internal Medicine Clinic"),
          ("ひまわり薬局", "ヒマワリヤッキョク", "Himawari Pharmacy"), "341002"],
}[NETWORK]


def fingerprint(node):
    der = subprocess.run(["openssl", "x509", "-in", f"{demo}/pki/{node}.pem", "-outform", "der"],
                         check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


def facility(oid, names, kind, discloses, url=None, node=None):
    f = {"oid": oid, "name_kanji": names[0], "name_kana": names[1], "name_en": names[2],
         "kind": kind, "municipality_code": NAMES[4], "discloses": discloses, "views": True}
    if url:
        f["gateway_url"] = url
        f["gateway_cert_sha256"] = fingerprint(node)
    return f


facilities = [
    facility(A, NAMES[0], "hospital", True, url_a, GATEWAYS[0]),
    facility(B, NAMES[1], "hospital", True, url_b, GATEWAYS[1]),
    facility(CLINIC, NAMES[2], "clinic", False),
    # Network 1's pharmacy discloses through the hosted gateway (tenant "sakura", issue #17).
    facility(PHARMACY, NAMES[3], "pharmacy", bool(HOSTED),
             HOSTED + "/t/sakura" if HOSTED else None, "tenant-sakura"),
]
if HOSTED:
    # ... and a visiting-nurse station with no system at all: its staff use the web form.
    facilities.append(facility(CARE, ("ひなた訪問看護ステーション", "ヒナタホウモンカンゴステーション",
                                      "Hinata Visiting Nurse Station"),
                               "home_visit_nursing", True, HOSTED + "/t/hinata", "tenant-hinata"))

PASSWORD = "Hareyaka-Demo-2026"
users = [
    {"login_id": "dr-sato", "display_name": "佐藤 一郎", "facility_oid": CLINIC,
     "profession": "doctor", "password": PASSWORD, "totp_secret": "JBSWY3DPEHPK3PXPDRSATO2A"},
    {"login_id": "ph-suzuki", "display_name": "鈴木 花子", "facility_oid": PHARMACY,
     "profession": "pharmacist", "password": PASSWORD, "totp_secret": "JBSWY3DPEHPK3PXPPHSUZUKI"},
    {"login_id": "ns-tanaka", "display_name": "田中 美咲", "facility_oid": CLINIC,
     "profession": "nurse", "password": PASSWORD, "totp_secret": "JBSWY3DPEHPK3PXPNSTANAKA"},
    {"login_id": "admin", "display_name": "事務局 管理者", "facility_oid": A,
     "profession": "secretariat_admin", "password": PASSWORD,
     "totp_secret": "JBSWY3DPEHPK3PXPADMIN234"},
    {"login_id": "pref-officer", "display_name": "県 保健医療課", "facility_oid": A,
     "profession": "prefecture_officer", "password": PASSWORD,
     "totp_secret": "JBSWY3DPEHPK3PXPPREFOFFI"},
    {"login_id": "dm-sakura", "display_name": "さくら薬局 データ管理者", "facility_oid": PHARMACY,
     "profession": "data_manager", "password": PASSWORD,
     "totp_secret": "JBSWY3DPEHPK3PXPDMSAKURA"},
]
if HOSTED:
    users.append({"login_id": "dm-hinata", "display_name": "ひなた訪問看護 データ管理者",
                  "facility_oid": CARE, "profession": "data_manager", "password": PASSWORD,
                  "totp_secret": "JBSWY3DPEHPK3PXPDMHINATA"})

rows = list(csv.DictReader(open(os.environ.get("SEED_TRUTH", f"{demo}/truth.csv"),
                              encoding="utf-8")))
persons = {}
for r in rows:
    persons.setdefault(r["person_id"], []).append(r)
consents = []
only_a = 0
for pid, ids in sorted(persons.items()):
    facs = {r["facility"] for r in ids}
    for r in ids:
        source = A if r["facility"] == "A" else B
        c = {"authority": source + ".1", "local_id": r["patient_id"], "source_facility": source,
             "viewer_facility": None, "categories": None, "document_ref": "demo-" + pid}
        if facs == {"A", "B"}:
            consents.append(c)
            if PEER:
                consents.append(dict(c, viewer_community=PEER, document_ref="demo-xcpd-" + pid))
        elif r["facility"] == "A":
            only_a += 1
            if only_a % 2 == 0:
                c["viewer_facility"] = CLINIC
                consents.append(c)

json.dump({"facilities": facilities, "users": users, "consents": consents}, sys.stdout,
          ensure_ascii=False, indent=1)
