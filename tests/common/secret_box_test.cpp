#include "common/secret_box.hpp"

#include <gtest/gtest.h>

#include "proto/encoding/base64.hpp"

namespace hareyaka {
namespace {

BoxKey key(const std::string& id, char fill) {
  return BoxKey{id, std::string(32, fill)};
}

TEST(SecretBoxTest, RoundTripWithFreshNoncesAndTheStoredForm) {
  SecretBox box({key("k2026", 'a')});
  const std::string secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";  // a TOTP secret's shape
  const std::string a = box.seal(secret, "user:7");
  const std::string b = box.seal(secret, "user:7");
  EXPECT_NE(a, b) << "a random nonce per seal";
  EXPECT_TRUE(a.starts_with("v1:k2026:"));
  EXPECT_EQ(a.find(secret), std::string::npos);
  EXPECT_EQ(SecretBox::key_id_of(a), "k2026");
  Opened o = box.open(a, "user:7");
  ASSERT_TRUE(o.ok()) << to_string(o.error);
  EXPECT_EQ(o.plaintext, secret);
  EXPECT_EQ(o.key_id, "k2026");
  EXPECT_EQ(box.open(b, "user:7").plaintext, secret);
  // 12-byte nonce + 32 base32 chars + 16-byte tag, base64.
  EXPECT_EQ(a.size(), std::string("v1:k2026:").size() + base64_encode(std::string(60, 'x')).size());
}

TEST(SecretBoxTest, WrongAssociatedDataFails) {
  SecretBox box({key("k", 'a')});
  const std::string sealed = box.seal("JBSWY3DPEHPK3PXP", "user:7");
  Opened o = box.open(sealed, "user:8");
  EXPECT_EQ(o.error, OpenError::kNotAuthentic);
  EXPECT_TRUE(o.plaintext.empty());
}

TEST(SecretBoxTest, TamperedTagCiphertextOrKeyIdFails) {
  SecretBox box({key("k1", 'a'), key("k2", 'b')});
  const std::string sealed = box.seal("JBSWY3DPEHPK3PXP", "ad");
  const std::string prefix = "v1:k1:";
  auto blob = *base64_decode(sealed.substr(prefix.size()));
  for (std::size_t at : {blob.size() - 1, std::size_t{12}, std::size_t{0}}) {
    auto bad = blob;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    EXPECT_EQ(box.open(prefix + base64_encode(bad), "ad").error, OpenError::kNotAuthentic)
        << "byte " << at;
  }
  // Relabelled to the other key id: that key does not open it.
  EXPECT_EQ(box.open("v1:k2:" + sealed.substr(prefix.size()), "ad").error,
            OpenError::kNotAuthentic);
  EXPECT_EQ(box.open("v1:k1:!!!!", "ad").error, OpenError::kMalformed);
  EXPECT_EQ(box.open("v1:k1:" + base64_encode("short"), "ad").error, OpenError::kMalformed);
  EXPECT_EQ(box.open("v1:nocolon", "ad").error, OpenError::kMalformed);
  EXPECT_EQ(box.open("JBSWY3DPEHPK3PXP", "ad").error, OpenError::kNotSealed);
}

TEST(SecretBoxTest, OldKeyStillOpensAndNewSealsUseTheFirstKey) {
  SecretBox old_box({key("old", 'a')});
  const std::string sealed_old = old_box.seal("SECRET", "ad");
  SecretBox rotated({key("new", 'b'), key("old", 'a')});
  EXPECT_EQ(rotated.current_key_id(), "new");
  EXPECT_EQ(rotated.open(sealed_old, "ad").plaintext, "SECRET");
  EXPECT_TRUE(rotated.seal("SECRET", "ad").starts_with("v1:new:"));
  // Same id, other key material: refused, not garbage.
  SecretBox impostor({key("old", 'c')});
  EXPECT_EQ(impostor.open(sealed_old, "ad").error, OpenError::kNotAuthentic);
}

TEST(SecretBoxTest, UnknownKeyIdIsNamed) {
  SecretBox a({key("k-a", 'a')});
  SecretBox b({key("k-b", 'b')});
  Opened o = b.open(a.seal("SECRET", "ad"), "ad");
  EXPECT_EQ(o.error, OpenError::kUnknownKey);
  EXPECT_EQ(o.key_id, "k-a");
  EXPECT_EQ(SecretBox().open(a.seal("SECRET", "ad"), "ad").error, OpenError::kUnknownKey);
  EXPECT_FALSE(SecretBox().has_keys());
  EXPECT_THROW(SecretBox().seal("SECRET", "ad"), std::exception);
}

TEST(SecretBoxTest, KeysFromConfigurationAreChecked) {
  const std::string b64 = base64_encode(std::string(32, '\x07'));
  EXPECT_EQ(make_box_key("2026-11", b64).key, std::string(32, '\x07'));
  EXPECT_THROW(make_box_key("bad:id", b64), std::invalid_argument);
  EXPECT_THROW(make_box_key("", b64), std::invalid_argument);
  EXPECT_THROW(make_box_key("k", "not base64!"), std::invalid_argument);
  try {
    make_box_key("k", base64_encode(std::string(16, 'z')));
    FAIL() << "a 16-byte key was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("32 bytes"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find(base64_encode(std::string(16, 'z'))), std::string::npos);
  }
  EXPECT_THROW(SecretBox({key("same", 'a'), key("same", 'b')}), std::invalid_argument);
}

}  // namespace
}  // namespace hareyaka
