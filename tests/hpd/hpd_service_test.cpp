#include "hpd/hpd_service.hpp"

#include <gtest/gtest.h>

#include "hpd/hpd_filter.hpp"
#include "hpd/migrations.hpp"
#include "hpd/pg_directory_store.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::hpd {
namespace {

using dsml::ResultCode;

dsml::Filter eq(const std::string& a, const std::string& v) {
  dsml::Filter f;
  f.kind = dsml::Filter::Kind::kEqualityMatch;
  f.attribute = a;
  f.value = v;
  return f;
}

class HpdServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&migrations()});
  PgDirectoryStore directory_{*pool_};
  std::vector<HpdChange> changes_;
  HpdService service_{*pool_, HpdSettings{}, [this](pg::Tx&, const HpdChange& c, const HpdCaller&) {
                        changes_.push_back(c);
                      }};
  HpdCaller feeder_{.name = "CN=secretariat", .may_feed = true};
  DitSettings dit_;

  dsml::LdapResult add(const dsml::Entry& e) { return service_.add({"", e}, feeder_); }

  std::vector<std::string> find(dsml::Filter f, dsml::Scope scope = dsml::Scope::kWholeSubtree,
                                std::string base = std::string(kDefaultBaseDn)) {
    dsml::SearchRequest r;
    r.dn = std::move(base);
    r.scope = scope;
    r.filter = std::move(f);
    auto res = service_.search(r);
    EXPECT_EQ(res.done.code, ResultCode::kSuccess) << res.done.error_message;
    std::vector<std::string> out;
    for (const auto& e : res.entries)
      out.push_back(e.first("uid"));
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(HpdServiceTest, DirectoryEntitiesRoundTripThroughTheirEntries) {
  auto f = testing::make_facility(1001, FacilityKind::kPharmacy, false, true);
  ASSERT_EQ(add(facility_to_entry(dit_, f)).code, ResultCode::kSuccess);
  auto got = directory_.find_facility(f.oid);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->kind, FacilityKind::kPharmacy);
  EXPECT_EQ(got->name_kanji, f.name_kanji);

  auto u = testing::make_user("ph.tanaka", f.oid, Profession::kPharmacist);
  u.hpki = {"CN=HPKI CA,C=JP", "0A1B", "CN=Tanaka,C=JP"};
  u.password_hash = "$argon2id$secret";
  const auto entry = user_to_entry(dit_, u);
  for (const auto& a : entry.attrs)
    EXPECT_EQ(a.name.find("assword"), std::string::npos);
  ASSERT_EQ(add(entry).code, ResultCode::kSuccess);
  auto user = directory_.find_user_by_login("ph.tanaka");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->profession, Profession::kPharmacist);
  EXPECT_EQ(user->hpki.serial, "0A1B");
  EXPECT_EQ(user->hpki.subject, "CN=Tanaka,C=JP");
  EXPECT_TRUE(user->password_hash.empty());

  ASSERT_EQ(add(relationship_to_entry(dit_, f.oid, {})).code, ResultCode::kSuccess);
  auto m = membership_change(dit_, u, dsml::ModOp::kAdd);
  ASSERT_EQ(service_.modify(m, feeder_).code, ResultCode::kSuccess);
  dsml::SearchRequest r;
  r.dn = relationship_dn(dit_, f.oid);
  r.scope = dsml::Scope::kBaseObject;
  r.filter = eq("member", user_dn(dit_, "PH.TANAKA"));  // caseIgnoreMatch
  EXPECT_EQ(service_.search(r).entries.size(), 1u);
  EXPECT_EQ(changes_.size(), 4u);
  EXPECT_EQ(changes_[1].login_id, "ph.tanaka");
  EXPECT_EQ(changes_[0].facility_oid, f.oid);
}

