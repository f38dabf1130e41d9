// The FHIR API through the real portal on a real PostgreSQL (the TrustNetwork and its access
// matrix): the CapabilityStatement and SMART configuration, an app registered by the
// secretariat, the standalone launch (the portal's login, PKCE S256, a one-time code, refresh
// tokens that rotate), and Patient search (PDQm), read and $ihe-pix (PIXm) decided by the
// same consent and role policy as the web UI, with every answer on the audit chain.
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/url/parse.hpp>

#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::kPassword;
using testing::matrix;
using testing::net;
using testing::url_encode;

constexpr const char* kRedirect = "https://app.example.jp/callback";
const std::string kVerifier = "hareyaka-fhir-test-verifier-0123456789-abcdefghijkl";

std::string challenge(const std::string& verifier) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size());
  char out[64];
  sodium_bin2base64(out, sizeof out, d, sizeof d, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string web(const std::string& path) {
  return "https://127.0.0.1:" + std::to_string(net().portal->port("web")) + path;
}

http::BlockingHttpClient& client() {
  static http::BlockingHttpClient c([] {
    http::ClientSettings s;
    s.tls.ca_file = hareyaka::testing::dev_pki().ca();
    return s;
  }());
  return c;
}

http::ClientResponse fhir_get(const std::string& token, const std::string& path) {
  http::ClientRequest r{.url = web(path)};
  if (!token.empty())
    r.headers["Authorization"] = "Bearer " + token;
  r.headers["Accept"] = "application/fhir+json";
  return client().request(r);
}

http::ClientResponse token_post(const std::string& form) {
  return client().request({.method = "POST",
                           .url = web("/fhir/auth/token"),
                           .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                           .body = form});
}

std::string authorize_path(const std::string& scope, const std::string& state,
                           const std::string& client = "fhir-test-app") {
  return "/fhir/auth/authorize?response_type=code&client_id=" + client +
         "&redirect_uri=" + url_encode(kRedirect) + "&scope=" + url_encode(scope) +
         "&state=" + state + "&aud=" + url_encode(web("/fhir")) +
         "&code_challenge=" + challenge(kVerifier) + "&code_challenge_method=S256";
}

// The query parameter `name` of a redirect's Location.
std::string location_param(const http::ClientResponse& r, const std::string& name) {
  auto it = r.headers.find("Location");
  if (it == r.headers.end())
    return "";
  auto u = boost::urls::parse_uri(it->second);
  if (!u)
    return "";
  auto p = u->params().find(name);
  return p == u->params().end() ? "" : std::string((*p).value);
}

// The standalone launch in a logged-in browser: the access token response.
json launch_in(Browser& b, const std::string& login, const std::string& scope,
               const std::string& client) {
  auto r = b.call("GET", authorize_path(scope, "st-" + login, client));
  EXPECT_EQ(r.status, 302) << r.body;
  EXPECT_EQ(location_param(r, "state"), "st-" + login);
  const std::string code = location_param(r, "code");
  EXPECT_FALSE(code.empty()) << r.headers["Location"];
  auto t = token_post("grant_type=authorization_code&client_id=" + client + "&code=" + code +
                      "&redirect_uri=" + url_encode(kRedirect) + "&code_verifier=" + kVerifier);
  EXPECT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.headers["Cache-Control"], "no-store");
  return body_of(t);
}

// A matrix user logged in, through the whole standalone launch.
json launch(const std::string& login, const std::string& scope,
            const std::string& client = "fhir-test-app") {
  Browser b(net().portal->port("web"));
  auto in = b.login(login, kPassword, matrix().secret);
  EXPECT_EQ(in.status, 200) << login << ": " << in.body;
  return launch_in(b, login, scope, client);
}

