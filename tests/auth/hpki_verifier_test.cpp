#include "portal/auth/hpki_verifier.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "portal/auth/hc_role.hpp"
#include "tests/auth/dev_hpki.hpp"

namespace hareyaka::auth {
namespace {

TEST(Hpki, DevCertificatesGiveTheRightProfessionOrAClearRefusal) {
  const auto& pki = testing::DevHpki::get();
  HpkiVerifier v({.ca_files = {pki.path("ca.pem")}, .crl_files = {pki.path("ca.crl")}});
  const auto now = hpd::Clock::now();

  auto doctor = v.verify(pki.read("doctor.pem"), now);
  ASSERT_TRUE(doctor.ok()) << doctor.message;
  EXPECT_EQ(doctor.identity->profession, hpd::Profession::kDoctor);
  EXPECT_EQ(doctor.identity->role, "Medical Doctor");
  EXPECT_NE(doctor.identity->subject.find("CN=Sato Taro"), std::string::npos);
  EXPECT_NE(doctor.identity->issuer.find("CN=Hareyaka Dev HPKI CA"), std::string::npos);
  EXPECT_FALSE(doctor.identity->serial.empty());

  auto pharmacist = v.verify(pki.read("pharmacist.pem"), now);
  ASSERT_TRUE(pharmacist.ok()) << pharmacist.message;
  EXPECT_EQ(pharmacist.identity->profession, hpd::Profession::kPharmacist);

  auto expect_refused = [&](const char* file, HpkiError want, const char* words) {
    auto r = v.verify(pki.read(file), now);
    EXPECT_FALSE(r.ok()) << file;
    EXPECT_EQ(r.error, want) << file << ": " << r.message;
    EXPECT_NE(r.message.find(words), std::string::npos) << r.message;
    EXPECT_FALSE(r.identity);
  };
  expect_refused("untrusted.pem", HpkiError::kUntrustedIssuer, "not issued by a trusted");
  expect_refused("expired.pem", HpkiError::kExpired, "expired");
  expect_refused("revoked.pem", HpkiError::kRevoked, "revoked");
  expect_refused("norole.pem", HpkiError::kNoHcRole, "hcRole");
  expect_refused("unknownrole.pem", HpkiError::kUnknownRole, "Radiological Technologist");

  auto garbage = v.verify("not a certificate", now);
  EXPECT_EQ(garbage.error, HpkiError::kUnparseable);
}

TEST(Hpki, AcceptsDerAsTheTlsLayerGivesIt) {
  const auto& pki = testing::DevHpki::get();
  HpkiVerifier v({.ca_files = {pki.path("ca.pem")}, .crl_files = {pki.path("ca.crl")}});
  auto r = v.verify(pki.der("doctor.pem"), hpd::Clock::now());
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.identity->profession, hpd::Profession::kDoctor);
}

// Revocation is checked for every certificate of the chain up to the trust anchor, not the
// user's certificate alone: a card issued by a revoked intermediate CA is refused.
TEST(Hpki, ARevokedIntermediateCaRevokesTheCardsItIssued) {
  const auto& pki = testing::DevHpki::get();
  const HpkiSettings all{
      .ca_files = {pki.path("ca.pem"), pki.path("sub-ca.pem"), pki.path("revoked-sub-ca.pem")},
      .crl_files = {pki.path("ca.crl"), pki.path("sub-ca.crl"), pki.path("revoked-sub-ca.crl")}};
  HpkiVerifier v(all);
  const auto now = hpd::Clock::now();
  auto good = v.verify(pki.read("sub-doctor.pem"), now);
  ASSERT_TRUE(good.ok()) << good.message;
  EXPECT_EQ(good.identity->profession, hpd::Profession::kDoctor);
  EXPECT_TRUE(v.verify(pki.read("doctor.pem"), now).ok());
  auto under_revoked = v.verify(pki.read("revoked-sub-doctor.pem"), now);
  EXPECT_EQ(under_revoked.error, HpkiError::kRevoked) << under_revoked.message;
  EXPECT_NE(under_revoked.message.find("revoked"), std::string::npos) << under_revoked.message;

  // Without the root's CRL the intermediate's status is unknown: refused, not assumed good.
  HpkiVerifier no_root_crl({.ca_files = all.ca_files,
                            .crl_files = {pki.path("sub-ca.crl"), pki.path("revoked-sub-ca.crl")}});
  auto unknown = no_root_crl.verify(pki.read("sub-doctor.pem"), now);
  EXPECT_EQ(unknown.error, HpkiError::kCrlUnavailable) << unknown.message;
}

TEST(Hpki, WithoutACrlNothingIsAccepted) {
  const auto& pki = testing::DevHpki::get();
  HpkiVerifier v({.ca_files = {pki.path("ca.pem")}});
  auto r = v.verify(pki.read("doctor.pem"), hpd::Clock::now());
  EXPECT_EQ(r.error, HpkiError::kCrlUnavailable) << r.message;
}

TEST(Hpki, ExpiryFollowsTheInjectedClock) {
  const auto& pki = testing::DevHpki::get();
  HpkiVerifier v({.ca_files = {pki.path("ca.pem")}, .crl_files = {pki.path("ca.crl")}});
  // Five years on, the user certificate (one year) has expired.
  auto r = v.verify(pki.read("doctor.pem"), hpd::Clock::now() + std::chrono::hours(24 * 365 * 5));
  EXPECT_FALSE(r.ok());
}

TEST(Hpki, BadConfigurationNamesTheFile) {
  try {
    HpkiVerifier v({.ca_files = {"/nonexistent/ca.pem"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.external().find("/nonexistent/ca.pem"), std::string::npos);
  }
}

TEST(HcRole, MalformedExtensionsAreErrorsNotCrashes) {
  const auto& pki = testing::DevHpki::get();
  const std::string ext = pki.extension_der("doctor.pem");
  auto ok = parse_subject_directory_attributes(ext);
  ASSERT_TRUE(ok.error.empty()) << ok.error;
  ASSERT_EQ(ok.roles.size(), 1u);
  EXPECT_EQ(ok.roles[0], "Medical Doctor");
  for (std::size_t n = 0; n < ext.size(); ++n) {
    auto r = parse_subject_directory_attributes(ext.substr(0, n));
    EXPECT_FALSE(r.error.empty()) << "truncated at " << n;
  }
  for (std::size_t i = 0; i < ext.size(); ++i) {  // flip each byte: must not crash
    std::string bad = ext;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    (void)parse_subject_directory_attributes(bad);
  }
}

TEST(HcRole, RoleNamesMapToProfessions) {
  EXPECT_EQ(profession_for_role("Medical Doctor"), hpd::Profession::kDoctor);
  EXPECT_EQ(profession_for_role(" medical doctor "), hpd::Profession::kDoctor);
  EXPECT_EQ(profession_for_role("Dentist"), hpd::Profession::kDentist);
  EXPECT_EQ(profession_for_role("Pharmacist"), hpd::Profession::kPharmacist);
  EXPECT_EQ(profession_for_role("Nurse"), hpd::Profession::kNurse);
  EXPECT_EQ(profession_for_role("Public Health Nurse"), hpd::Profession::kPublicHealthNurse);
  EXPECT_EQ(profession_for_role("Midwife"), hpd::Profession::kMidwife);
  EXPECT_EQ(profession_for_role("Physical Therapist"), hpd::Profession::kTherapist);
  EXPECT_FALSE(profession_for_role("Radiological Technologist"));
  EXPECT_FALSE(profession_for_role("Doctor"));
}

}  // namespace
}  // namespace hareyaka::auth
