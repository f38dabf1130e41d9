// The FHIR API through the real portal on a real PostgreSQL (the TrustNetwork and its access
// matrix): the CapabilityStatement and SMART configuration, an app registered by the
// secretariat, the standalone launch (the portal's login, PKCE S256, a one-time code, refresh
// tokens that rotate), Patient search (PDQm), read and $ihe-pix (PIXm), the clinical
// resources (search, _include, read by id) and MHD's DocumentReference and Binary, decided by
// the same consent and role policy as the web UI, with every answer on the audit chain.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <boost/url/parse.hpp>

#include "proto/encoding/base64.hpp"
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
    EXPECT_EQ(c["id"].get<std::string>().rfind(m.person_id + "-", 0), 0u) << c["id"];
    EXPECT_EQ(c["id"].get<std::string>().size(), m.person_id.size() + 41);
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
  const json encounters = entries_of(token, "/fhir/Encounter" + of_patient);
  EXPECT_EQ(encounters.size(), web_items(doctor_ui, "encounters").size());
  EXPECT_GT(encounters.size(), 0u);
  for (const auto& e : encounters)
    EXPECT_TRUE(e.contains("class") && e.contains("status")) << e.dump();

  // DiagnosticReport: one per lab result, its results the Observations above (by id), and
  // with _include=DiagnosticReport:result those Observations in the same Bundle.
  const json reports = entries_of(token, "/fhir/DiagnosticReport" + of_patient + "&category=LAB");
  EXPECT_EQ(reports.size(), web_items(doctor_ui, "lab_results").size());
  std::set<std::string> lab_ids;
  for (const auto& o : labs)
    lab_ids.insert(o["id"].get<std::string>());
  std::size_t results = 0;
  for (const auto& r : reports) {
    for (const auto& ref : r.value("result", json::array())) {
      EXPECT_TRUE(lab_ids.contains(ref["reference"].get<std::string>().substr(12))) << ref;
      ++results;
    }
  }
  EXPECT_EQ(results, lab_items);
  {
    auto b = body_of(fhir_get(
        token, "/fhir/DiagnosticReport" + of_patient + "&_include=DiagnosticReport:result"));
    std::size_t included = 0;
    for (const auto& e : b["entry"])
      included +=
          e["search"]["mode"] == "include" && e["resource"]["resourceType"] == "Observation";
    EXPECT_EQ(included, lab_items);
  }
  // Observation by code: only that code's results.
  ASSERT_FALSE(labs.empty());
  const json coding = labs[0]["code"]["coding"][0];
  const std::string code_param =
      coding.value("system", "") + "|" + coding["code"].get<std::string>();
  const json by_code =
      entries_of(token, "/fhir/Observation" + of_patient + "&code=" + url_encode(code_param));
  EXPECT_GE(by_code.size(), 1u);
  EXPECT_LE(by_code.size(), labs.size());
  for (const auto& o : by_code)
    EXPECT_EQ(o["code"]["coding"][0]["code"], coding["code"]);
  // _include=Observation:patient: the Patient once, as an include.
  {
    auto b = body_of(
        fhir_get(token, "/fhir/Observation" + of_patient + "&_include=Observation:patient"));
    std::size_t patients = 0;
    for (const auto& e : b["entry"])
      patients += e["resource"]["resourceType"] == "Patient" && e["search"]["mode"] == "include";
    EXPECT_EQ(patients, 1u) << b.dump().substr(0, 500);
  }
  EXPECT_EQ(
      fhir_get(token, "/fhir/Observation" + of_patient + "&_include=Observation:performer").status,
      400);

  // Read by id: the same resource as the search gave; a made-up id is not found.
  for (const json* list : {&conditions, &labs, &encounters}) {
    const json& one = list->front();
    auto r = fhir_get(token, "/fhir/" + one["resourceType"].get<std::string>() + "/" +
                                 one["id"].get<std::string>());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_of(r), one);
  }
  EXPECT_EQ(fhir_get(token, "/fhir/Condition/" + m.person_id + "-" + std::string(40, 'a')).status,
            404);
  EXPECT_EQ(fhir_get(token, "/fhir/Condition/not-an-id").status, 404);

  // IHE MHD: the documents as DocumentReference (ITI-67), each content a Binary (ITI-68) with
  // the document's own bytes.
  const json docs = entries_of(token, "/fhir/DocumentReference" + of_patient + "&status=current");
  EXPECT_EQ(docs.size(), web_items(doctor_ui, "documents").size());
  ASSERT_FALSE(docs.empty()) << "the generated storage has extended documents";
  const json attachment = docs[0]["content"][0]["attachment"];
  const std::string binary_path = attachment["url"].get<std::string>().substr(web("").size());
  EXPECT_EQ(binary_path, "/fhir/Binary/" + docs[0]["id"].get<std::string>());
  auto bytes = fhir_get(token, binary_path);
  ASSERT_EQ(bytes.status, 200) << bytes.body;
  EXPECT_EQ(
      bytes.headers["Content-Type"].substr(0, attachment["contentType"].get<std::string>().size()),
      attachment["contentType"]);
  if (attachment.contains("size"))
    EXPECT_EQ(bytes.body.size(), attachment["size"].get<std::size_t>());
  EXPECT_EQ(fhir_get(token, "/fhir/DocumentReference" + of_patient + "&status=superseded").status,
            400);
  // No DICOM studies in this network's gateway: an empty searchset, not an error.
  EXPECT_TRUE(entries_of(token, "/fhir/ImagingStudy" + of_patient).empty());
  EXPECT_EQ(fhir_get(token, "/fhir/Condition").status, 400) << "patient is required";
  for (const char* odd : {"99999999999999999999", "0", "00", "-1", "12a"})
    EXPECT_EQ(fhir_get(token, std::string("/fhir/Condition?patient=") + odd).status, 400) << odd;
  EXPECT_EQ(fhir_get(token, "/fhir/Condition?patient=0" + m.person_id).status, 400)
      << "one spelling per id";
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
  EXPECT_TRUE(entries_of(other, "/fhir/DocumentReference" + of_patient).empty());
  EXPECT_EQ(fhir_get(other, "/fhir/Condition/" + conditions[0]["id"].get<std::string>()).status,
            404);
  EXPECT_EQ(fhir_get(other, binary_path).status, 404);

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

  // launch/patient: the user picks the patient in the portal; the patient/ scopes reach that
  // patient only, and every other reads as absent.
  ASSERT_EQ(admin
                .call("POST", "/api/v1/admin/fhir-clients",
                      {{"client_id", "fhir-launch-app"},
                       {"name", "患者指定アプリ"},
                       {"redirect_uris", {kRedirect}},
                       {"scopes", "launch/patient patient/*.rs"}})
                .status,
            201);
  const std::string asked =
      authorize_path("launch/patient patient/*.rs", "st-launch", "fhir-launch-app");
  auto to_picker = doctor_ui.call("GET", asked);
  ASSERT_EQ(to_picker.status, 302) << to_picker.body;
  EXPECT_EQ(to_picker.headers["Location"].rfind("/#/fhir-launch?request=", 0), 0u)
      << to_picker.headers["Location"];
  const std::string query = asked.substr(std::string("/fhir/auth/authorize?").size());
  EXPECT_EQ(doctor_ui.call("POST", "/fhir/auth/launch", {{"request", query}, {"patient", "999999"}})
                .status,
            404);
  EXPECT_EQ(
      doctor_ui
          .call("POST", "/fhir/auth/launch", {{"request", query}, {"patient", m.person_id}}, false)
          .status,
      403)
      << "the session's CSRF token is required";
  auto picked =
      doctor_ui.call("POST", "/fhir/auth/launch", {{"request", query}, {"patient", m.person_id}});
  ASSERT_EQ(picked.status, 200) << picked.body;
  auto back = boost::urls::parse_uri(body_of(picked)["redirect"].get<std::string>());
  ASSERT_TRUE(back) << picked.body;
  EXPECT_EQ(std::string((*back->params().find("state")).value), "st-launch");
  const std::string launch_code((*back->params().find("code")).value);
  auto launched =
      token_post("grant_type=authorization_code&client_id=fhir-launch-app&code=" + launch_code +
                 "&redirect_uri=" + url_encode(kRedirect) + "&code_verifier=" + kVerifier);
  ASSERT_EQ(launched.status, 200) << launched.body;
  EXPECT_EQ(body_of(launched)["patient"], m.person_id);
  EXPECT_EQ(body_of(launched)["scope"], "launch/patient patient/*.rs");
  const std::string pt = body_of(launched)["access_token"];
  EXPECT_EQ(fhir_get(pt, "/fhir/Patient/" + m.person_id).status, 200);
  EXPECT_EQ(entries_of(pt, "/fhir/Condition" + of_patient).size(), conditions.size());
  // (A range-for over a member of a temporary would read a destroyed object: keep the JSON.)
  const json by_family =
      body_of(fhir_get(pt, "/fhir/Patient?family=" + url_encode(m.family_kanji)));
  EXPECT_FALSE(by_family["entry"].empty());
  for (const auto& e : by_family["entry"])
    EXPECT_EQ(e["resource"]["id"], m.person_id);
  // A second patient the doctor may see (consented to the clinic here), as absent for the
  // launch token.
  auto second = admin.call("POST", "/api/v1/admin/consents",
                           {{"authority", testing::kHospitalDomain},
                            {"local_id", m.other_local_id},
                            {"viewer_facility_oid",
                             m.facility.at({hpd::FacilityKind::kClinic, testing::State::kGiven})}});
  ASSERT_EQ(second.status, 201) << second.body;
  const json visible = body_of(doctor_ui.call("GET", "/api/v1/persons?page_size=50"));
  std::size_t others = 0;
  for (const auto& p : visible["items"]) {
    const std::string other = p["person_id"].is_string()
                                  ? p["person_id"].get<std::string>()
                                  : std::to_string(p["person_id"].get<std::int64_t>());
    if (other == m.person_id)
      continue;
    EXPECT_EQ(fhir_get(pt, "/fhir/Patient/" + other).status, 404) << other;
    EXPECT_TRUE(entries_of(pt, "/fhir/Condition?patient=" + other).empty()) << other;
    EXPECT_EQ(fhir_get(token, "/fhir/Patient/" + other).status, 200) << "the user/ token does";
    ++others;
  }
  EXPECT_EQ(others, 1u) << visible.dump();

  // Every disclosure and every launch is on record.
  auto audit =
      body_of(admin.call("GET", "/api/v1/admin/audit?page_size=200&user=m.clinic.given.doctor"));
  std::multiset<std::string> reasons, details;
  for (const auto& a : audit["items"]) {
    reasons.insert(a["reason"].get<std::string>());
    details.insert(a["detail"].get<std::string>().substr(0, 11));
  }
  EXPECT_EQ(reasons.count("fhir_authorize"), 2u) << audit.dump();
  EXPECT_EQ(reasons.count("fhir_token"), 3u);
  EXPECT_GE(details.count("FHIR ITI-78"), 3u);
  EXPECT_GE(details.count("FHIR Patien"), 2u);

  // Revoking the app ends its tokens at once.
  ASSERT_EQ(
      admin.call("POST", "/api/v1/admin/fhir-clients/fhir-test-app/revoke", json::object()).status,
      200);
  EXPECT_EQ(fhir_get(token, "/fhir/Patient/" + m.person_id).status, 401);
}

