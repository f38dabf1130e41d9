#include "gateway/preserve/sealing.hpp"

#include <gtest/gtest.h>

#include "common/digest.hpp"
#include "proto/encoding/base64.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::preserve {
namespace {

constexpr const char* kOid = "1.2.392.200284.33.1310001";
const std::string kPath =
    "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1";

PreserveCrypto crypto(char key_fill = 'k', const std::string& key_file = "") {
  return PreserveCrypto({BoxKey{"2026", std::string(32, key_fill)}},
                        key_file.empty() ? testing::dev_pki().dir + "/assertion.key" : key_file,
                        kOid);
}

PatientIndex one_file(const PreserveCrypto& c, const std::string& bytes) {
  auto s = c.seal_file(bytes, sha256_hex(bytes));
  return {"9999013", {{kPath, sha256_hex(bytes), s.object, bytes.size()}}};
}

TEST(PreserveSealing, EqualFilesSealEquallyAndOpenOnlyWhole) {
  const auto c = crypto();
  const std::string bytes = "MSH|^~\\&|HIS|...";
  const auto a = c.seal_file(bytes, sha256_hex(bytes));
  const auto b = c.seal_file(bytes, sha256_hex(bytes));
  EXPECT_EQ(a.blob, b.blob) << "deterministic: a resend is the same object";
  EXPECT_EQ(a.object, sha256_hex(a.blob));
  EXPECT_EQ(a.blob.find("MSH"), std::string::npos) << "sealed";
  EXPECT_EQ(c.open_file(a.blob, sha256_hex(bytes)), bytes);
  const std::string other = "MSH|^~\\&|HIS|..!";
  EXPECT_NE(c.seal_file(other, sha256_hex(other)).blob.substr(0, 30), a.blob.substr(0, 30))
      << "another file, another nonce";
  std::string tampered = a.blob;
  tampered[tampered.size() - 5] ^= 1;
  EXPECT_FALSE(c.open_file(tampered, sha256_hex(bytes)));
  EXPECT_FALSE(c.open_file(a.blob, sha256_hex("something else"))) << "swapped objects";
  EXPECT_FALSE(crypto('x').open_file(a.blob, sha256_hex(bytes))) << "another hospital's key";
}

TEST(PreserveSealing, TheManifestIsSignedAndItsIndexSealedForThisPatient) {
  const auto c = crypto();
  const auto m = c.make_manifest(one_file(c, "record"), 1'765'000'000'000);
  EXPECT_EQ(m.patient, c.patient_ref("9999013"));
  EXPECT_EQ(m.patient.find("9999013"), std::string::npos);
  EXPECT_EQ(m.index.find("9999013"), std::string::npos) << "the node cannot read the list";
  auto parsed = hareyaka::preserve::parse_manifest(hareyaka::preserve::to_json(m));
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  auto opened = c.open_manifest(*parsed.manifest);
  ASSERT_TRUE(opened.index) << opened.error;
  EXPECT_EQ(opened.index->files.at(0).path, kPath);
  // The same list later: the same sealed index, so the node recognises a resend.
  EXPECT_EQ(c.make_manifest(one_file(c, "record"), 1'765'000'060'000).index, m.index);

  auto changed = m;
  changed.objects = {std::string(64, 'e')};
  EXPECT_EQ(c.open_manifest(changed).error, "manifest signature does not verify");
  changed = m;
  changed.patient = c.patient_ref("9999014");
  EXPECT_EQ(c.open_manifest(changed).error, "manifest signature does not verify");
  // A manifest signed by another key (a node forging one) does not verify either.
  testing::TempDir tmp;
  const std::string stranger_key = tmp.path() + "/stranger-preserve.key";
  std::system(("openssl genpkey -algorithm ed25519 -out " + stranger_key + " 2>/dev/null").c_str());
  const auto forger = crypto('k', stranger_key);
  EXPECT_EQ(c.open_manifest(forger.make_manifest(one_file(forger, "forged"), 1)).error,
            "manifest signature does not verify");
  // Verifying with the public half only (a restore on the standby).
  const auto verifier = crypto('k', testing::dev_pki().dir + "/assertion.pub");
  EXPECT_TRUE(verifier.open_manifest(m).index);
}

}  // namespace
}  // namespace hareyaka::gateway::preserve
