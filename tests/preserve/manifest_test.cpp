#include "proto/preserve/manifest.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hareyaka::preserve {
namespace {

Manifest sample() {
  Manifest m;
  m.facility = "1.2.392.200284.33.1310001";
  m.patient = std::string(64, 'a');
  m.generation = make_generation(1'765'000'000'000, "0123abcd");
  m.created = iso_time_ms(1'765'000'000'000);
  m.objects = {std::string(64, '1'), std::string(64, '2')};
  m.index = "v1:k1:AAAA";
  m.signature = std::string(86, 'A') + "==";
  return m;
}

TEST(PreserveManifest, RoundTripsAndSignsEverythingButTheSignature) {
  const Manifest m = sample();
  EXPECT_EQ(m.generation, "1765000000000-0123abcd");
  EXPECT_EQ(m.created, "2025-12-06T05:46:40.000Z");
  auto p = parse_manifest(to_json(m));
  ASSERT_TRUE(p.manifest) << p.error;
  EXPECT_EQ(p.manifest->objects, m.objects);
  EXPECT_EQ(signed_bytes(*p.manifest), signed_bytes(m));
  EXPECT_EQ(signed_bytes(m).find("signature"), std::string::npos);
  Manifest other = m;
  other.signature = std::string(86, 'B') + "==";
  EXPECT_EQ(signed_bytes(other), signed_bytes(m));
  other.objects.pop_back();
  EXPECT_NE(signed_bytes(other), signed_bytes(m));
  EXPECT_EQ(generation_time_ms(m.generation), 1'765'000'000'000);
}

TEST(PreserveManifest, RefusesEveryMalformedField) {
  auto refused = [](auto change) {
    nlohmann::json j = nlohmann::json::parse(to_json(sample()));
    change(j);
    return parse_manifest(j.dump()).error;
  };
  EXPECT_NE(refused([](auto& j) { j["format"] = "other/2"; }), "");
  EXPECT_NE(refused([](auto& j) { j["facility"] = "../etc"; }), "");
  EXPECT_NE(refused([](auto& j) { j["patient"] = "../../x"; }), "");
  EXPECT_NE(refused([](auto& j) { j["generation"] = "20261207"; }), "");
  EXPECT_NE(refused([](auto& j) { j["objects"] = {"zz"}; }), "");
  EXPECT_NE(refused([](auto& j) {
              j["objects"] = {std::string(64, '2'), std::string(64, '1')};
            }),
            "")
      << "unsorted";
  EXPECT_NE(refused([](auto& j) { j["index"] = "plain text"; }), "");
  EXPECT_NE(refused([](auto& j) { j["signature"] = "short"; }), "");
  EXPECT_NE(refused([](auto& j) { j["extra"] = 1; }), "");
  EXPECT_NE(refused([](auto& j) { j.erase("created"); }), "");
  EXPECT_EQ(parse_manifest("not json").error, "manifest is not a JSON object");
  EXPECT_EQ(parse_manifest("[]").error, "manifest is not a JSON object");
}

TEST(PreserveManifest, TheIndexAcceptsOnlyStandardPathsOfItsPatient) {
  const std::string good =
      "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1";
  PatientIndex index{"9999013", {{good, std::string(64, 'a'), std::string(64, 'b'), 12}}};
  std::string why;
  auto back = parse_index(index_to_json(index), why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->files.at(0).path, good);
  EXPECT_EQ(back->files.at(0).size, 12u);
  for (const std::string bad :
       {"/etc/passwd", "999/901/9999013/../../../../etc/passwd",
        "999/901/9999014/-/ADT-00/9999014_-_ADT-00_999999999999999_20111220224447339_-_1",
        "999/901/9999013/-/ADT-00/notastandardname"}) {
    PatientIndex evil{"9999013", {{bad, std::string(64, 'a'), std::string(64, 'b'), 1}}};
    EXPECT_FALSE(parse_index(index_to_json(evil), why)) << bad;
  }
  EXPECT_FALSE(parse_index(R"({"patient_id": "../x", "files": []})", why));
  EXPECT_FALSE(parse_index("{}", why));
}

}  // namespace
}  // namespace hareyaka::preserve