TEST_F(HpdServiceTest, ModifyOperationsAndTheirErrors) {
  auto f = testing::make_facility(1002, FacilityKind::kClinic, false, true);
  ASSERT_EQ(add(facility_to_entry(dit_, f)).code, ResultCode::kSuccess);
  const auto dn = facility_dn(dit_, f.oid);
  auto mod = [&](std::vector<dsml::Modification> mods) {
    return service_.modify({"", dn, std::move(mods)}, feeder_);
  };
  EXPECT_EQ(mod({{dsml::ModOp::kAdd, "telephoneNumber", {"086-000-0000"}}}).code,
            ResultCode::kSuccess);
  EXPECT_EQ(mod({{dsml::ModOp::kAdd, "telephoneNumber", {"086-000-0000"}}}).code,
            ResultCode::kAttributeOrValueExists);
  EXPECT_EQ(mod({{dsml::ModOp::kDelete, "mail", {}}}).code, ResultCode::kNoSuchAttribute);
  EXPECT_EQ(mod({{dsml::ModOp::kAdd, "shoeSize", {"42"}}}).code,
            ResultCode::kUndefinedAttributeType);
  EXPECT_EQ(mod({{dsml::ModOp::kDelete, "uid", {}}}).code, ResultCode::kNotAllowedOnRdn);
  EXPECT_EQ(mod({{dsml::ModOp::kReplace, "objectClass", {"top", "groupOfNames"}}}).code,
            ResultCode::kObjectClassModsProhibited);
  EXPECT_EQ(mod({{dsml::ModOp::kAdd, "objectClass", {"hcSpaceship"}}}).code,
            ResultCode::kObjectClassViolation);
  // businessCategory changes the facility kind; a bad one changes nothing.
  EXPECT_EQ(mod({{dsml::ModOp::kReplace, "businessCategory", {"spaceport"}}}).code,
            ResultCode::kInvalidAttributeSyntax);
  EXPECT_EQ(directory_.find_facility(f.oid)->kind, FacilityKind::kClinic);
  EXPECT_EQ(mod({{dsml::ModOp::kReplace, "businessCategory", {"病院"}},
                 {dsml::ModOp::kReplace, "hcRegisteredName", {"晴れ病院"}}})
                .code,
            ResultCode::kSuccess);
  EXPECT_EQ(directory_.find_facility(f.oid)->kind, FacilityKind::kHospital);
  EXPECT_EQ(directory_.find_facility(f.oid)->name_kanji, "晴れ病院");
  EXPECT_EQ(
      service_.modify({"", "uid=nobody,ou=HCProfessional,dc=HPD,o=Hareyaka,c=JP", {}}, feeder_)
          .code,
      ResultCode::kNoSuchObject);
}

TEST_F(HpdServiceTest, BatchOnErrorExitStopsAndResumeContinues) {
  dsml::BatchRequest b;
  auto f1 = testing::make_facility(1003, FacilityKind::kClinic, false, true);
  auto f2 = testing::make_facility(1004, FacilityKind::kClinic, false, true);
  b.requests.push_back(dsml::AddRequest{"1", facility_to_entry(dit_, f1)});
  b.requests.push_back(dsml::AddRequest{"2", facility_to_entry(dit_, f1)});  // exists
  b.requests.push_back(dsml::AddRequest{"3", facility_to_entry(dit_, f2)});
  auto exit = service_.process(b, feeder_, HpdTransaction::kFeed);
  ASSERT_EQ(exit.responses.size(), 2u);
  EXPECT_EQ(std::get<dsml::OperationResponse>(exit.responses[1]).result.code,
            ResultCode::kEntryAlreadyExists);
  EXPECT_FALSE(directory_.find_facility(f2.oid));
  b.on_error = dsml::OnError::kResume;
  auto resume = service_.process(b, feeder_, HpdTransaction::kFeed);
  ASSERT_EQ(resume.responses.size(), 3u);
  EXPECT_EQ(std::get<dsml::OperationResponse>(resume.responses[2]).result.code,
            ResultCode::kSuccess);
  EXPECT_TRUE(directory_.find_facility(f2.oid));
  // A query carries no writes; a caller that may not feed cannot write.
  auto query = service_.process(b, feeder_, HpdTransaction::kQuery);
  EXPECT_EQ(std::get<dsml::OperationResponse>(query.responses[0]).result.code,
            ResultCode::kUnwillingToPerform);
  auto stranger = service_.process(b, HpdCaller{.name = "CN=gw"}, HpdTransaction::kFeed);
  EXPECT_EQ(std::get<dsml::OperationResponse>(stranger.responses[0]).result.code,
            ResultCode::kInsufficientAccessRights);
}

