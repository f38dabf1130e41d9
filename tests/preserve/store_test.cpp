#include "preserve/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "proto/preserve/manifest.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::preserve {
namespace {

namespace fs = std::filesystem;
constexpr const char* kOid = "1.2.392.200284.33.1310001";

std::string manifest_text(const std::string& patient, std::int64_t ms,
                          std::vector<std::string> objects, const std::string& index = "v1:k:AA") {
  Manifest m;
  m.facility = kOid;
  m.patient = patient;
  m.generation = make_generation(ms, sha256_hex(index + std::to_string(ms)).substr(0, 8));
  m.created = iso_time_ms(ms);
  std::sort(objects.begin(), objects.end());
  m.objects = objects;
  m.index = index;
  m.signature = std::string(86, 'A') + "==";
  return to_json(m);
}

std::string generation_of(const std::string& text) {
  return parse_manifest(text).manifest->generation;
}

class Store : public ::testing::Test {
 protected:
  testing::TempDir tmp_;
  PreservationStore store_{tmp_.path() + "/store"};
  const std::string ref_ = std::string(64, 'c');
};

TEST_F(Store, ObjectsAreNamedByTheirDigestAndNeverRewritten) {
  const std::string blob = "v1:k:sealed bytes";
  const std::string sha = sha256_hex(blob);
  EXPECT_TRUE(store_.put_object(kOid, sha, blob));
  EXPECT_FALSE(store_.put_object(kOid, sha, blob)) << "a resend stores nothing";
  EXPECT_EQ(store_.object(kOid, sha), blob);
  try {
    store_.put_object(kOid, sha256_hex("other"), blob);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadRequest);
  }
  EXPECT_THROW(store_.put_object(kOid, "../../x", blob), Error);
  EXPECT_THROW(store_.put_object("../etc", sha, blob), Error);
  EXPECT_EQ(store_.missing(kOid, {sha, sha256_hex("absent")}),
            std::vector<std::string>{sha256_hex("absent")});
  // Stored read-only, so not even the node's own process rewrites it by mistake.
  const auto path = tmp_.path() + "/store/" + kOid + "/objects/" + sha.substr(0, 2) + "/" + sha;
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::owner_write, fs::perms::none);
}

TEST_F(Store, AManifestNeedsEveryObjectAndIsWriteOnce) {
  const std::string a = "blob a", b = "blob b";
  store_.put_object(kOid, sha256_hex(a), a);
  const std::string text = manifest_text(ref_, 1'000'000'000'000, {sha256_hex(a), sha256_hex(b)});
  const std::string gen = generation_of(text);
  try {
    store_.put_manifest(kOid, ref_, gen, text);
    FAIL() << "an object is missing";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
    EXPECT_EQ(e.external(), "manifest names 1 objects not held");
  }
  store_.put_object(kOid, sha256_hex(b), b);
  auto first = store_.put_manifest(kOid, ref_, gen, text);
  EXPECT_TRUE(first.stored);
  EXPECT_EQ(first.generation, gen);
  EXPECT_FALSE(store_.put_manifest(kOid, ref_, gen, text).stored) << "the same text again";
  EXPECT_EQ(store_.manifest(kOid, ref_, gen), text);
  // Another path than the manifest names.
  EXPECT_THROW(store_.put_manifest(kOid, std::string(64, 'd'), gen, text), Error);
  EXPECT_THROW(store_.put_manifest(kOid, ref_, gen, "{}"), Error);
}

TEST_F(Store, AResendOfTheNewestContentIsAnsweredWithTheGenerationHeld) {
  const std::string a = "blob a";
  store_.put_object(kOid, sha256_hex(a), a);
  const std::string first = manifest_text(ref_, 1'000'000'000'000, {sha256_hex(a)});
  store_.put_manifest(kOid, ref_, generation_of(first), first);
  // The gateway crashed after the node stored it, and sends the same list again later.
  const std::string again = manifest_text(ref_, 1'000'000'060'000, {sha256_hex(a)});
  auto r = store_.put_manifest(kOid, ref_, generation_of(again), again);
  EXPECT_FALSE(r.stored);
  EXPECT_EQ(r.generation, generation_of(first));
  // A changed list is a new generation.
  const std::string changed = manifest_text(ref_, 1'000'000'120'000, {sha256_hex(a)}, "v1:k:BB");
  EXPECT_TRUE(store_.put_manifest(kOid, ref_, generation_of(changed), changed).stored);
  auto listed = store_.patients(kOid, "", 10);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].generations.size(), 2u);
  EXPECT_EQ(listed[0].generations.back(), generation_of(changed));
}

