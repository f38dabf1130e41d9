// The hosted tests' network: the trust network's portal and hospital gateway, plus one
// hareyaka-hosted process with two tenant facilities (a clinic and a pharmacy) registered at
// the portal, their data managers logged in, and a zip of the matrix patient's files as the
// clinic's conversion tool exports them. A test file picks its shape (hosted_shape()): a third
// tenant, a care facility using the web form, and a second hospital's hareyaka-gateway over
// its own generated storage. Included by hosted_test.cpp and hosted_three_kinds_test.cpp.
#pragma once

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/assertion.hpp"
#include "pix/pg_identity_store.hpp"
#include "tests/gateway/hosted/zip_writer.hpp"
#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka::hosted_testing {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::body_of;
using testing::dev_pki;
using testing::matrix;
using testing::net;

inline constexpr const char* kClinicOid = "1.2.392.200284.33.2100001";
inline constexpr const char* kClinicDomain = "1.2.392.200284.33.2100001.1";
inline constexpr const char* kPharmacyOid = "1.2.392.200284.33.2100002";
inline constexpr const char* kCareOid = "1.2.392.200284.33.2100005";
inline constexpr const char* kCareDomain = "1.2.392.200284.33.2100005.1";
inline constexpr const char* kHospital2Oid = "1.2.392.200284.33.1310002";
inline constexpr const char* kHospital2Domain = "1.2.392.200284.33.1310002.1";

// What a test binary's network holds besides the clinic and the pharmacy.
struct Shape {
  bool care = false;  // the tenant "care" (介護施設, the web form), certificate tenant-c
  bool second_hospital = false;  // a second hareyaka-gateway (certificate gateway-b)
};
// Defined by each test file that includes this header.
Shape hosted_shape();

struct Hosted {
  std::unique_ptr<testing::Daemon> daemon;
  std::string tenants_dir;
  std::string generated;  // the generated storage the clinic exports from
  std::string zip;  // the matrix patient's files, as the clinic's conversion tool exports them
  std::unique_ptr<http::BlockingHttpClient> as_portal;
  std::unique_ptr<testing::Browser> clinic_dm, pharmacy_dm;
  std::unique_ptr<testing::Browser> care_dm;   // with Shape::care
  std::unique_ptr<testing::Daemon> hospital2;  // with Shape::second_hospital
  std::unique_ptr<testing::Browser> doctor;    // logged in by the first test
  std::string viewer_facility;                 // the doctor's
  json config;                                 // the daemon's

