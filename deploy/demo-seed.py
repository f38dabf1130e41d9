#!/usr/bin/env python3
"""Writes the demo network's bootstrap file: facilities (with their gateways' addresses and
certificate fingerprints), demo users with pre-enrolled one-time-code secrets, and consents.

  demo-seed.py DEMO_DIR GATEWAY_A_URL GATEWAY_B_URL > seed.json

Consents follow a seed network's typical state: every patient of both hospitals who is
shared between them consented to all participating facilities; half of hospital A's other
patients consented only to the clinic; the rest did not consent (the clinic never sees them).
"""
import csv, hashlib, json, subprocess, sys

demo, url_a, url_b = sys.argv[1], sys.argv[2], sys.argv[3]
ROOT = "1.2.392.200284.33"
A, B = ROOT + ".1310001", ROOT + ".1310002"
CLINIC, PHARMACY = ROOT + ".2000001", ROOT + ".3000001"


def fingerprint(node):
    der = subprocess.run(["openssl", "x509", "-in", f"{demo}/pki/{node}.pem", "-outform", "der"],
                         check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


facilities = [
    {"oid": A, "name_kanji": "晴れやか総合病院", "name_kana": "ハレヤカソウゴウビョウイン",
     "name_en": "Hareyaka General Hospital", "kind": "hospital", "municipality_code": "331007",
     "discloses": True, "views": True, "gateway_url": url_a,
     "gateway_cert_sha256": fingerprint("gateway-a")},
    {"oid": B, "name_kanji": "岡山中央病院", "name_kana": "オカヤマチュウオウビョウイン",
     "name_en": "Okayama Central Hospital", "kind": "hospital", "municipality_code": "331007",
     "discloses": True, "views": True, "gateway_url": url_b,
     "gateway_cert_sha256": fingerprint("gateway-b")},
    {"oid": CLINIC, "name_kanji": "はれやか内科クリニック", "name_kana": "ハレヤカナイカクリニック",
     "name_en": "Hareyaka Internal Medicine Clinic", "kind": "clinic",
     "municipality_code": "331007", "discloses": False, "views": True},
    {"oid": PHARMACY, "name_kanji": "さくら薬局", "name_kana": "サクラヤッキョク",
     "name_en": "Sakura Pharmacy", "kind": "pharmacy", "municipality_code": "331007",
     "discloses": False, "views": True},
]

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
]

rows = list(csv.DictReader(open(f"{demo}/truth.csv", encoding="utf-8")))
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
        elif r["facility"] == "A":
            only_a += 1
            if only_a % 2 == 0:
                c["viewer_facility"] = CLINIC
                consents.append(c)

json.dump({"facilities": facilities, "users": users, "consents": consents}, sys.stdout,
          ensure_ascii=False, indent=1)