TEST_F(HpdServiceTest, ModDnRenamesAndMovesWithinTheContainer) {
  auto f = testing::make_facility(1005, FacilityKind::kClinic, false, true);
  ASSERT_EQ(add(facility_to_entry(dit_, f)).code, ResultCode::kSuccess);
  auto u = testing::make_user("dr.ito", f.oid, Profession::kDoctor);
  ASSERT_EQ(add(user_to_entry(dit_, u)).code, ResultCode::kSuccess);
  const std::string users = "ou=HCProfessional," + std::string(kDefaultBaseDn);
  EXPECT_EQ(
      service_.mod_dn({"", user_dn(dit_, "dr.ito"), "uid=ito-2", true, std::nullopt}, feeder_).code,
      ResultCode::kSuccess);
  EXPECT_EQ(find(eq("uid", "dr.ito")), std::vector<std::string>{});
  EXPECT_EQ(find(eq("uid", "ito-2")), std::vector<std::string>{"ito-2"});
  // Into the wrong container: a professional is not an organization.
  EXPECT_EQ(service_
                .mod_dn({"", "uid=ito-2," + users, "uid=ito-3", true,
                         "ou=HCRegulatedOrganization," + std::string(kDefaultBaseDn)},
                        feeder_)
                .code,
            ResultCode::kNamingViolation);
  EXPECT_EQ(service_.mod_dn({"", "uid=ghost," + users, "uid=x", true, std::nullopt}, feeder_).code,
            ResultCode::kNoSuchObject);
  // Deleting a container is refused.
  EXPECT_EQ(service_.del({"", users}, feeder_).code, ResultCode::kNotAllowedOnNonLeaf);
}

TEST_F(HpdServiceTest, SizeLimitAndServerLimit) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(add(facility_to_entry(
                      dit_, testing::make_facility(2000 + i, FacilityKind::kClinic, false, true)))
                  .code,
              ResultCode::kSuccess);
  }
  dsml::SearchRequest r;
  r.dn = std::string(kDefaultBaseDn);
  r.filter = eq("objectClass", "hcRegulatedOrganization");
  EXPECT_EQ(service_.search(r).entries.size(), 7u);
  r.size_limit = 7;
  EXPECT_EQ(service_.search(r).done.code, ResultCode::kSuccess);
  r.size_limit = 6;
  auto six = service_.search(r);
  EXPECT_EQ(six.entries.size(), 6u);
  EXPECT_EQ(six.done.code, ResultCode::kSizeLimitExceeded);
  HpdService small(*pool_, HpdSettings{.max_results = 3});
  r.size_limit = 0;
  EXPECT_EQ(small.search(r).entries.size(), 3u);
  EXPECT_EQ(small.search(r).done.code, ResultCode::kSizeLimitExceeded);
}