  static Hosted& get() {
    static Hosted h(hosted_shape());
    return h;
  }
  explicit Hosted(const Shape& shape) {
    auto& m = matrix();
    const auto& pki = dev_pki();
    const std::string dir = net().tmp.path() + "/hosted";
    tenants_dir = dir + "/tenants";
    config = json{{"assertion_public_key", pki.dir + "/assertion.pub"},
                  {"node_readers", {testing::cert_fingerprint(pki.cert("portal"))}},
                  {"listener", testing::dev_listener("hosted", 0, "require")},
                  {"tenants_dir", tenants_dir},
                  {"state_dir", dir + "/state"},
                  {"portal", {{"url", net().portal->url("nodes", "")}, {"ca_file", pki.ca()}}},
                  {"directory", {{"pull_interval_ms", 500}}},
                  {"tenants",
                   {{{"id", "clinic"},
                     {"facility_oid", kClinicOid},
                     {"cert_file", pki.cert("tenant-a")},
                     {"key_file", pki.key("tenant-a")},
                     {"quota_mb", 64}},
                    {{"id", "pharmacy"},
                     {"facility_oid", kPharmacyOid},
                     {"cert_file", pki.cert("tenant-b")},
                     {"key_file", pki.key("tenant-b")},
                     {"quota_mb", 64}}}}};
    if (shape.care) {
      config["tenants"].push_back({{"id", "care"},
                                   {"facility_oid", kCareOid},
                                   {"cert_file", pki.cert("tenant-c")},
                                   {"key_file", pki.key("tenant-c")},
                                   {"quota_mb", 64}});
    }
    daemon = std::make_unique<testing::Daemon>("gateway/hosted/hareyaka-hosted", config, "hosted");
    const std::string base = daemon->url("nodes", "");
    std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>>
        tenants{{kClinicOid, "clinic", "tenant-a", "はれやか内科クリニック", "clinic"},
                {kPharmacyOid, "pharmacy", "tenant-b", "はれやか薬局", "pharmacy"}};
    if (shape.care)
      tenants.emplace_back(kCareOid, "care", "tenant-c", "介護老人保健施設はれやか苑",
                           "care_facility");
    for (const auto& [oid, id, cert, name, kind] : tenants) {
      auto r =
          net().admin->call("POST", "/api/v1/admin/facilities",
                            {{"oid", oid},
                             {"name", name},
                             {"kind", kind},
                             {"discloses", true},
                             {"views", false},
                             {"gateway_url", base + "/t/" + id},
                             {"gateway_cert_sha256", testing::cert_fingerprint(pki.cert(cert))}});
      if (r.status != 201)
        throw std::runtime_error("tenant facility: " + r.body);
    }
    // The clinic's data manager and the pharmacy's (施設データ管理者), logged in at the portal.
    testing::add_user("clinic-dm", kClinicOid, "data_manager");
    testing::add_user("pharmacy-dm", kPharmacyOid, "data_manager");
    clinic_dm = std::make_unique<testing::Browser>(net().portal->port("web"));
    testing::enrol(*clinic_dm, "clinic-dm");
    pharmacy_dm = std::make_unique<testing::Browser>(net().portal->port("web"));
    testing::enrol(*pharmacy_dm, "pharmacy-dm");
    if (shape.care) {
      testing::add_user("care-dm", kCareOid, "data_manager");
      care_dm = std::make_unique<testing::Browser>(net().portal->port("web"));
      testing::enrol(*care_dm, "care-dm");
    }
    // The clinic holds the matrix patient too: the same generated storage as the hospital's,
    // its folder only.
    const std::string gen = generated = dir + "/generated";
    testing::run_checked({testing::binary_path("gateway/hareyaka-ssmix2-gen"), "--out", gen,
                          "--patients", "4", "--visits", "14", "--seed", "5"});
    const std::string id = m.local_id;
    const std::string folder = id.substr(0, 3) + "/" + id.substr(3, 3) + "/" + id;
    zip = testing::make_zip(testing::entries_of_tree(gen + "/" + folder, "export/" + folder + "/"));
    http::ClientSettings cs;
    cs.tls = {.ca_file = pki.ca(), .cert_file = pki.cert("portal"), .key_file = pki.key("portal")};
    as_portal = std::make_unique<http::BlockingHttpClient>(cs);
    if (!testing::poll_until(
            [&] {
              return as_portal->request({.url = daemon->url("nodes", "/readyz")}).status == 200;
            },
            std::chrono::seconds(60)))
      throw std::runtime_error("hosted gateway not ready:\n" + daemon->log());
    if (shape.second_hospital)
      start_second_hospital(dir + "/hospital2");
  }