// A backend system's key pair: the private key signs client assertions, the JWK is what the
// secretariat registers.
struct SystemKey {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
  json jwk;
  std::string alg;
};

std::string b64u(std::string_view bytes) {
  return base64_encode(bytes, Base64Alphabet::kUrlNoPadding);
}

std::string bn_bytes(EVP_PKEY* k, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(k, name, &bn);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

SystemKey ec_key(const std::string& kid) {
  SystemKey k;
  k.key.reset(EVP_EC_gen("P-384"));
  unsigned char point[97];
  std::size_t len = 0;
  EVP_PKEY_get_octet_string_param(k.key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
  EXPECT_EQ(len, 97u);
  const std::string p(reinterpret_cast<char*>(point), len);
  k.jwk = {{"kty", "EC"},
           {"crv", "P-384"},
           {"kid", kid},
           {"x", b64u(p.substr(1, 48))},
           {"y", b64u(p.substr(49, 48))}};
  k.alg = "ES384";
  return k;
}

SystemKey rsa_key(const std::string& kid) {
  SystemKey k;
  k.key.reset(EVP_RSA_gen(2048));
  k.jwk = {{"kty", "RSA"},
           {"kid", kid},
           {"n", b64u(bn_bytes(k.key.get(), OSSL_PKEY_PARAM_RSA_N))},
           {"e", b64u(bn_bytes(k.key.get(), OSSL_PKEY_PARAM_RSA_E))}};
  k.alg = "RS384";
  return k;
}

// A JWS compact serialization of `claims`, signed as SMART Backend Services asks.
std::string sign(const SystemKey& k, const json& claims, std::string alg = "") {
  if (alg.empty())
    alg = k.alg;
  const std::string input = b64u(json{{"alg", alg}, {"typ", "JWT"}, {"kid", k.jwk["kid"]}}.dump()) +
                            "." + b64u(claims.dump());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, k.key.get());
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  if (k.alg == "ES384") {  // DER to r || s
    const unsigned char* der = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
    std::string raw(96, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 48);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 48, 48);
    ECDSA_SIG_free(es);
    sig = raw;
  }
  return input + "." + b64u(sig);
}

