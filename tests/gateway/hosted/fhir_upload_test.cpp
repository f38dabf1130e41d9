// The FHIR way in of a hosted tenant (issue #17), through its real router with assertions
// signed by the dev PKI's portal key: a JP-CLINS 診療情報提供書 is stored as received, once,
// registers its patient, and its items appear in the data API's categories with the document
// downloadable; a rejected upload leaves nothing of itself; the quota holds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/assertion.hpp"
#include "common/error.hpp"
#include "gateway/hosted/tenant.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::hosted {
namespace {

using hareyaka::testing::files_under;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOid = "1.2.392.200284.33.2100009";
constexpr const char* kPatient = "F2000001";  // the sample's urn:oid:...20.3.51.1 identifier

std::string sample(const std::string& name) {
  std::ifstream in(std::string(HAREYAKA_TEST_DATA_DIR) + "/fhir/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  testing::TempDir tmp;
  AssertionVerifier verifier{testing::dev_pki().dir + "/assertion.pub"};
  AssertionSigner signer{testing::dev_pki().dir + "/assertion.key",
                         testing::cert_fingerprint(testing::dev_pki().cert("portal"))};
  http::PeerAllowlist readers{{}, "status"};
  SharedParts shared{.verifier = verifier,
                     .readers = readers,
                     .directory = nullptr,
                     .unknown_users = UnknownUserPolicy::kAfterFirstPull,
                     .portal_url = "",
                     .limits = {},
                     .tenants_dir = tmp.path()};
  std::unique_ptr<Tenant> tenant;

  explicit Fixture(std::uint64_t quota = 1ull << 30) {
    tenant = std::make_unique<Tenant>(TenantSettings{.id = "clinic",
                                                     .facility_oid = kOid,
                                                     .patient_authority = std::string(kOid) + ".1",
                                                     .tls = {},
                                                     .quota_bytes = quota},
                                      shared);
    tenant->start();
  }
  std::string dir() const { return tmp.path() + "/clinic"; }

  http::Response call(const std::string& method, const std::string& path, AccessAssertion a,
                      std::string body = "", const std::string& type = "",
                      const std::string& patient = "") {
    http::Request req;
    req.method = method;
    req.path = path;
    req.body = std::move(body);
    req.request_id = "fhir-test";
    if (!patient.empty())
      req.query.emplace("patient_id", patient);
    if (!type.empty())
      req.headers["Content-Type"] = type;
    a.issued_at = unix_now() - 1;
    a.expires_at = unix_now() + 60;
    req.headers[kAssertionHeader] = signer.sign(a);
    req.peer = http::PeerCertificate{
        .sha256_fingerprint = testing::cert_fingerprint(testing::dev_pki().cert("portal")),
        .verified_by_tls = true};
    const auto m = tenant->router().match(method, path, req.params);
    if (!m.route)
      throw std::runtime_error("no route " + path);
    try {
      return m.route->blocking_handler(req);
    } catch (const Error& e) {
      http::Response r;
      r.status = http_status(e.code());
      r.body = e.external();
      return r;
    }
  }
  static AccessAssertion data_manager() {
    return {.user = "dm",
            .profession = "data_manager",
            .facility_oid = kOid,
            .audience = kOid,
            .category = "upload",
            .purpose = "upload",
            .request_id = "fhir-test"};
  }
  http::Response upload(const std::string& body, const std::string& patient = kPatient,
                        const std::string& type = "application/fhir+json") {
    return call("POST", "/gw/v1/uploads/fhir", data_manager(), body, type, patient);
  }
  // The data manager's own routes (the tenant page).
  http::Response manage(const std::string& method, const std::string& path,
                        const json& body = nullptr) {
    return call(method, path, data_manager(), body.is_null() ? "" : body.dump(),
                body.is_null() ? "" : "application/json");
  }
  http::Response read(const std::string& path, const std::string& category,
                      const std::string& patient = kPatient) {
    return call("GET", path,
                {.user = "doc",
                 .profession = "doctor",
                 .facility_oid = "1.2.392.200284.33.1000001",
                 .audience = kOid,
                 .authority = std::string(kOid) + ".1",
                 .local_id = patient,
                 .category = category,
                 .request_id = "fhir-test"});
  }
};

json body_of(const http::Response& r) {
  return json::parse(std::get<std::string>(r.body), nullptr, false);
}

TEST(FhirUpload, AnEReferralIsStoredOnceAndServedInItsCategories) {
  Fixture f;
  const std::string bundle = sample("ereferral.json");
  auto r = f.upload(bundle);
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  json report = body_of(r);
  EXPECT_TRUE(report["accepted"].get<bool>()) << report.dump();
  EXPECT_EQ(report["rejected"], 0);
  // The patient, new to the facility, registered from the Patient resource as an ADT-00.
  EXPECT_NE(report["files"][0].value("path", "").find("/ADT-00/"), std::string::npos)
      << report.dump();
  // Kept as received under the document's date.
  const std::string folder = f.dir() + "/received/fhir/" + kPatient;
  ASSERT_EQ(files_under(folder), 1u);
  const auto stored = fs::directory_iterator(folder)->path();
  EXPECT_EQ(stored.filename().string().substr(0, 9), "20261120_");
  std::ifstream in(stored, std::ios::binary);
  std::stringstream held;
  held << in.rdbuf();
  EXPECT_EQ(held.str(), bundle);
  const auto used = f.tenant->status()["used_bytes"].get<std::uint64_t>();
  EXPECT_GE(used, bundle.size());
  // Sent again: unchanged, nothing more kept or counted.
  r = f.upload(bundle);
  ASSERT_EQ(r.status, 200);
  report = body_of(r);
  EXPECT_EQ(report["stored"], 0) << report.dump();
  EXPECT_GT(report["unchanged"].get<int>(), 0);
  EXPECT_EQ(files_under(folder), 1u);
  EXPECT_EQ(f.tenant->status()["used_bytes"].get<std::uint64_t>(), used);

  const std::string base = std::string("/gw/v1/patients/") + kPatient;
  r = f.read(base, "demographics");
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  EXPECT_EQ(body_of(r)["patient"]["name_kanji"]["family"], "晴山");
  r = f.read(base + "/diagnoses", "diagnoses");
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  json page = body_of(r);
  ASSERT_EQ(page["items"].size(), 1u) << page.dump();
  EXPECT_EQ(page["items"][0]["name"]["code"], "HCDX");
  EXPECT_EQ(page["items"][0]["name"]["system"], "MDCDX2");
  EXPECT_EQ(page["items"][0]["date"], "2019-06-01");
  for (const auto& [category, key] :
       {std::pair{"allergies", "allergen"}, std::pair{"prescriptions", "drug"},
        std::pair{"lab_results", "items"}}) {
    r = f.read(base + "/" + category, category);
    ASSERT_EQ(r.status, 200) << category;
    page = body_of(r);
    ASSERT_EQ(page["items"].size(), 1u) << category << page.dump();
    EXPECT_TRUE(page["items"][0].contains(key)) << page.dump();
  }
  r = f.read(base + "/documents", "documents");
  ASSERT_EQ(r.status, 200);
  page = body_of(r);
  ASSERT_EQ(page["items"].size(), 1u) << page.dump();
  const json doc = page["items"][0];
  EXPECT_EQ(doc["type"]["code"], "57133-1");
  EXPECT_EQ(doc["media_type"], "application/fhir+json");
  EXPECT_EQ(doc["title"], "診療情報提供書");
  EXPECT_EQ(doc["date"], "2026-11-20");
  r = f.read(base + "/documents/" + doc["id"].get<std::string>(), "documents");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Content-Type"], "application/fhir+json");
  ASSERT_TRUE(std::holds_alternative<http::FileBody>(r.body));
  EXPECT_EQ(std::get<http::FileBody>(r.body).path, stored);
  // Another document id, or one of another patient, is not found.
  EXPECT_EQ(f.read(base + "/documents/fhir-00000000000000000000000000000000", "documents").status,
            404);
  // A second upload, a single Condition for the patient now held: a new item, the cache
  // of the patient's items dropped.
  json c = json::parse(sample("collection.json"))["entry"][1]["resource"];
  c["code"]["coding"][1]["code"] = "8842";
  r = f.upload(c.dump(), kPatient, "application/json; charset=utf-8");
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  EXPECT_EQ(files_under(folder), 2u);
  page = body_of(f.read(base + "/diagnoses", "diagnoses"));
  EXPECT_EQ(page["items"].size(), 2u) << page.dump();
}

TEST(FhirUpload, ARejectedUploadLeavesNothingAndSaysWhy) {
  Fixture f;
  const std::string patient = "F2000002";
  json b = json::parse(sample("ereferral.json"));
  b["entry"][1]["resource"]["identifier"][0]["value"] = patient;
  b["entry"][3]["resource"].erase("code");
  auto r = f.upload(b.dump(), patient);
  EXPECT_EQ(r.status, 422);
  json report = body_of(r);
  EXPECT_FALSE(report["accepted"].get<bool>());
  EXPECT_EQ(report["rejected"], 1) << report.dump();
  bool named = false;
  for (const auto& file : report["files"]) {
    if (file["status"] == "rejected")
      named = file["name"] == "entry 3 Condition" &&
              file["reason"].get<std::string>().find("code is missing") != std::string::npos;
    else
      EXPECT_EQ(file["status"], "ignored") << file.dump();
  }
  EXPECT_TRUE(named) << report.dump();
  // Not JSON; the wrong media type; a Patient that is not the patient_id; a Condition alone
  // for a patient the facility does not hold.
  r = f.upload("{\"resourceType\": \"Bundle\",", patient);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(body_of(r)["error"].get<std::string>().find("not JSON"), std::string::npos);
  EXPECT_EQ(f.upload(sample("ereferral.json"), patient, "text/plain").status, 415);
  r = f.upload(sample("ereferral.json"), patient);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(std::get<std::string>(r.body).find("no identifier of the Patient"), std::string::npos)
      << std::get<std::string>(r.body);
  json c = json::parse(sample("collection.json"))["entry"][1]["resource"];
  r = f.upload(c.dump(), patient);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(body_of(r)["error"].get<std::string>().find("not registered"), std::string::npos);
  EXPECT_EQ(f.upload(c.dump(), "F-1").status, 400);
  // Nothing of any of them was kept: no FHIR file, no registration.
  EXPECT_EQ(files_under(f.dir() + "/received"), 0u);
  EXPECT_EQ(files_under(f.dir() + "/ssmix2"), 0u);
  EXPECT_NE(f.read(std::string("/gw/v1/patients/") + patient, "demographics").status, 200);
  // The reports are kept with the facility's others.
  r = f.manage("GET", "/gw/v1/uploads");
  ASSERT_EQ(r.status, 200);
  EXPECT_GE(body_of(r)["items"].size(), 4u);
}

// A Patient for a patient already held: other details are a new registration (ADT-00), the
// same details nothing. A withdrawn upload is kept, renamed, and no longer served.
TEST(FhirUpload, APatientUpdatesTheDetailsAndAWithdrawnUploadIsNoLongerServed) {
  Fixture f;
  const std::string bundle = sample("ereferral.json");
  ASSERT_EQ(f.upload(bundle).status, 200);
  ASSERT_EQ(files_under(f.dir() + "/ssmix2"), 1u);
  const std::string base = std::string("/gw/v1/patients/") + kPatient;

  json patient;
  const json entries = json::parse(bundle)["entry"];
  for (const auto& e : entries) {
    if (e["resource"]["resourceType"] == "Patient")
      patient = e["resource"];
  }
  ASSERT_TRUE(patient.is_object());
  patient["name"][0]["family"] = "雨宮";
  patient["name"][0]["text"] = "雨宮 花子";
  patient["address"][0]["text"] = "香川県丸亀市大手町２－１";
  auto r = f.upload(patient.dump());
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  json report = body_of(r);
  EXPECT_EQ(report["files"][0]["reason"], "updated") << report.dump();
  EXPECT_NE(report["files"][0].value("path", "").find("/ADT-00/"), std::string::npos);
  EXPECT_EQ(files_under(f.dir() + "/ssmix2"), 2u);
  json demo = body_of(f.read(base, "demographics"));
  EXPECT_EQ(demo["patient"]["name_kanji"]["family"], "雨宮") << demo.dump();
  // The same details once more (in another body): no new registration.
  patient["id"] = "p2";
  r = f.upload(patient.dump());
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  EXPECT_EQ(body_of(r)["files"][0]["status"], "stored");  // the body itself, as received
  EXPECT_EQ(files_under(f.dir() + "/ssmix2"), 2u);

  // The tenant page lists the uploads; the referral is withdrawn.
  r = f.manage("GET", std::string("/gw/v1/uploads/patients/") + kPatient);
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  const json held = body_of(r)["fhir_files"];
  ASSERT_EQ(held.size(), 3u) << held.dump();
  std::string referral;
  for (const auto& h : held) {
    if (h["date"] == "2026-11-20")
      referral = h["file"].get<std::string>();
  }
  ASSERT_FALSE(referral.empty()) << held.dump();
  ASSERT_EQ(body_of(f.read(base + "/documents", "documents"))["items"].size(), 1u);
  r = f.manage("POST", "/gw/v1/uploads/withdraw",
               {{"patient_id", kPatient}, {"fhir", referral}, {"reason", "誤送信"}});
  ASSERT_EQ(r.status, 200) << std::get<std::string>(r.body);
  EXPECT_EQ(body_of(r)["files"][0]["status"], "withdrawn");
  EXPECT_TRUE(fs::exists(f.dir() + "/received/fhir/" + kPatient + "/" + referral + ".withdrawn"));
  EXPECT_FALSE(fs::exists(f.dir() + "/received/fhir/" + kPatient + "/" + referral));
  for (const char* category : {"documents", "diagnoses", "allergies", "lab_results"}) {
    r = f.read(base + "/" + category, category);
    ASSERT_EQ(r.status, 200) << category;
    EXPECT_EQ(body_of(r)["items"].size(), 0u) << category << std::get<std::string>(r.body);
  }
  // The patient stays (the registration is not an upload to withdraw); twice is not found, and
  // a name that is not one of the patient's uploads either.
  EXPECT_EQ(f.read(base, "demographics").status, 200);
  EXPECT_EQ(f.manage("POST", "/gw/v1/uploads/withdraw",
                     {{"patient_id", kPatient}, {"fhir", referral}, {"reason", "誤送信"}})
                .status,
            404);
  EXPECT_EQ(f.manage("POST", "/gw/v1/uploads/withdraw",
                     {{"patient_id", kPatient}, {"fhir", "../../ssmix2"}, {"reason", "x"}})
                .status,
            404);
  r = f.manage("GET", std::string("/gw/v1/uploads/patients/") + kPatient);
  EXPECT_EQ(body_of(r)["fhir_files"].size(), 2u);
}

TEST(FhirUpload, TheQuotaCountsFhirUploads) {
  Fixture f(4096);  // smaller than the document
  auto r = f.upload(sample("ereferral.json"));
  EXPECT_EQ(r.status, 413) << std::get<std::string>(r.body);
  EXPECT_EQ(files_under(f.dir() + "/received"), 0u);
  EXPECT_EQ(files_under(f.dir() + "/ssmix2"), 0u);
}

}  // namespace
}  // namespace hareyaka::gateway::hosted