TEST_F(HpdServiceTest, TimeLimitStopsTheSearchWithTheEntriesFoundSoFar) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(add(facility_to_entry(
                      dit_, testing::make_facility(2100 + i, FacilityKind::kClinic, false, true)))
                  .code,
              ResultCode::kSuccess);
  }
  // A clock that moves one second each time the search looks at it.
  auto t = std::chrono::steady_clock::time_point{};
  auto ticking = [&t] { return t += std::chrono::seconds(1); };
  dsml::SearchRequest r;
  r.dn = std::string(kDefaultBaseDn);
  r.filter = eq("objectClass", "hcRegulatedOrganization");
  HpdService clocked(*pool_, HpdSettings{.clock = ticking});
  r.time_limit = 5;
  auto part = clocked.search(r);
  EXPECT_EQ(part.done.code, ResultCode::kTimeLimitExceeded);
  EXPECT_NE(part.done.error_message.find("time limit (5 s)"), std::string::npos);
  EXPECT_GT(part.entries.size(), 0u);
  EXPECT_LT(part.entries.size(), 7u);
  EXPECT_NE(part.done.error_message.find(std::to_string(part.entries.size()) + " entries"),
            std::string::npos);
  // The entries found are the first ones, each whole.
  for (const auto& e : part.entries)
    EXPECT_FALSE(e.first("uid").empty());
  // No client limit: the server's applies.
  r.time_limit = 0;
  HpdService bounded(*pool_, HpdSettings{.max_time = std::chrono::seconds(3), .clock = ticking});
  auto server = bounded.search(r);
  EXPECT_EQ(server.done.code, ResultCode::kTimeLimitExceeded);
  EXPECT_LT(server.entries.size(), part.entries.size());
  // A client limit above the server's is bounded by it.
  r.time_limit = 3600;
  EXPECT_EQ(bounded.search(r).entries.size(), server.entries.size());
  // Time to spare: every entry, success.
  r.time_limit = 100;
  auto all = clocked.search(r);
  EXPECT_EQ(all.done.code, ResultCode::kSuccess);
  EXPECT_EQ(all.entries.size(), 7u);
  // Out of time before the first statement: nothing read, still a clear answer.
  HpdService none(*pool_, HpdSettings{.max_time = std::chrono::seconds(1), .clock = ticking});
  auto nothing = none.search(r);
  EXPECT_EQ(nothing.done.code, ResultCode::kTimeLimitExceeded);
  EXPECT_TRUE(nothing.entries.empty());
}

TEST_F(HpdServiceTest, ConsoleRegisteredFacilitiesAndUsersAreFoundUnderTheOwnBase) {
  auto f = testing::make_facility(3001, FacilityKind::kHospital, false, true);
  directory_.create_facility(f);
  directory_.create_user(testing::make_user("ns.mori", f.oid, Profession::kNurse));
  directory_.create_user(testing::make_user("boss", f.oid, Profession::kSecretariatAdmin));
  EXPECT_EQ(find(eq("objectClass", "HCProfessional")), std::vector<std::string>{"ns.mori"});
  EXPECT_EQ(find(eq("hcIdentifier", dit_.network_root + ":FacilityOID:" + f.oid + ":Active")),
            std::vector<std::string>{f.oid});
  dsml::SearchRequest r;
  r.dn = user_dn(dit_, "ns.mori");
  r.scope = dsml::Scope::kBaseObject;
  r.filter.kind = dsml::Filter::Kind::kPresent;
  r.filter.attribute = "objectClass";
  auto one = service_.search(r);
  ASSERT_EQ(one.entries.size(), 1u);
  EXPECT_EQ(one.entries[0].first("hcProfession"), "nurse");
  r.dn = user_dn(dit_, "boss");
  EXPECT_EQ(service_.search(r).done.code, ResultCode::kNoSuchObject);
  // The facility's relationship group lists its users (not the administrator).
  r.dn = relationship_dn(dit_, f.oid);
  auto group = service_.search(r);
  ASSERT_EQ(group.entries.size(), 1u);
  EXPECT_EQ(group.entries[0].first("owner"), facility_dn(dit_, f.oid));
  ASSERT_NE(group.entries[0].find("member"), nullptr);
  EXPECT_EQ(group.entries[0].find("member")->values,
            std::vector<std::string>{user_dn(dit_, "ns.mori")});
  dsml::SearchRequest by_member;
  by_member.dn = "ou=Relationship," + std::string(kDefaultBaseDn);
  by_member.scope = dsml::Scope::kSingleLevel;
  by_member.filter = eq("member", user_dn(dit_, "ns.mori"));
  EXPECT_EQ(service_.search(by_member).entries.size(), 1u);
  // Not under another suffix, and not twice once an ITI-59 entry is bound to the facility.
  HpdService other(*pool_, HpdSettings{.extra_base_dns = {"o=Other,c=JP"}});
  dsml::SearchRequest all;
  all.dn = "o=Other,c=JP";
  all.filter = r.filter;
  EXPECT_TRUE(other.search(all).entries.empty());
  all.dn = std::string(kDefaultBaseDn);
  EXPECT_EQ(other.search(all).entries.size(), 3u);  // facility, user, group
  auto fed = facility_to_entry(dit_, f);
  fed.add("telephoneNumber", {"086-000-0000"});
  ASSERT_EQ(add(fed).code, ResultCode::kSuccess);
  auto orgs = find(eq("objectClass", "HCRegulatedOrganization"));
  EXPECT_EQ(orgs, std::vector<std::string>{f.oid});
  EXPECT_EQ(find(eq("telephoneNumber", "086-000-0000")), std::vector<std::string>{f.oid});
}