json assertion_claims(const std::string& client, std::int64_t exp_in = 120) {
  static int n = 0;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return {{"iss", client},
          {"sub", client},
          {"aud", web("/fhir/auth/token")},
          {"exp", now + exp_in},
          {"jti", "jti-" + std::to_string(now) + "-" + std::to_string(++n)}};
}

http::ClientResponse backend_token(const std::string& jwt, const std::string& scope) {
  return token_post("grant_type=client_credentials&scope=" + url_encode(scope) +
                    "&client_assertion_type=" +
                    url_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                    "&client_assertion=" + jwt);
}

// SMART Backend Services: a system registered with its public keys, acting as one directory
// user, gets a token for a signed JWT (ES384 or RS384, each jti once) and reads what that user
// may read, decided like the web UI.
TEST(Fhir, BackendServicesSignedJwtThenReadsAsTheUserItActsAs) {
  auto& m = matrix();
  Browser& admin = *net().admin;
  const SystemKey ec = ec_key("ec-1"), rsa = rsa_key("rsa-1"), stranger = ec_key("ec-1");
  const std::string client = "fhir-backend-sys";
  json reg{{"client_id", client},
           {"name", "地域連携 集計システム"},
           {"scopes", "system/*.rs"},
           {"jwks", {{"keys", {ec.jwk, rsa.jwk}}}},
           {"acts_as", "m.clinic.given.doctor"}};
  // Refused registrations: a private key, redirect URIs, user scopes, an unknown user.
  json with_private = reg;
  with_private["client_id"] = "fhir-backend-bad";
  with_private["jwks"]["keys"][0]["d"] = "AAAA";
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/fhir-clients", with_private).status, 422);
  json with_uris = reg;
  with_uris["client_id"] = "fhir-backend-bad";
  with_uris["redirect_uris"] = {kRedirect};
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/fhir-clients", with_uris).status, 422);
  json user_scopes = reg;
  user_scopes["client_id"] = "fhir-backend-bad";
  user_scopes["scopes"] = "user/*.rs";
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/fhir-clients", user_scopes).status, 422);
  json nobody = reg;
  nobody["client_id"] = "fhir-backend-bad";
  nobody["acts_as"] = "no-such-user";
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/fhir-clients", nobody).status, 422);
  auto registered = admin.call("POST", "/api/v1/admin/fhir-clients", reg);
  ASSERT_EQ(registered.status, 201) << registered.body;
  bool listed = false;
  const json clients = body_of(registered);
  for (const auto& c : clients["items"]) {
    if (c["client_id"] == client) {
      listed = true;
      EXPECT_EQ(c["kind"], "backend");
      EXPECT_EQ(c["acts_as"], "m.clinic.given.doctor");
      EXPECT_EQ(c["key_ids"], "ec-1 rsa-1");
    }
  }
  EXPECT_TRUE(listed) << registered.body;

  // ES384: a token, system scopes only, no refresh token.
  const std::string jwt = sign(ec, assertion_claims(client));
  auto t = backend_token(jwt, "system/*.rs user/*.rs");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(body_of(t)["scope"], "system/*.rs");
  EXPECT_FALSE(body_of(t).contains("refresh_token"));
  const std::string token = body_of(t)["access_token"];
  auto patient = fhir_get(token, "/fhir/Patient/" + m.person_id);
  EXPECT_EQ(patient.status, 200) << patient.body;
  auto conditions = fhir_get(token, "/fhir/Condition?patient=" + m.person_id + "&_count=200");
  ASSERT_EQ(conditions.status, 200);
  EXPECT_GT(body_of(conditions)["entry"].size(), 0u);

  // Each assertion once; the token endpoint's URL as aud; five minutes at most; a registered
  // key's signature; RS384 as well.
  auto again = backend_token(jwt, "system/*.rs");
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(body_of(again)["error"], "invalid_client");
  json wrong_aud = assertion_claims(client);
  wrong_aud["aud"] = "https://elsewhere.example/token";
  EXPECT_EQ(backend_token(sign(ec, wrong_aud), "system/*.rs").status, 401);
  EXPECT_EQ(backend_token(sign(ec, assertion_claims(client, 3600)), "system/*.rs").status, 401);
  EXPECT_EQ(backend_token(sign(ec, assertion_claims(client, -10)), "system/*.rs").status, 401);
  EXPECT_EQ(backend_token(sign(stranger, assertion_claims(client)), "system/*.rs").status, 401);
  {
    const std::string good = sign(ec, assertion_claims(client));
    const std::string unsigned_jwt = b64u(R"({"alg":"none"})") +
                                     good.substr(good.find('.'), good.rfind('.') - good.find('.')) +
                                     ".";
    EXPECT_EQ(backend_token(unsigned_jwt, "system/*.rs").status, 401);
  }
  EXPECT_EQ(backend_token("not.a-jwt", "system/*.rs").status, 401);
  auto rs = backend_token(sign(rsa, assertion_claims(client)), "system/Patient.rs");
  ASSERT_EQ(rs.status, 200) << rs.body;
  EXPECT_EQ(body_of(rs)["scope"], "system/Patient.rs");
  const std::string patient_only = body_of(rs)["access_token"];
  EXPECT_EQ(fhir_get(patient_only, "/fhir/Patient/" + m.person_id).status, 200);
  EXPECT_EQ(fhir_get(patient_only, "/fhir/Condition?patient=" + m.person_id).status, 403);
  auto no_scope = backend_token(sign(ec, assertion_claims(client)), "user/*.rs");
  EXPECT_EQ(no_scope.status, 400);
  EXPECT_EQ(body_of(no_scope)["error"], "invalid_scope");

  // Revoked: its tokens end, and no new one is issued.
  ASSERT_EQ(
      admin.call("POST", "/api/v1/admin/fhir-clients/" + client + "/revoke", json::object()).status,
      200);
  EXPECT_EQ(fhir_get(token, "/fhir/Patient/" + m.person_id).status, 401);
  EXPECT_EQ(backend_token(sign(ec, assertion_claims(client)), "system/*.rs").status, 401);
}

