// Substring searches through the pg_trgm index (hpd_entries.substr): the index narrows, the
// filter decides. Each case is compared with the filter evaluated on every entry, so a
// candidate the index wrongly leaves out fails the test.
#include <gtest/gtest.h>

#include <algorithm>

#include "hpd/hpd_filter.hpp"
#include "hpd/hpd_service.hpp"
#include "hpd/migrations.hpp"
#include "tests/support/hpd_filters.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::hpd {
namespace {

using dsml::ResultCode;

const std::string kBase = "ou=HCProfessional," + std::string(kDefaultBaseDn);

dsml::Entry person(const std::string& uid, const std::string& cn, const std::string& display) {
  dsml::Entry e;
  e.dn = "uid=" + uid + "," + kBase;
  e.add("objectClass", {"top", "person", "inetOrgPerson", "HCProfessional"});
  e.add("uid", {uid});
  e.add("cn", {cn});
  e.add("sn", {cn.substr(0, cn.find(' '))});
  e.add("displayName", {display});
  e.add("hcIdentifier", {"1.2.392.200284.33.1001:staff:" + uid + ":Active"});
  return e;
}

using testing::substrings_filter;

class HpdSubstringTest : public ::testing::Test {
 protected:
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&migrations()});
  HpdService service_{*pool_, HpdSettings{}};
  HpdCaller feeder_{.name = "CN=secretariat", .may_feed = true};
  std::vector<dsml::Entry> all_;

  void SetUp() override {
    const std::vector<std::array<std::string, 2>> people = {
        {"Yamada Taro", "山田 太郎"},
        {"Nakayama Hanako", "中山 花子"},
        {"Sato Yamato", "佐藤 大和"},
        {"Suzuki  Ichiro", "鈴木 一郎"},
        {"O'Brien Mary (Dr.)", "オブライエン メアリー"},
        {"Koyama  Jiro", "小山 次郎"},
        {"Tanaka Yuki", "田中 由紀"},
        {"YAMAMOTO Ken", "山本 健"},
    };
    for (std::size_t i = 0; i < people.size(); ++i) {
      auto e = person("u" + std::to_string(i), people[i][0], people[i][1]);
      ASSERT_EQ(service_.add({"", e}, feeder_).code, ResultCode::kSuccess);
      all_.push_back(e);
    }
  }

  std::vector<std::string> search(const dsml::Filter& f, HpdService* service = nullptr) {
    dsml::SearchRequest r;
    r.dn = std::string(kDefaultBaseDn);
    r.filter = f;
    auto res = (service ? *service : service_).search(r);
    EXPECT_EQ(res.done.code, ResultCode::kSuccess) << res.done.error_message;
    std::vector<std::string> out;
    for (const auto& e : res.entries)
      out.push_back(e.first("uid"));
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string> expected(const dsml::Filter& f) {
    std::vector<std::string> out;
    for (const auto& e : all_) {
      if (evaluate(f, e) == Truth::kTrue)
        out.push_back(e.first("uid"));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(HpdSubstringTest, IndexedSearchesFindWhatTheFilterMatches) {
  const std::vector<dsml::Filter> cases = {
      substrings_filter("cn", std::nullopt, {"yama"}, std::nullopt),
      substrings_filter("CN", "yama", {}, std::nullopt),
      substrings_filter("cn", std::nullopt, {}, "ro"),
      substrings_filter("cn", "s", {"ki"}, "ichiro"),  // collapsed double space
      substrings_filter("cn", std::nullopt, {"o'brien mary (dr."}, std::nullopt),  // punctuation
      substrings_filter("displayName", std::nullopt, {"山"}, std::nullopt),
      substrings_filter("displayName", "山田", {}, std::nullopt),
      substrings_filter("displayName", std::nullopt, {"中"}, "子"),
      substrings_filter("displayName", std::nullopt, {"ブライ"}, std::nullopt),
      substrings_filter("sn", std::nullopt, {"yama"}, std::nullopt),
      substrings_filter("cn", std::nullopt, {"taro yama"}, std::nullopt),  // not across values
  };
  for (const auto& f : cases) {
    ASSERT_TRUE(required_substring_pattern(f));
    EXPECT_EQ(search(f), expected(f))
        << f.attribute << " " << f.initial.value_or("") << "|" << (f.any.empty() ? "" : f.any[0])
        << "|" << f.final_part.value_or("");
  }
  EXPECT_EQ(search(substrings_filter("cn", std::nullopt, {"yama"}, std::nullopt)),
            (std::vector<std::string>{"u0", "u1", "u2", "u5", "u7"}));
  EXPECT_EQ(search(substrings_filter("displayName", "山", {}, std::nullopt)),
            (std::vector<std::string>{"u0", "u7"}));
  // Inside an AND the substring still narrows; other assertions are evaluated.
  dsml::Filter both;
  both.kind = dsml::Filter::Kind::kAnd;
  both.children = {substrings_filter("cn", std::nullopt, {"yama"}, std::nullopt),
                   substrings_filter("displayName", "山", {}, std::nullopt)};
  EXPECT_EQ(search(both), (std::vector<std::string>{"u0", "u7"}));
}

TEST_F(HpdSubstringTest, WalkWindowsAndTrigramScanAgreeWithTheFilter) {
  // After the eight people, 60 entries in DN order (uid w000...) that all match "walker" and
  // rarely "number 1": a search walks dense windows, then finds the pattern rare and takes
  // the rest through the trigram index.
  for (int i = 0; i < 60; ++i) {
    char uid[8];
    std::snprintf(uid, sizeof uid, "w%03d", i);
    auto e = person(uid, "Walker Number " + std::to_string(i), "歩行 " + std::to_string(i));
    ASSERT_EQ(service_.add({"", e}, feeder_).code, ResultCode::kSuccess);
    all_.push_back(e);
  }
  HpdService windows(
      *pool_,
      HpdSettings{.substring_walk = {.first_window = 4, .max_window = 16, .density = 0.25}});
  const std::vector<dsml::Filter> cases = {
      substrings_filter("cn", std::nullopt, {"yama"}, std::nullopt),
      substrings_filter("cn", std::nullopt, {"walker"}, std::nullopt),
      substrings_filter("cn", std::nullopt, {"number 1"}, std::nullopt),
      substrings_filter("cn", std::nullopt, {"er 5"}, "9"),
      substrings_filter("displayName", "歩行", {}, "7"),
      substrings_filter("displayName", std::nullopt, {"山"}, std::nullopt),
      substrings_filter("cn", std::nullopt, {"nobody"}, std::nullopt),
  };
  for (const auto& f : cases)
    EXPECT_EQ(search(f, &windows), expected(f)) << (f.any.empty() ? "" : f.any[0]);
  // With a size limit the answer is the first entries in DN order, whichever way they came.
  for (std::uint32_t n : {1u, 3u, 7u, 20u}) {
    for (const auto& f : cases) {
      dsml::SearchRequest r;
      r.dn = std::string(kDefaultBaseDn);
      r.filter = f;
      r.size_limit = n;
      const auto res = windows.search(r);
      auto want = expected(f);
      const bool more = want.size() > n;
      if (more)
        want.resize(n);
      std::vector<std::string> got;
      for (const auto& e : res.entries)
        got.push_back(e.first("uid"));
      EXPECT_EQ(got, want) << n << " " << (f.any.empty() ? "" : f.any[0]);
      EXPECT_EQ(res.done.code, more ? ResultCode::kSizeLimitExceeded : ResultCode::kSuccess);
    }
  }
}

TEST_F(HpdSubstringTest, RowsOfTheOlderFormatAreReindexedAtStart) {
  pg::transact(*pool_, [](pg::Tx& tx) {
    tx.exec_trusted("UPDATE hpd_entries SET substr = '', index_version = 0");
  });
  const auto f = substrings_filter("cn", std::nullopt, {"yama"}, std::nullopt);
  EXPECT_TRUE(search(f).empty());  // the index is what narrows: nothing indexed, nothing found
  EXPECT_EQ(service_.refresh_indexes(), all_.size());
  EXPECT_EQ(search(f), expected(f));
  EXPECT_EQ(service_.refresh_indexes(), 0u);
}

TEST_F(HpdSubstringTest, RowsOfIndexVersionOneGetTheTypeTagsAtStart) {
  // Version 1 spelled the attribute type as a word, which today's pattern does not match.
  pg::transact(*pool_, [](pg::Tx& tx) {
    tx.exec_trusted(
        "UPDATE hpd_entries SET substr = E'\\x01displayname\\x02' || split_part(substr, "
        "E'\\x02', 2), index_version = 1");
  });
  const auto f = substrings_filter("displayName", "山", {}, std::nullopt);
  EXPECT_TRUE(search(f).empty());
  EXPECT_EQ(service_.refresh_indexes(), all_.size());
  EXPECT_EQ(search(f), expected(f));
}

TEST(HpdSubstringIndex, TypesAreSpelledWithoutLettersOrDigits) {
  dsml::Entry e;
  e.add("displayName", {"山田 1"});
  e.add("cn", {"Yamada Taro"});
  const auto text = substring_index_text(e);
  // Letters and digits come from the values only.
  std::string alnum;
  for (const char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      alnum.push_back(c);
  }
  EXPECT_EQ(alnum.find("display"), std::string::npos);
  EXPECT_NE(text.find("yamada taro"), std::string::npos);
  // Two types, two different tags.
  const auto cn = required_substring_pattern(substrings_filter("cn", "y", {}, std::nullopt));
  const auto sn = required_substring_pattern(substrings_filter("sn", "y", {}, std::nullopt));
  ASSERT_TRUE(cn && sn);
  EXPECT_NE(*cn, *sn);
}

}  // namespace
}  // namespace hareyaka::hpd