TEST_F(HpdServiceTest, CompareMatchesAsSearchFiltersDo) {
  auto f = testing::make_facility(4001, FacilityKind::kHospital, false, true);
  ASSERT_EQ(add(facility_to_entry(dit_, f)).code, ResultCode::kSuccess);
  const auto dn = facility_dn(dit_, f.oid);
  auto compare = [&](std::string dn, std::string attr, std::string value) {
    return service_.compare({"c", std::move(dn), std::move(attr), std::move(value)});
  };
  EXPECT_EQ(compare(dn, "uid", f.oid).code, ResultCode::kCompareTrue);
  // caseIgnoreMatch with white space collapsed; objectClass by its class; options ignored.
  EXPECT_EQ(compare(dn, "BusinessCategory", std::string(to_string(f.kind))).code,
            ResultCode::kCompareTrue);
  EXPECT_EQ(compare(dn, "objectClass", "hcregulatedorganization").code, ResultCode::kCompareTrue);
  EXPECT_EQ(compare(dn, "hcRegisteredName;lang-ja", f.name_kanji).code, ResultCode::kCompareTrue);
  const auto no = compare(dn, "uid", "1.2.3");
  EXPECT_EQ(no.code, ResultCode::kCompareFalse);
  EXPECT_EQ(no.request_id, "c");
  EXPECT_EQ(compare("uid=nobody,ou=HCRegulatedOrganization," + std::string(kDefaultBaseDn), "uid",
                    "nobody")
                .code,
            ResultCode::kNoSuchObject);
  // The suffix and its containers are not entries; neither is a DN outside the directory.
  EXPECT_EQ(compare("ou=HCRegulatedOrganization," + std::string(kDefaultBaseDn), "ou",
                    "HCRegulatedOrganization")
                .code,
            ResultCode::kNoSuchObject);
  EXPECT_EQ(compare("o=Elsewhere,c=US", "o", "Elsewhere").code, ResultCode::kNoSuchObject);
  const auto undefined = compare(dn, "shoeSize", "42");
  EXPECT_EQ(undefined.code, ResultCode::kUndefinedAttributeType);
  EXPECT_NE(undefined.error_message.find("shoeSize"), std::string::npos);
  const auto missing = compare(dn, "telephoneNumber", "086-000-0000");
  EXPECT_EQ(missing.code, ResultCode::kNoSuchAttribute) << missing.error_message;
  EXPECT_EQ(compare("uid", "uid", "x").code, ResultCode::kInvalidDnSyntax);

  // A console-registered user exists only through the directory view.
  directory_.create_user(testing::make_user("ns.ueda", f.oid, Profession::kNurse));
  EXPECT_EQ(compare(user_dn(dit_, "ns.ueda"), "hcProfession", "Nurse").code,
            ResultCode::kCompareTrue);
  EXPECT_EQ(compare(user_dn(dit_, "ns.ueda"), "hcProfession", "doctor").code,
            ResultCode::kCompareFalse);
  EXPECT_EQ(compare(user_dn(dit_, "ns.ueda"), "mail", "x@example.jp").code,
            ResultCode::kNoSuchAttribute);
  EXPECT_EQ(compare(relationship_dn(dit_, f.oid), "member", user_dn(dit_, "NS.UEDA")).code,
            ResultCode::kCompareTrue);
}

