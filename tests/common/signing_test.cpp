#include "common/signing.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "common/error.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka {
namespace {

TEST(Signing, SignsAndVerifiesAndRefusesAnAlteredMessage) {
  const auto& pki = testing::dev_pki();
  auto priv = Ed25519Key::private_from_file(pki.dir + "/assertion.key", "test key");
  auto pub = Ed25519Key::public_from_file(pki.dir + "/assertion.pub", "test key");
  const std::string sig = priv.sign("the manifest");
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(pub.verify("the manifest", sig));
  EXPECT_TRUE(priv.verify("the manifest", sig)) << "a private key verifies too";
  EXPECT_FALSE(pub.verify("the manifest!", sig));
  std::string bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(pub.verify("the manifest", bad));
  EXPECT_FALSE(pub.verify("the manifest", sig.substr(0, 63)));
  EXPECT_THROW(pub.sign("x"), Error) << "a public key cannot sign";
  EXPECT_NE(priv.public_pem().find("BEGIN PUBLIC KEY"), std::string::npos);
}

TEST(Signing, RefusesAMissingFileAndAKeyOfAnotherKind) {
  const auto& pki = testing::dev_pki();
  try {
    Ed25519Key::private_from_file(pki.dir + "/nope.key", "preservation signing key");
    FAIL() << "a missing file must be refused";
  } catch (const Error& e) {
    EXPECT_NE(e.internal().find("cannot read preservation signing key"), std::string::npos);
  }
  // The node's TLS key is ECDSA P-256, not Ed25519.
  try {
    Ed25519Key::private_from_file(pki.key("portal"), "assertion key");
    FAIL() << "an ECDSA key must be refused";
  } catch (const Error& e) {
    EXPECT_NE(e.internal().find("is not an Ed25519 private key"), std::string::npos);
  }
}

}  // namespace
}  // namespace hareyaka