  // The second hospital: its own gateway over storage generated for the same patients,
  // registered at the portal, its patients in PIX as its feed would register them.
  void start_second_hospital(const std::string& dir) {
    const auto& pki = dev_pki();
    testing::run_checked({testing::binary_path("gateway/hareyaka-ssmix2-gen"), "--out",
                          dir + "/ssmix2", "--extended", dir + "/extended", "--patients", "4",
                          "--visits", "8", "--seed", "11"});
    const json gw{{"facility_oid", kHospital2Oid},
                  {"assertion_public_key", pki.dir + "/assertion.pub"},
                  {"node_readers", {testing::cert_fingerprint(pki.cert("portal"))}},
                  {"listener", testing::dev_listener("gateway-b", 0, "require")},
                  {"storage",
                   {{"ssmix2_root", dir + "/ssmix2"},
                    {"extended_root", dir + "/extended"},
                    {"state_dir", dir + "/state"}}}};
    hospital2 = std::make_unique<testing::Daemon>("gateway/hareyaka-gateway", gw, "gateway");
    if (!testing::poll_until(
            [&] {
              return as_portal->request({.url = hospital2->url("nodes", "/readyz")}).status == 200;
            },
            std::chrono::seconds(60)))
      throw std::runtime_error("second hospital's gateway not ready:\n" + hospital2->log());
    auto r = net().admin->call(
        "POST", "/api/v1/admin/facilities",
        {{"oid", kHospital2Oid},
         {"name", "はれやか第二病院"},
         {"kind", "hospital"},
         {"discloses", true},
         {"views", false},
         {"gateway_url", hospital2->url("nodes", "")},
         {"gateway_cert_sha256", testing::cert_fingerprint(pki.cert("gateway-b"))}});
    if (r.status != 201)
      throw std::runtime_error("second hospital: " + r.body);
    pix::PgIdentityStore identities(*net().pool, {});
    identities.register_domain(kHospital2Domain, "はれやか第二病院");
    const pix::IdentityKey key{kHospital2Domain, matrix().local_id};
    const auto fed = identities.register_identity({key}, {.family_kanji = matrix().family_kanji});
    if (std::to_string(fed.person_id) != matrix().person_id)
      identities.link(key, {testing::kHospitalDomain, matrix().local_id},
                      {"hosted-test", "the same patient at the second hospital"});
  }

  // A request to a tenant's route as the portal, with an assertion it signed.
  http::ClientResponse call(const std::string& tenant, const std::string& method,
                            const std::string& path, const AccessAssertion& a,
                            std::string body = "", const std::string& type = "") {
    static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                  testing::cert_fingerprint(dev_pki().cert("portal")));
    AccessAssertion signed_a = a;
    signed_a.issued_at = unix_now() - 1;
    signed_a.expires_at = unix_now() + 60;
    http::ClientRequest r{.method = method,
                          .url = daemon->url("nodes", "/t/" + tenant + path),
                          .body = std::move(body),
                          .timeout = std::chrono::seconds(60)};
    r.headers[kAssertionHeader] = signer.sign(signed_a);
    if (!type.empty())
      r.headers["Content-Type"] = type;
    return as_portal->request(r);
  }
  static AccessAssertion uploader(const std::string& login, const std::string& facility,
                                  const std::string& audience) {
    return {.user = login,
            .profession = "data_manager",
            .facility_oid = facility,
            .audience = audience,
            .category = "upload",
            .purpose = "upload",
            .request_id = "hosted-test"};
  }
  // As a doctor of the directory (the matrix's first doctor).
  static AccessAssertion reader(const std::string& audience, const std::string& authority,
                                const std::string& local_id, const std::string& category) {
    const testing::Matrix::User* doctor = nullptr;
    for (const auto& u : matrix().users) {
      if (!doctor && u.profession == hpd::Profession::kDoctor)
        doctor = &u;
    }
    return {.user = doctor->login,
            .profession = "doctor",
            .facility_oid = matrix().facility.at({doctor->kind, doctor->state}),
            .audience = audience,
            .authority = authority,
            .local_id = local_id,
            .category = category,
            .request_id = "hosted-test"};
  }
  json publish_status(const std::string& tenant) {
    auto r =
        as_portal->request({.url = daemon->url("nodes", "/t/" + tenant + "/gw/v1/publish/status")});
    return body_of(r);
  }
  std::size_t files_of(const std::string& tenant) const {
    return testing::files_under(tenants_dir + "/" + tenant + "/ssmix2");
  }
};

// Through the portal as the data manager (the portal signs the upload assertion); the hosted
// gateway's directory copy must know the data manager first.
inline http::ClientResponse upload_when_known(testing::Browser& b, const std::string& path,
                                              const std::string& body, const std::string& type) {
  http::ClientResponse r;
  testing::poll_until(
      [&] {
        r = b.send("POST", path, body, type);
        return r.status != 403 || r.body.find("directory") == std::string::npos;
      },
      std::chrono::seconds(20));
  return r;
}

}  // namespace hareyaka::hosted_testing