TEST_F(HpdServiceTest, CompareIsAReadAnyNodeMayQuery) {
  auto f = testing::make_facility(4002, FacilityKind::kClinic, false, true);
  directory_.create_facility(f);
  auto b = dsml::parse_batch_request(
      "<batchRequest xmlns=\"urn:oasis:names:tc:DSML:2:0:core\"><compareRequest dn=\"" +
      facility_dn(dit_, f.oid) + "\" requestID=\"1\"><assertion name=\"uid\"><value>" + f.oid +
      "</value></assertion></compareRequest><compareRequest requestID=\"2\">"
      "<assertion name=\"uid\"><value>x</value></assertion></compareRequest>"
      "<compareRequest dn=\"uid=x,ou=HCProfessional,c=JP\" requestID=\"3\"><assertion "
      "name=\"uid\"><value>x</value></assertion></compareRequest></batchRequest>");
  b.on_error = dsml::OnError::kResume;
  const HpdCaller node{.name = "CN=gw"};
  auto res = service_.process(b, node, HpdTransaction::kQuery);
  ASSERT_EQ(res.responses.size(), 3u);
  const auto& one = std::get<dsml::OperationResponse>(res.responses[0]);
  EXPECT_EQ(one.operation, dsml::Operation::kCompare);
  EXPECT_EQ(one.result.code, ResultCode::kCompareTrue);
  EXPECT_EQ(one.result.request_id, "1");
  const auto& two = std::get<dsml::OperationResponse>(res.responses[1]);
  EXPECT_EQ(two.operation, dsml::Operation::kCompare);
  EXPECT_EQ(two.result.code, ResultCode::kProtocolError);  // no dn
  EXPECT_EQ(std::get<dsml::OperationResponse>(res.responses[2]).result.code,
            ResultCode::kNoSuchObject);
  // compareFalse is an answer, not an error: onError="exit" goes on.
  b.on_error = dsml::OnError::kExit;
  b.requests.erase(b.requests.begin() + 1);
  std::get<dsml::CompareRequest>(b.requests[0]).value = "1.2.3";
  auto exit = service_.process(b, node, HpdTransaction::kQuery);
  ASSERT_EQ(exit.responses.size(), 2u);
  EXPECT_EQ(std::get<dsml::OperationResponse>(exit.responses[0]).result.code,
            ResultCode::kCompareFalse);
  // A feed carries no reads.
  auto fed = service_.process(b, feeder_, HpdTransaction::kFeed);
  EXPECT_EQ(std::get<dsml::OperationResponse>(fed.responses.at(0)).result.code,
            ResultCode::kUnwillingToPerform);
}

TEST_F(HpdServiceTest, AbandonStopsALaterRequestAndIgnoresAnEarlierOne) {
  auto f = testing::make_facility(4003, FacilityKind::kClinic, false, true);
  auto g = testing::make_facility(4004, FacilityKind::kClinic, false, true);
  dsml::BatchRequest b;
  b.requests.push_back(dsml::AddRequest{"1", facility_to_entry(dit_, f)});
  b.requests.push_back(dsml::AbandonRequest{"a1", "1"});  // already done: no effect
  b.requests.push_back(dsml::AbandonRequest{"a2", "3"});
  b.requests.push_back(dsml::AddRequest{"3", facility_to_entry(dit_, g)});
  b.requests.push_back(dsml::DelRequest{"4", facility_dn(dit_, f.oid)});
  auto res = service_.process(b, feeder_, HpdTransaction::kFeed);
  ASSERT_EQ(res.responses.size(), 2u);  // neither abandonRequest nor request 3 is answered
  EXPECT_EQ(std::get<dsml::OperationResponse>(res.responses[0]).result.request_id, "1");
  EXPECT_EQ(std::get<dsml::OperationResponse>(res.responses[1]).result.request_id, "4");
  EXPECT_EQ(std::get<dsml::OperationResponse>(res.responses[1]).result.code, ResultCode::kSuccess);
  EXPECT_FALSE(directory_.find_facility(g.oid));  // request 3 was not performed
  // Abandon is neither a read nor a write: a query may carry one.
  dsml::BatchRequest q;
  q.requests.push_back(dsml::AbandonRequest{"a", "s"});
  q.requests.push_back(dsml::CompareRequest{"s", facility_dn(dit_, f.oid), "uid", f.oid});
  q.requests.push_back(dsml::CompareRequest{"t", facility_dn(dit_, g.oid), "uid", g.oid});
  auto qres = service_.process(q, HpdCaller{.name = "CN=gw"}, HpdTransaction::kQuery);
  ASSERT_EQ(qres.responses.size(), 1u);
  EXPECT_EQ(std::get<dsml::OperationResponse>(qres.responses[0]).result.request_id, "t");
  EXPECT_EQ(std::get<dsml::OperationResponse>(qres.responses[0]).result.code,
            ResultCode::kNoSuchObject);
  // An abandonRequest without abandonID is a malformed request.
  auto bad = service_.process(
      dsml::parse_batch_request("<batchRequest xmlns=\"urn:oasis:names:tc:DSML:2:0:core\">"
                                "<abandonRequest requestID=\"z\"/></batchRequest>"),
      feeder_, HpdTransaction::kQuery);
  ASSERT_EQ(bad.responses.size(), 1u);
  const auto& err = std::get<dsml::ErrorResponse>(bad.responses[0]);
  EXPECT_EQ(err.type, dsml::ErrorType::kMalformedRequest);
  EXPECT_EQ(err.request_id, "z");
  EXPECT_NE(err.message.find("abandonID"), std::string::npos);
}