// Every user of the access matrix (profession x facility kind x consent state): the FHIR
// Patient read answers exactly when the web UI's summary of the same person does, and each
// clinical search gives exactly the records of the web UI's category page (the same cells:
// profession x facility kind x category x consent state).
TEST(Fhir, EveryMatrixUserSeesThroughFhirExactlyWhatTheWebUiShows) {
  auto& m = matrix();
  ASSERT_EQ(net()
                .admin
                ->call("POST", "/api/v1/admin/fhir-clients",
                       {{"client_id", "fhir-matrix-app"},
                        {"name", "matrix"},
                        {"redirect_uris", {kRedirect}},
                        {"scopes", "user/*.rs"}})
                .status,
            201);
  // FHIR type, the web UI's category; one resource per web item but for lab results (one
  // Observation per test item).
  const std::vector<std::pair<std::string, std::string>> kTypes = {
      {"Condition", "diagnoses"},          {"MedicationRequest", "prescriptions"},
      {"AllergyIntolerance", "allergies"}, {"Encounter", "encounters"},
      {"DocumentReference", "documents"},  {"Observation", "lab_results"}};
  int shown = 0, cells = 0, category_cells = 0, category_shown = 0;
  for (const auto& u : m.users) {
    // Their one-time code of this step went to the launch test.
    if (u.login == "m.clinic.given.doctor" || u.login == "m.clinic.none.doctor" ||
        u.login == "m.pharmacy.given.pharmacist")
      continue;
    Browser b(net().portal->port("web"));
    ASSERT_EQ(b.login(u.login, kPassword, m.secret).status, 200) << u.login;
    const int web_status = b.call("GET", "/api/v1/persons/" + m.person_id).status;
    const std::string token = launch_in(b, u.login, "user/*.rs", "fhir-matrix-app")["access_token"];
    const auto r = fhir_get(token, "/fhir/Patient/" + m.person_id);
    EXPECT_EQ(r.status == 200, web_status == 200) << u.login << ": " << r.status;
    EXPECT_TRUE(r.status == 200 || r.status == 404) << u.login << ": " << r.status;
    shown += r.status == 200;
    ++cells;
    for (const auto& [type, category] : kTypes) {
      const auto page =
          b.call("GET", "/api/v1/persons/" + m.person_id + "/" + category + "?page_size=200");
      const json web_items = page.status == 200 ? body_of(page)["items"] : json::array();
      std::size_t expected = 0;
      for (const auto& item : web_items)
        expected += type == "Observation" ? item["items"].size() : 1;
      const auto f = fhir_get(token, "/fhir/" + type + "?patient=" + m.person_id + "&_count=200");
      ASSERT_EQ(f.status, 200) << u.login << " " << type << ": " << f.body;
      const json bundle = body_of(f);
      std::size_t got = 0;
      for (const auto& e : bundle["entry"])
        got += e["search"]["mode"] == "match";
      EXPECT_EQ(got, expected) << u.login << " " << type << " (web " << page.status << ")";
      ++category_cells;
      category_shown += got > 0;
    }
  }
  EXPECT_EQ(cells, 12 * 6 * 5 - 3);
  EXPECT_GT(shown, 20);
  EXPECT_LT(shown, cells);
  EXPECT_GT(category_shown, 50) << "of " << category_cells;
  EXPECT_LT(category_shown, category_cells);
}

}  // namespace
}  // namespace hareyaka