TEST(Fhir, SmartStandaloneLaunchThenPatientSearchReadAndPixDecidedLikeTheWebUi) {
  auto& m = matrix();
  Browser& admin = *net().admin;

  // Public: what the server offers and where to authorize.
  auto meta = fhir_get("", "/fhir/metadata");
  ASSERT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(meta.headers["Content-Type"], "application/fhir+json; charset=utf-8");
  EXPECT_EQ(body_of(meta)["fhirVersion"], "4.0.1");
  EXPECT_EQ(body_of(meta)["rest"][0]["resource"][0]["type"], "Patient");
  auto smart = body_of(fhir_get("", "/fhir/.well-known/smart-configuration"));
  EXPECT_EQ(smart["authorization_endpoint"], web("/fhir/auth/authorize"));
  EXPECT_EQ(smart["code_challenge_methods_supported"], json::array({"S256"}));

  // The secretariat registers the app.
  const json app{{"client_id", "fhir-test-app"},
                 {"name", "テスト用アプリ"},
                 {"redirect_uris", {kRedirect}},
                 {"scopes", "user/*.rs offline_access"}};
  ASSERT_EQ(admin.call("POST", "/api/v1/admin/fhir-clients", app).status, 201);
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/fhir-clients", app).status, 409);
  json bad = app;
  bad["client_id"] = "fhir-bad-app";
  bad["redirect_uris"] = {"http://app.example.jp/cb"};
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/fhir-clients", bad).status, 422);

  // No token, a made-up one: 401 with an OperationOutcome.
  auto anon = fhir_get("", "/fhir/Patient?family=x");
  EXPECT_EQ(anon.status, 401);
  EXPECT_EQ(body_of(anon)["resourceType"], "OperationOutcome");
  EXPECT_NE(anon.headers["WWW-Authenticate"].find("Bearer"), std::string::npos);
  EXPECT_EQ(fhir_get("made-up", "/fhir/Patient/" + m.person_id).status, 401);

  // Not logged in: the portal's login first, then back to the authorization.
  auto out = Browser(net().portal->port("web")).call("GET", authorize_path("user/*.rs", "x"));
  ASSERT_EQ(out.status, 302);
  EXPECT_EQ(out.headers["Location"].rfind("/#/login?next=%2Ffhir%2Fauth%2Fauthorize", 0), 0u)
      << out.headers["Location"];
  // An unregistered redirect URI is never redirected to; a patient-level scope is refused.
  auto evil = Browser(net().portal->port("web"))
                  .call("GET",
                        "/fhir/auth/authorize?response_type=code&client_id=fhir-test-app"
                        "&redirect_uri=https%3A%2F%2Fevil.example%2F&scope=user%2F*.rs"
                        "&code_challenge=" +
                            challenge(kVerifier) + "&code_challenge_method=S256");
  EXPECT_EQ(evil.status, 400);
  EXPECT_EQ(evil.headers.count("Location"), 0u);

  // A clinic doctor with the patient's consent.
  Browser doctor_ui(net().portal->port("web"));
  ASSERT_EQ(doctor_ui.login("m.clinic.given.doctor", kPassword, m.secret).status, 200);
  const json doctor = launch_in(doctor_ui, "m.clinic.given.doctor",
                                "user/*.rs offline_access patient/*.rs", "fhir-test-app");
  const std::string token = doctor["access_token"].get<std::string>();
  EXPECT_EQ(doctor["token_type"], "Bearer");
  EXPECT_EQ(doctor["scope"], "user/*.rs offline_access") << "patient/ scopes are not granted";
  ASSERT_TRUE(doctor.contains("refresh_token"));

  const std::string id_param =
      "identifier=" +
      url_encode(std::string("urn:oid:") + testing::kHospitalDomain + "|" + m.local_id);
  auto found = fhir_get(token, "/fhir/Patient?" + id_param);
  ASSERT_EQ(found.status, 200) << found.body;
  json bundle = body_of(found);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "searchset");
  ASSERT_EQ(bundle["entry"].size(), 1u) << bundle.dump();
  const json patient = bundle["entry"][0]["resource"];
  EXPECT_EQ(patient["id"], m.person_id);
  EXPECT_EQ(patient["meta"]["profile"][0],
            "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient");
  EXPECT_EQ(patient["name"][0]["family"], m.family_kanji);
  EXPECT_EQ(patient["name"][0]["extension"][0]["valueCode"], "IDE");
  EXPECT_EQ(bundle["entry"][0]["fullUrl"], web("/fhir/Patient/" + m.person_id));
  // By name, with and without the space between family and given name.
  const std::string kanji = patient["name"][0]["text"].get<std::string>();
  for (std::string name : {kanji, m.family_kanji}) {
    auto by_name = body_of(fhir_get(token, "/fhir/Patient?name=" + url_encode(name)));
    bool seen = false;
    for (const auto& e : by_name["entry"])
      seen = seen || e["resource"]["id"] == m.person_id;
    EXPECT_TRUE(seen) << name;
  }
  auto read = fhir_get(token, "/fhir/Patient/" + m.person_id);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(body_of(read), patient);
  EXPECT_EQ(fhir_get(token, "/fhir/Patient?color=blue").status, 400);
  EXPECT_EQ(fhir_get(token, "/fhir/Patient?birthdate=1990").status, 400);

  // PIXm: from the hospital's id to the person (and the other ids the user may see).
  auto pix = fhir_get(
      token, "/fhir/Patient/$ihe-pix?sourceIdentifier=" +
                 url_encode(std::string("urn:oid:") + testing::kHospitalDomain + "|" + m.local_id));
  ASSERT_EQ(pix.status, 200) << pix.body;
  EXPECT_EQ(body_of(pix)["parameter"].back()["valueReference"]["reference"],
            "Patient/" + m.person_id);
  EXPECT_EQ(fhir_get(token, "/fhir/Patient/$ihe-pix?sourceIdentifier=" +
                                url_encode(std::string("urn:oid:") + testing::kHospitalDomain +
                                           "|no-such-id"))
                .status,
            404);

  // What the gateways hold, as FHIR: the same records as the web UI's category pages.
  auto web_items = [&](Browser& b, const std::string& category) {
    auto r = b.call("GET", "/api/v1/persons/" + m.person_id + "/" + category + "?page_size=200");
    return r.status == 200 ? body_of(r)["items"] : json::array();
  };
  auto entries_of = [&](const std::string& t, const std::string& path) {
    auto r = fhir_get(t, path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    json out = json::array();
    const json bundle = body_of(r);
    for (const auto& e : bundle["entry"]) {
      if (e["search"]["mode"] == "match")
        out.push_back(e["resource"]);
    }
    return out;
  };
  const std::string of_patient = "?patient=" + m.person_id + "&_count=200";
  const json conditions = entries_of(token, "/fhir/Condition" + of_patient);
  EXPECT_EQ(conditions.size(), web_items(doctor_ui, "diagnoses").size());
  for (const auto& c : conditions) {
    EXPECT_EQ(c["resourceType"], "Condition");
    EXPECT_EQ(c["subject"]["reference"], "Patient/" + m.person_id);
    EXPECT_EQ(c["id"].get<std::string>().size(), 40u);
  }
  // The ids are the same on every read.
  EXPECT_EQ(entries_of(token, "/fhir/Condition" + of_patient), conditions);
  std::size_t lab_items = 0;
  for (const auto& lab : web_items(doctor_ui, "lab_results"))
    lab_items += lab["items"].size();
  const json labs = entries_of(token, "/fhir/Observation" + of_patient + "&category=laboratory");
  EXPECT_EQ(labs.size(), lab_items);
  for (const auto& o : labs)
    EXPECT_EQ(o["category"][0]["coding"][0]["code"], "laboratory");
  EXPECT_EQ(entries_of(token, "/fhir/MedicationRequest" + of_patient).size(),
            web_items(doctor_ui, "prescriptions").size());
  EXPECT_EQ(entries_of(token, "/fhir/AllergyIntolerance" + of_patient).size(),
            web_items(doctor_ui, "allergies").size());
  EXPECT_GT(conditions.size() + labs.size(), 0u) << "the generated storage has records";
  EXPECT_EQ(fhir_get(token, "/fhir/Condition").status, 400) << "patient is required";
  EXPECT_EQ(fhir_get(token, "/fhir/Condition?patient=" + m.person_id + "&code=x").status, 400);
  EXPECT_EQ(
      fhir_get(token, "/fhir/Observation?patient=" + m.person_id + "&category=vital-signs").status,
      400);
  // A pharmacist at a pharmacy: conditions yes, lab results no (the pharmacy's policy row):
  // an empty searchset, as for a patient without any.
  Browser pharmacist_ui(net().portal->port("web"));
  ASSERT_EQ(pharmacist_ui.login("m.pharmacy.given.pharmacist", kPassword, m.secret).status, 200);
  const std::string ph = launch_in(pharmacist_ui, "m.pharmacy.given.pharmacist", "user/*.rs",
                                   "fhir-test-app")["access_token"];
  EXPECT_EQ(entries_of(ph, "/fhir/Condition" + of_patient).size(), conditions.size());
  EXPECT_TRUE(entries_of(ph, "/fhir/Observation" + of_patient).empty());
  EXPECT_EQ(pharmacist_ui.call("GET", "/api/v1/persons/" + m.person_id + "/lab_results").status,
            403);

  // The same doctor's colleague at a clinic without the patient's consent: nothing, and the
  // refusal looks like absence (clinical searches included).
  const std::string other =
      launch("m.clinic.none.doctor", "user/*.rs")["access_token"].get<std::string>();
  EXPECT_TRUE(body_of(fhir_get(other, "/fhir/Patient?" + id_param))["entry"].empty());
  auto hidden = fhir_get(other, "/fhir/Patient/" + m.person_id);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(fhir_get(other, "/fhir/Patient/999999999").status, 404);
  EXPECT_EQ(body_of(hidden)["issue"][0]["code"], "not-found");
  EXPECT_TRUE(entries_of(other, "/fhir/Condition" + of_patient).empty());

  // A code is good once; a wrong verifier is refused.
  EXPECT_EQ(token_post("grant_type=authorization_code&client_id=fhir-test-app&code=x&"
                       "redirect_uri=" +
                       url_encode(kRedirect) + "&code_verifier=" + kVerifier)
                .status,
            400);

  // Refresh tokens rotate: the new one works, the old one is spent.
  const std::string refresh = doctor["refresh_token"].get<std::string>();
  auto renewed =
      token_post("grant_type=refresh_token&client_id=fhir-test-app&refresh_token=" + refresh);
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  EXPECT_EQ(
      fhir_get(body_of(renewed)["access_token"].get<std::string>(), "/fhir/Patient/" + m.person_id)
          .status,
      200);
  auto spent =
      token_post("grant_type=refresh_token&client_id=fhir-test-app&refresh_token=" + refresh);
  EXPECT_EQ(spent.status, 400);
  EXPECT_EQ(body_of(spent)["error"], "invalid_grant");

  // Every disclosure and every launch is on record.
  auto audit =
      body_of(admin.call("GET", "/api/v1/admin/audit?page_size=200&user=m.clinic.given.doctor"));
  std::multiset<std::string> reasons, details;
  for (const auto& a : audit["items"]) {
    reasons.insert(a["reason"].get<std::string>());
    details.insert(a["detail"].get<std::string>().substr(0, 11));
  }
  EXPECT_EQ(reasons.count("fhir_authorize"), 1u) << audit.dump();
  EXPECT_EQ(reasons.count("fhir_token"), 2u);
  EXPECT_GE(details.count("FHIR ITI-78"), 3u);
  EXPECT_GE(details.count("FHIR Patien"), 2u);

  // Revoking the app ends its tokens at once.
  ASSERT_EQ(
      admin.call("POST", "/api/v1/admin/fhir-clients/fhir-test-app/revoke", json::object()).status,
      200);
  EXPECT_EQ(fhir_get(token, "/fhir/Patient/" + m.person_id).status, 401);
}