TEST_F(HpdServiceTest, WhoAmIAnswersTheCallersAuthzId) {
  dsml::BatchRequest b;
  b.requests.push_back(dsml::ExtendedRequest{"w", std::string(dsml::kWhoAmIOid), std::nullopt});
  b.requests.push_back(dsml::ExtendedRequest{"u", "1.3.6.1.4.1.1466.20037", std::nullopt});
  b.requests.push_back(dsml::ExtendedRequest{"v", std::string(dsml::kWhoAmIOid), "x"});
  b.on_error = dsml::OnError::kResume;
  auto as = [&](const HpdCaller& caller, HpdTransaction t = HpdTransaction::kQuery) {
    return service_.process(b, caller, t);
  };
  auto node = as(HpdCaller{.name = "CN=gw.example.jp,O=Clinic,C=JP"});
  ASSERT_EQ(node.responses.size(), 3u);
  const auto& who = std::get<dsml::ExtendedResponse>(node.responses[0]);
  EXPECT_EQ(who.result.code, ResultCode::kSuccess);
  EXPECT_EQ(who.result.request_id, "w");
  EXPECT_FALSE(who.name);  // RFC 4532: no responseName
  EXPECT_EQ(who.value, "dn:CN=gw.example.jp,O=Clinic,C=JP");
  const auto& unknown = std::get<dsml::ExtendedResponse>(node.responses[1]);
  EXPECT_EQ(unknown.result.code, ResultCode::kProtocolError);
  EXPECT_NE(unknown.result.error_message.find("1.3.6.1.4.1.1466.20037"), std::string::npos);
  EXPECT_FALSE(unknown.name);
  EXPECT_FALSE(unknown.value);
  EXPECT_EQ(std::get<dsml::ExtendedResponse>(node.responses[2]).result.code,
            ResultCode::kProtocolError);
  auto user = as(HpdCaller{.name = "dr.ito", .may_feed = true, .kind = HpdCallerKind::kUser},
                 HpdTransaction::kFeed);
  EXPECT_EQ(std::get<dsml::ExtendedResponse>(user.responses.at(0)).value, "u:dr.ito");
  EXPECT_EQ(authz_id(HpdCaller{}), "");  // anonymous
  // onError="exit" stops at the unknown operation.
  b.on_error = dsml::OnError::kExit;
  EXPECT_EQ(as(HpdCaller{.name = "CN=gw"}).responses.size(), 2u);
}