TEST_F(Store, RetentionExpiresOldGenerationsButKeepsTheNewestAndWhatTheyName) {
  const std::int64_t day = 86'400'000;
  const std::int64_t t0 = 1'700'000'000'000;
  std::vector<std::string> gens;
  for (int i = 0; i < 5; ++i) {
    const std::string blob = "version " + std::to_string(i);
    store_.put_object(kOid, sha256_hex(blob), blob);
    const std::string text =
        manifest_text(ref_, t0 + i * day, {sha256_hex(blob)}, "v1:k:" + std::to_string(i));
    gens.push_back(store_.put_manifest(kOid, ref_, generation_of(text), text).generation);
  }
  Retention rule{.keep = std::chrono::hours(24 * 2),
                 .keep_at_least = 2,
                 .orphan_grace = std::chrono::hours(0)};
  // Ten days after the last: only the two newest remain, whatever their age.
  auto r = store_.sweep(
      kOid, rule, std::chrono::system_clock::time_point(std::chrono::milliseconds(t0 + 14 * day)));
  EXPECT_EQ(r.generations_expired, 3);
  EXPECT_EQ(r.objects_deleted, 3);
  auto left = store_.patients(kOid, "", 10).at(0).generations;
  EXPECT_EQ(left, (std::vector<std::string>{gens[3], gens[4]}));
  EXPECT_TRUE(store_.object(kOid, sha256_hex("version 4")));
  EXPECT_FALSE(store_.object(kOid, sha256_hex("version 0")));
  // An object not named yet (an upload in progress) is kept within the grace.
  store_.put_object(kOid, sha256_hex("in flight"), "in flight");
  rule.orphan_grace = std::chrono::hours(1);
  store_.sweep(kOid, rule, std::chrono::system_clock::now());
  EXPECT_TRUE(store_.object(kOid, sha256_hex("in flight")));
}

// A consent withdrawn: every generation of the patient goes, and at once the objects they
// named, except one another patient's manifest also names. Twice removes nothing.
TEST_F(Store, APurgeRemovesThePatientsGenerationsAndTheirOwnObjects) {
  const std::string other = std::string(64, 'd');
  const std::int64_t t0 = 1'700'000'000'000;
  const std::string mine = "mine", shared = "shared", theirs = "theirs";
  for (const auto& blob : {mine, shared, theirs})
    store_.put_object(kOid, sha256_hex(blob), blob);
  for (int i = 0; i < 2; ++i) {
    const std::string text = manifest_text(ref_, t0 + i, {sha256_hex(mine), sha256_hex(shared)},
                                           "v1:k:" + std::to_string(i));
    store_.put_manifest(kOid, ref_, generation_of(text), text);
  }
  const std::string text = manifest_text(other, t0, {sha256_hex(shared), sha256_hex(theirs)});
  store_.put_manifest(kOid, other, generation_of(text), text);

  auto r = store_.purge(kOid, ref_);
  EXPECT_EQ(r.generations_removed, 2);
  EXPECT_EQ(r.objects_removed, 1);
  EXPECT_EQ(r.objects_kept, 1);
  EXPECT_FALSE(store_.object(kOid, sha256_hex(mine)));
  EXPECT_TRUE(store_.object(kOid, sha256_hex(shared)));
  EXPECT_TRUE(store_.object(kOid, sha256_hex(theirs)));
  EXPECT_FALSE(fs::exists(tmp_.path() + "/store/" + kOid + "/patients/" + ref_));
  const auto left = store_.patients(kOid, "", 10);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].patient, other);
  r = store_.purge(kOid, ref_);
  EXPECT_EQ(r.generations_removed, 0);
  EXPECT_EQ(r.objects_removed, 0);
  EXPECT_THROW(store_.purge(kOid, "../x"), Error);
}

}  // namespace
}  // namespace hareyaka::preserve
