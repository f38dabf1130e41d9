#include "tests/integration/trust_matrix_setup.hpp"

#include <cstdio>
#include <stdexcept>

#include "common/error.hpp"
#include "hpd/pg_directory_store.hpp"
#include "pix/pg_identity_store.hpp"
#include "portal/auth/password.hpp"
#include "tests/integration/trust_network.hpp"

namespace hareyaka::testing {
namespace {

using nlohmann::json;

pix::Demographics demographics_of(const json& patient) {
  pix::Demographics d;
  d.family_kanji = patient["name_kanji"].value("family", "");
  d.given_kanji = patient["name_kanji"].value("given", "");
  d.family_kana = patient["name_kana"].value("family", "");
  d.given_kana = patient["name_kana"].value("given", "");
  d.birth_date = patient.value("birth_date", "");
  std::erase(d.birth_date, '-');
  const std::string sex = patient.value("sex", "U");
  d.sex = sex.empty() ? 'U' : sex[0];
  return d;
}

Matrix make_matrix() {
  {
    Matrix m;
    // The oracle: which categories the gateway holds for each generated patient; the one
    // with the most is the matrix's patient, another one stays unconsented to the matrix.
    int best = -1;
    for (int id = 1000001; id <= 1000004; ++id) {
      const std::string local = std::to_string(id);
      std::map<std::string, bool> has;
      int n = 0;
      for (const auto& [cat, c, parts] : kViewerCategories) {
        bool any = false;
        for (const auto& part : parts) {
          auto b = net().gateway_get(local, part);
          any = any || (b.is_object() && !b["items"].empty());
        }
        has[cat] = any;
        n += any;
      }
      if (n > best) {
        if (!m.local_id.empty())
          m.other_local_id = m.local_id;
        best = n;
        m.local_id = local;
        m.has_data = has;
      } else if (m.other_local_id.empty()) {
        m.other_local_id = local;
      }
    }
    // The disclosing hospital and its gateway, registered through the admin API.
    auto hospital = net().admin->call("POST", "/api/v1/admin/facilities",
                                      {{"oid", testing::kHospitalOid},
                                       {"name", "晴れやか総合病院"},
                                       {"kind", "hospital"},
                                       {"discloses", true},
                                       {"views", false},
                                       {"gateway_url", net().gateway->url("nodes", "")},
                                       {"gateway_cert_sha256", net().gateway_sha256}});
    if (hospital.status != 201)
      throw std::runtime_error("hospital: " + hospital.body);
    // The patients in PIX, as the gateway's feed would register them.
    pix::PgIdentityStore identities(*net().pool, {});
    identities.register_domain(testing::kHospitalDomain, "晴れやか総合病院");
    auto demo = demographics_of(net().gateway_get(m.local_id, "demographics")["patient"]);
    m.family_kanji = demo.family_kanji;
    m.person_id = std::to_string(
        identities.register_identity({{testing::kHospitalDomain, m.local_id}}, demo).person_id);
    auto other = demographics_of(net().gateway_get(m.other_local_id, "demographics")["patient"]);
    m.other_person_id = std::to_string(
        identities.register_identity({{testing::kHospitalDomain, m.other_local_id}}, other)
            .person_id);
    // The other patient consents to one facility outside the matrix only.
    const std::string outsider = add_viewing_facility(3999999, "clinic", "圏外クリニック");
    auto c = net().admin->call("POST", "/api/v1/admin/consents",
                               {{"authority", testing::kHospitalDomain},
                                {"local_id", m.other_local_id},
                                {"viewer_facility_oid", outsider}});
    if (c.status != 201)
      throw std::runtime_error("consent: " + c.body);

    // One viewing facility per (kind, consent state), with one user per profession.
    hpd::PgDirectoryStore directory(*net().pool);
    const std::string hash =
        auth::hash_password(kPassword, auth::PasswordHashing::fastest_for_tests());
    int code = 3000000;
    for (auto kind : hpd::kAllFacilityKinds) {
      for (auto state : kStates) {
        const std::string oid =
            add_viewing_facility(++code, std::string(hpd::to_string(kind)),
                                 std::string(hpd::to_string(kind)) + " " + name(state));
        m.facility[{kind, state}] = oid;
        for (auto prof : hpd::kAllProfessions) {
          hpd::User u;
          u.login_id = "m." + std::string(hpd::to_string(kind)) + "." + name(state) + "." +
                       std::string(hpd::to_string(prof));
          u.facility_oid = oid;
          u.profession = prof;
          u.display_name = u.login_id;
          u.password_hash = hash;
          u.totp_secret = m.secret;
          directory.create_user(u);
          m.users.push_back({u.login_id, prof, kind, state});
        }
        json consent{{"authority", testing::kHospitalDomain},
                     {"local_id", m.local_id},
                     {"viewer_facility_oid", oid},
                     {"document_ref", std::string("FORM-") + name(state)}};
        switch (state) {
          case State::kNone:
            continue;
          case State::kGiven:
          case State::kWithdrawn:
            break;
          case State::kScoped:
            consent["categories"] = {"encounters", "prescriptions", "imaging", "demographics"};
            break;
          case State::kExpired:
            consent["start"] = "2020-04-01";
            consent["expiry"] = "2021-03-31";
            break;
        }
        auto r = net().admin->call("POST", "/api/v1/admin/consents", consent);
        if (r.status != 201)
          throw std::runtime_error("consent: " + r.body);
        if (state == State::kWithdrawn) {
          auto w = net().admin->call(
              "POST", "/api/v1/admin/consents/" + body_of(r)["id"].get<std::string>() + "/withdraw",
              {{"reason", "patient asked at the desk"}});
          if (w.status != 200)
            throw std::runtime_error("withdraw: " + w.body);
        }
      }
    }
    return m;
  }
}

}  // namespace

Matrix& matrix() {
  static Matrix m = [] {
    try {
      return make_matrix();
    } catch (const Error& e) {
      std::fprintf(stderr, "matrix set-up failed: %s (%s)\n", e.external().c_str(),
                   e.internal().c_str());
      throw;
    }
  }();
  return m;
}

}  // namespace hareyaka::testing