TEST(HpdFilter, ThreeValuedLogicAndMatchingRules) {
  dsml::Entry e;
  e.add("objectClass", {"hcRegulatedOrganizationl", "top"});
  e.add("cn", {"  Nowhere   General Hospital "});
  e.add("telephoneNumber", {"086 123"});
  EXPECT_EQ(evaluate(eq("objectclass", "HCRegulatedOrganization"), e), Truth::kTrue);
  EXPECT_EQ(evaluate(eq("CN", "nowhere general hospital"), e), Truth::kTrue);
  EXPECT_EQ(evaluate(eq("shoeSize", "1"), e), Truth::kUndefined);
  dsml::Filter n;
  n.kind = dsml::Filter::Kind::kNot;
  n.children = {eq("shoeSize", "1")};
  EXPECT_EQ(evaluate(n, e), Truth::kUndefined);
  dsml::Filter o;
  o.kind = dsml::Filter::Kind::kOr;
  o.children = {eq("shoeSize", "1"), eq("cn", "nowhere general hospital")};
  EXPECT_EQ(evaluate(o, e), Truth::kTrue);
  dsml::Filter approx = eq("telephoneNumber", "086123");
  approx.kind = dsml::Filter::Kind::kApproxMatch;
  EXPECT_EQ(evaluate(approx, e), Truth::kTrue);
  dsml::Filter ge = eq("cn", "nowhere");
  ge.kind = dsml::Filter::Kind::kGreaterOrEqual;
  EXPECT_EQ(evaluate(ge, e), Truth::kTrue);
  ge.kind = dsml::Filter::Kind::kLessOrEqual;
  EXPECT_EQ(evaluate(ge, e), Truth::kFalse);
  dsml::Filter sub;
  sub.kind = dsml::Filter::Kind::kSubstrings;
  sub.attribute = "cn";
  sub.initial = "now";
  sub.any = {"general"};
  sub.final_part = "HOSPITAL";
  EXPECT_EQ(evaluate(sub, e), Truth::kTrue);
  sub.any = {"hospital"};
  EXPECT_EQ(evaluate(sub, e), Truth::kFalse);  // "any" may not overlap "final"
  auto only_cn = select_attributes(e, {"CN"}, false);
  ASSERT_EQ(only_cn.attrs.size(), 1u);
  EXPECT_TRUE(select_attributes(e, {"1.1"}, false).attrs.empty());
  EXPECT_TRUE(select_attributes(e, {}, true).attrs.at(0).values.empty());
}

// The facility data manager (#17): a profession of its own, granted by the secretariat only:
// never created through HPD, and not listed in the provider directory once registered.
TEST_F(HpdServiceTest, ADataManagerIsNeitherFedNorListed) {
  EXPECT_EQ(parse_profession("data_manager"), Profession::kDataManager);
  EXPECT_EQ(to_string(Profession::kDataManager), "data_manager");
  for (auto p : kAllProfessions)
    EXPECT_EQ(parse_profession(to_string(p)), p) << to_string(p);
  EXPECT_TRUE(is_console_only(Profession::kDataManager));
  EXPECT_FALSE(is_console_only(Profession::kPharmacist));
  auto f = testing::make_facility(5101, FacilityKind::kPharmacy, true, false);
  ASSERT_EQ(add(facility_to_entry(dit_, f)).code, ResultCode::kSuccess);
  auto u = testing::make_user("dm.hosted", f.oid, Profession::kDataManager);
  EXPECT_EQ(add(user_to_entry(dit_, u)).code, ResultCode::kUnwillingToPerform);
  EXPECT_FALSE(directory_.find_user_by_login("dm.hosted"));
  // Registered by the secretariat (the users table's check constraint knows the profession).
  directory_.create_user(u);
  auto held = directory_.find_user_by_login("dm.hosted");
  ASSERT_TRUE(held);
  EXPECT_EQ(held->profession, Profession::kDataManager);
  EXPECT_EQ(find(eq("uid", "dm.hosted")), std::vector<std::string>{});
  // And HPD cannot change it afterwards either.
  EXPECT_EQ(add(user_to_entry(dit_, u)).code, ResultCode::kUnwillingToPerform);
}

}  // namespace
}  // namespace hareyaka::hpd