// Every user of the access matrix (profession x facility kind x consent state): the FHIR
// Patient read answers exactly when the web UI's summary of the same person does.
TEST(Fhir, PatientReadHoldsTheWebUisCellForEveryMatrixUser) {
  auto& m = matrix();
  ASSERT_EQ(net()
                .admin
                ->call("POST", "/api/v1/admin/fhir-clients",
                       {{"client_id", "fhir-matrix-app"},
                        {"name", "matrix"},
                        {"redirect_uris", {kRedirect}},
                        {"scopes", "user/Patient.rs"}})
                .status,
            201);
  int shown = 0, cells = 0;
  for (const auto& u : m.users) {
    // Their one-time code of this step went to the launch test.
    if (u.login == "m.clinic.given.doctor" || u.login == "m.clinic.none.doctor" ||
        u.login == "m.pharmacy.given.pharmacist")
      continue;
    Browser b(net().portal->port("web"));
    ASSERT_EQ(b.login(u.login, kPassword, m.secret).status, 200) << u.login;
    const int web_status = b.call("GET", "/api/v1/persons/" + m.person_id).status;
    const std::string token =
        launch_in(b, u.login, "user/Patient.rs", "fhir-matrix-app")["access_token"];
    const auto r = fhir_get(token, "/fhir/Patient/" + m.person_id);
    EXPECT_EQ(r.status == 200, web_status == 200) << u.login << ": " << r.status;
    EXPECT_TRUE(r.status == 200 || r.status == 404) << u.login << ": " << r.status;
    shown += r.status == 200;
    ++cells;
  }
  EXPECT_EQ(cells, 11 * 6 * 5 - 3);
  EXPECT_GT(shown, 20);
  EXPECT_LT(shown, cells);
}

}  // namespace
}  // namespace hareyaka
