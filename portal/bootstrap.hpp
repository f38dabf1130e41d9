// `hareyaka-portal bootstrap --config FILE --file SEED.json`: registers facilities, users
// and consents from a JSON file, for a network's first start (the first secretariat
// administrator) and for the demo. Idempotent: facilities that exist are updated to match
// the file; users and consents that exist are left as they are.
//
// {"facilities": [{"oid", "name_kanji", "name_kana", "name_en", "kind", "municipality_code",
//                  "discloses", "views", "gateway_url", "gateway_cert_sha256"}],
//  "users": [{"login_id", "display_name", "facility_oid", "profession", "password",
//             "totp_secret" (optional base32: pre-enrolled, demo only; encrypted at
//              once when auth.totp_encryption_keys is set)}],
//  "consents": [{"authority", "local_id", "source_facility", "viewer_facility" (null: all),
//                "categories" (null: all), "document_ref"}]}
#pragma once

namespace hareyaka::portal {

int run_bootstrap(int argc, char** argv);

}  // namespace hareyaka::portal
