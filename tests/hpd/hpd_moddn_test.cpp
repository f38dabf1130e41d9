// modDNRequest keeps references whole: member, owner, memberOf and seeAlso values naming the
// renamed entry (in any spelling of its DN) name the new DN, each rewritten entry reported as
// a modify change; other values and other entries stay as they were.
#include <gtest/gtest.h>

#include "hpd/hpd_filter.hpp"
#include "hpd/hpd_service.hpp"
#include "hpd/migrations.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::hpd {
namespace {

using dsml::ResultCode;

const std::string kSuffix(kDefaultBaseDn);

dsml::Entry person(const std::string& uid) {
  dsml::Entry e;
  e.dn = "uid=" + uid + ",ou=HCProfessional," + kSuffix;
  e.add("objectClass", {"top", "person", "inetOrgPerson", "HCProfessional"});
  e.add("uid", {uid});
  e.add("cn", {"Person " + uid});
  e.add("sn", {"Person"});
  e.add("hcIdentifier", {"1.2.392.200284.33.1001:staff:" + uid + ":Active"});
  return e;
}

dsml::Entry group(const std::string& cn, std::vector<std::string> members) {
  dsml::Entry e;
  e.dn = "cn=" + cn + ",ou=Relationship," + kSuffix;
  e.add("objectClass", {"top", "groupOfNames"});
  e.add("cn", {cn});
  e.add("member", std::move(members));
  return e;
}

class HpdModDnTest : public ::testing::Test {
 protected:
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&migrations()});
  std::vector<HpdChange> changes_;
  HpdService service_{*pool_, HpdSettings{}, [this](pg::Tx&, const HpdChange& c, const HpdCaller&) {
                        changes_.push_back(c);
                      }};
  HpdCaller feeder_{.name = "CN=secretariat", .may_feed = true};

  std::vector<std::string> values(const std::string& dn, const std::string& attribute) {
    dsml::SearchRequest r;
    r.dn = dn;
    r.scope = dsml::Scope::kBaseObject;
    r.filter.kind = dsml::Filter::Kind::kPresent;
    r.filter.attribute = "objectClass";
    auto res = service_.search(r);
    EXPECT_EQ(res.entries.size(), 1u) << dn;
    if (res.entries.empty())
      return {};
    const auto* a = res.entries[0].find(attribute);
    return a ? a->values : std::vector<std::string>{};
  }
};

TEST_F(HpdModDnTest, ReferencesFollowTheRenamedEntry) {
  for (const auto* uid : {"alice", "bob"})
    ASSERT_EQ(service_.add({"", person(uid)}, feeder_).code, ResultCode::kSuccess);
  const std::string alice = "uid=alice,ou=HCProfessional," + kSuffix;
  const std::string bob = "uid=bob,ou=HCProfessional," + kSuffix;
  // The same DN spelled differently (case, spaces) still names alice.
  const std::string alice_spelled = "UID=alice, OU=hcprofessional, dc=hpd, o=Hareyaka, c=JP";
  ASSERT_EQ(service_.add({"", group("ward-1", {alice_spelled, bob})}, feeder_).code,
            ResultCode::kSuccess);
  ASSERT_EQ(service_.add({"", group("ward-2", {bob})}, feeder_).code, ResultCode::kSuccess);
  auto owned = group("team", {bob});
  owned.add("owner", {alice});
  ASSERT_EQ(service_.add({"", owned}, feeder_).code, ResultCode::kSuccess);

  // Equality on a DN attribute is distinguishedNameMatch.
  dsml::Filter member;
  member.kind = dsml::Filter::Kind::kEqualityMatch;
  member.attribute = "member";
  member.value = alice;
  dsml::SearchRequest by_member{.dn = kSuffix, .filter = member};
  EXPECT_EQ(service_.search(by_member).entries.size(), 1u);

  changes_.clear();
  dsml::ModDnRequest rename{.dn = alice, .new_rdn = "uid=alice2"};
  ASSERT_EQ(service_.mod_dn(rename, feeder_).code, ResultCode::kSuccess);
  const std::string alice2 = "uid=alice2,ou=HCProfessional," + kSuffix;
  EXPECT_EQ(values("cn=ward-1,ou=Relationship," + kSuffix, "member"),
            (std::vector<std::string>{alice2, bob}));
  EXPECT_EQ(values("cn=team,ou=Relationship," + kSuffix, "owner"),
            (std::vector<std::string>{alice2}));
  EXPECT_EQ(values("cn=ward-2,ou=Relationship," + kSuffix, "member"),
            (std::vector<std::string>{bob}));
  // The modDN itself, then one modify per rewritten entry (ward-2 untouched).
  ASSERT_EQ(changes_.size(), 3u);
  EXPECT_EQ(changes_[0].operation, dsml::Operation::kModDn);
  EXPECT_EQ(changes_[1].operation, dsml::Operation::kModify);
  EXPECT_EQ(changes_[2].operation, dsml::Operation::kModify);
  member.value = alice;
  EXPECT_TRUE(service_.search({.dn = kSuffix, .filter = member}).entries.empty());
  member.value = alice2;
  EXPECT_EQ(service_.search({.dn = kSuffix, .filter = member}).entries.size(), 1u);

  // A failed modDN (the target exists) rewrites nothing.
  changes_.clear();
  dsml::ModDnRequest clash{.dn = bob, .new_rdn = "uid=alice2"};
  EXPECT_EQ(service_.mod_dn(clash, feeder_).code, ResultCode::kEntryAlreadyExists);
  EXPECT_TRUE(changes_.empty());
  EXPECT_EQ(values("cn=ward-2,ou=Relationship," + kSuffix, "member"),
            (std::vector<std::string>{bob}));
}

}  // namespace
}  // namespace hareyaka::hpd
