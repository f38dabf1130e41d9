// The care team's shared record (issue #18) through the real portal: a team of seven members
// from seven facilities (a care manager, whose facility may see the person, founds it; a
// doctor, a visiting nurse, a pharmacist, a home helper, a physical therapist and a family
// reader join from facilities the patient gave no viewer consent to: the team consent
// governs), invitations and their acceptance, SOAP and text posts with mentions, the
// four-column filter and keyset paging, read receipts, a correction that keeps the earlier
// version as superseded; refusals with their codes for a non-member, a pending invitee, a
// member who left, a removed member, a member whose facility is suspended, every member after
// the consent's withdrawal, and a read-only family member's writes; every request on record in
// the audit chain, which still verifies; the answers validate against docs/openapi/portal.yaml.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "tests/integration/care_team_support.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::matrix;
using testing::net;

using Team = testing::CareTeamClient;

std::string login_of(const std::string& kind, const std::string& state, const std::string& prof) {
  return testing::care_login(kind, state, prof);
}

const std::string kManager = login_of("care_facility", "given", "care_manager");
const std::string kDoctor = login_of("clinic", "none", "doctor");
const std::string kNurse = login_of("home_visit_nursing", "none", "nurse");
const std::string kPharmacist = login_of("pharmacy", "none", "pharmacist");
const std::string kHelper = login_of("care_facility", "none", "clerk");
const std::string kTherapist = login_of("hospital", "none", "therapist");
const std::string kFamily = login_of("dental_clinic", "none", "clerk");
const std::string kOutsider = login_of("clinic", "given", "doctor");

std::string code_of(const http::ClientResponse& r) {
  return testing::care_code_of(r);
}

std::int64_t audit_count(const std::string& login, const std::string& outcome,
                         const std::string& reason) {
  return testing::care_audit_count(login, outcome, reason);
}

TEST(CareTeam, AManagerFoundsTheTeamAndSixMembersFromSixOtherFacilitiesJoin) {
  Team& t = Team::get();
  // Before there is a team, nobody is a member.
  EXPECT_EQ(code_of(t.call(kManager, "GET", "")), "not_a_care_team_member");
  // A facility that may not see the person cannot found its team.
  EXPECT_EQ(t.call(kDoctor, "POST", "", "",
                   {{"care_profession", "doctor"}, {"consent", {{"reader_allowed", true}}}})
                .status,
            404);
  // A care manager is no doctor.
  EXPECT_EQ(
      t.call(kManager, "POST", "", "", {{"care_profession", "doctor"}, {"consent", json::object()}})
          .status,
      422);
  auto created = t.call(kManager, "POST", "", "",
                        {{"care_profession", "care_manager"},
                         {"consent", {{"document_ref", "CARE-FORM-1"}, {"reader_allowed", true}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  json team = body_of(created);
  EXPECT_EQ(team["person_id"], matrix().person_id);
  EXPECT_TRUE(team["consent"]["in_force"].get<bool>());
  ASSERT_EQ(team["members"].size(), 1u);
  EXPECT_EQ(team["members"][0]["care_profession_name"], "ケアマネジャー");
  EXPECT_EQ(team["members"][0]["column"], "care");
  t.member_id[kManager] = team["members"][0]["member_id"];
  EXPECT_EQ(t.call(kManager, "POST", "", "",
                   {{"care_profession", "care_manager"}, {"consent", json::object()}})
                .status,
            409);

  // A profession the directory does not give the user is refused.
  auto wrong = t.call(kManager, "POST", "/invitations", "",
                      {{"login_id", kNurse}, {"care_profession", "doctor"}});
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_EQ(t.call(kManager, "POST", "/invitations", "",
                   {{"login_id", "no-such-user"}, {"care_profession", "nurse"}})
                .status,
            422);
  const std::vector<std::pair<std::string, std::string>> invitees = {
      {kDoctor, "doctor"},
      {kNurse, "nurse"},
      {kPharmacist, "pharmacist"},
      {kHelper, "home_helper"},
      {kTherapist, "physical_therapist"},
      {kFamily, "family"}};
  for (const auto& [login, prof] : invitees) {
    auto r = t.call(kManager, "POST", "/invitations", "",
                    {{"login_id", login}, {"care_profession", prof}});
    ASSERT_EQ(r.status, 201) << login << ": " << r.body;
    t.member_id[login] = body_of(r)["member_id"];
  }
  EXPECT_EQ(t.call(kManager, "POST", "/invitations", "",
                   {{"login_id", kNurse}, {"care_profession", "nurse"}})
                .status,
            409);
  // An invitation declined is no membership; the user may be invited again.
  const std::string decliner = login_of("pharmacy", "none", "nurse");
  ASSERT_EQ(t.call(kManager, "POST", "/invitations", "",
                   {{"login_id", decliner}, {"care_profession", "nurse"}})
                .status,
            201);
  EXPECT_EQ(t.call(decliner, "POST", "/decline").status, 204);
  EXPECT_EQ(code_of(t.call(decliner, "GET", "")), "not_a_care_team_member");
  EXPECT_EQ(t.call(decliner, "POST", "/accept").status, 403);
  // An invitee sees nothing until they accept.
  EXPECT_EQ(code_of(t.call(kDoctor, "GET", "")), "invitation_not_accepted");
  EXPECT_EQ(code_of(t.call(kDoctor, "GET", "/posts")), "invitation_not_accepted");
  for (const auto& [login, prof] : invitees) {
    auto r = t.call(login, "POST", "/accept");
    ASSERT_EQ(r.status, 200) << login << ": " << r.body;
  }
  EXPECT_EQ(t.call(kDoctor, "POST", "/accept").status, 409);
  auto now = t.call(kDoctor, "GET", "");
  ASSERT_EQ(now.status, 200) << now.body;
  team = body_of(now);
  EXPECT_EQ(team["members"].size(), 8u);
  std::set<std::string> facilities, columns;
  for (const auto& m : team["members"]) {
    if (m["login_id"] == decliner) {
      EXPECT_EQ(m["status"], "declined");
      continue;
    }
    EXPECT_EQ(m["status"], "active") << m.dump();
    facilities.insert(m["facility_oid"].get<std::string>());
    columns.insert(m["column"].get<std::string>());
  }
  EXPECT_EQ(facilities.size(), 7u);
  EXPECT_EQ(columns, (std::set<std::string>{"medical", "nursing", "pharmacy", "care", "none"}));
  EXPECT_EQ(team["me"]["care_profession"], "doctor");
  EXPECT_TRUE(body_of(t.call(kFamily, "GET", ""))["me"]["read_only"].get<bool>());
}

TEST(CareTeam, MembersPostReadAndCorrectAndTheEarlierVersionStays) {
  Team& t = Team::get();
  auto soap = t.call(kNurse, "POST", "/posts", "",
                     {{"kind", "soap"},
                      {"subjective", "夜間よく眠れたとのこと"},
                      {"objective", "BP 128/76, SpO2 97%"},
                      {"assessment", "状態安定"},
                      {"plan", "次回訪問で服薬確認"},
                      {"mentions", {t.member_id[kDoctor], t.member_id[kPharmacist]}}});
  ASSERT_EQ(soap.status, 201) << soap.body;
  const json post = body_of(soap);
  const std::string nurse_post = post["post_id"];
  EXPECT_EQ(post["column"], "nursing");
  EXPECT_EQ(post["version"], 1);
  EXPECT_EQ(post["mentions"], (json{t.member_id[kDoctor], t.member_id[kPharmacist]}));
  EXPECT_FALSE(post["mentions_me"].get<bool>());  // the nurse wrote it
  EXPECT_TRUE(
      body_of(t.call(kDoctor, "GET", "/posts/{post_id}", "/posts/" + nurse_post))["mentions_me"]
          .get<bool>());
  auto text =
      t.call(kPharmacist, "POST", "/posts", "", {{"body", "残薬を確認し一包化を提案しました"}});
  ASSERT_EQ(text.status, 201) << text.body;
  EXPECT_EQ(body_of(text)["column"], "pharmacy");
  EXPECT_EQ(body_of(text)["kind"], "text");
  ASSERT_EQ(t.call(kHelper, "POST", "/posts", "", {{"body", "昼食は全量摂取"}}).status, 201);
  ASSERT_EQ(t.call(kDoctor, "POST", "/posts", "", {{"kind", "soap"}, {"plan", "処方継続"}}).status,
            201);
  // Input that is not a post, and mentions of non-members, are refused.
  EXPECT_EQ(t.call(kDoctor, "POST", "/posts", "", {{"kind", "soap"}}).status, 422);
  EXPECT_EQ(t.call(kDoctor, "POST", "/posts", "", {{"kind", "memo"}, {"body", "x"}}).status, 400);
  EXPECT_EQ(t.call(kDoctor, "POST", "/posts", "", {{"body", "x"}, {"mentions", {"999999"}}}).status,
            422);

  // The four-column timeline: newest first, filtered, keyset-paged.
  auto all = body_of(t.call(kTherapist, "GET", "/posts"));
  ASSERT_EQ(all["items"].size(), 4u) << all.dump();
  EXPECT_EQ(all["items"][0]["column"], "medical");
  EXPECT_EQ(all["items"][3]["post_id"], nurse_post);
  auto pharmacy = body_of(t.call(kTherapist, "GET", "/posts", "/posts?column=pharmacy"));
  ASSERT_EQ(pharmacy["items"].size(), 1u);
  EXPECT_EQ(pharmacy["items"][0]["author"]["login_id"], kPharmacist);
  EXPECT_EQ(
      body_of(t.call(kTherapist, "GET", "/posts", "/posts?column=nursing,care"))["items"].size(),
      2u);
  EXPECT_EQ(t.call(kTherapist, "GET", "/posts", "/posts?column=nurse").status, 400);
  auto first = body_of(t.call(kTherapist, "GET", "/posts", "/posts?page_size=3"));
  ASSERT_EQ(first["items"].size(), 3u);
  ASSERT_TRUE(first.contains("next_cursor")) << first.dump();
  auto second =
      body_of(t.call(kTherapist, "GET", "/posts",
                     "/posts?page_size=3&cursor=" + first["next_cursor"].get<std::string>()));
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["post_id"], nurse_post);
  EXPECT_FALSE(second.contains("next_cursor"));

  // Read receipts per member.
  // (The doctor's own post is not unread.)
  EXPECT_EQ(body_of(t.call(kDoctor, "GET", ""))["unread"], 3);
  auto read = t.call(kDoctor, "POST", "/posts/{post_id}/read", "/posts/" + nurse_post + "/read");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(body_of(read)["version"], 1);
  EXPECT_EQ(body_of(t.call(kDoctor, "GET", ""))["unread"], 2);
  auto one = body_of(t.call(kNurse, "GET", "/posts/{post_id}", "/posts/" + nurse_post));
  ASSERT_EQ(one["read_by"].size(), 1u);
  EXPECT_EQ(one["read_by"][0]["login_id"], kDoctor);
  EXPECT_TRUE(one["read_by"][0]["current"].get<bool>());
  EXPECT_FALSE(one["read_by_me"].get<bool>());

  // A correction: only by its author, with a reason; the earlier text stays, superseded.
  const json fix = {{"kind", "soap"},
                    {"subjective", "夜間よく眠れたとのこと"},
                    {"objective", "BP 138/76, SpO2 97%"},
                    {"assessment", "状態安定"},
                    {"plan", "次回訪問で服薬確認"},
                    {"reason", "血圧の転記誤り"}};
  auto not_author = t.call(kDoctor, "POST", "/posts/{post_id}/corrections",
                           "/posts/" + nurse_post + "/corrections", fix);
  EXPECT_EQ(not_author.status, 403);
  EXPECT_EQ(code_of(not_author), "not_the_author");
  json no_reason = fix;
  no_reason.erase("reason");
  EXPECT_EQ(t.call(kNurse, "POST", "/posts/{post_id}/corrections",
                   "/posts/" + nurse_post + "/corrections", no_reason)
                .status,
            422);
  auto corrected = t.call(kNurse, "POST", "/posts/{post_id}/corrections",
                          "/posts/" + nurse_post + "/corrections", fix);
  ASSERT_EQ(corrected.status, 201) << corrected.body;
  auto c = body_of(t.call(kDoctor, "GET", "/posts/{post_id}", "/posts/" + nurse_post));
  EXPECT_EQ(c["version"], 2);
  EXPECT_TRUE(c["corrected"].get<bool>());
  EXPECT_EQ(c["objective"], "BP 138/76, SpO2 97%");
  EXPECT_EQ(c["reason"], "血圧の転記誤り");
  ASSERT_EQ(c["superseded_versions"].size(), 1u);
  EXPECT_EQ(c["superseded_versions"][0]["objective"], "BP 128/76, SpO2 97%");
  EXPECT_EQ(c["superseded_versions"][0]["version"], 1);
  EXPECT_TRUE(c["superseded_versions"][0]["superseded"].get<bool>());
  // The doctor's receipt is for the earlier version now: unread again until read again.
  EXPECT_FALSE(c["read_by"][0]["current"].get<bool>());
  EXPECT_FALSE(c["read_by_me"].get<bool>());
  EXPECT_EQ(body_of(t.call(kDoctor, "GET", ""))["unread"], 3);
  ASSERT_EQ(
      t.call(kDoctor, "POST", "/posts/{post_id}/read", "/posts/" + nurse_post + "/read").status,
      200);
  EXPECT_TRUE(
      body_of(t.call(kDoctor, "GET", "/posts/{post_id}", "/posts/" + nurse_post))["read_by_me"]
          .get<bool>());
}

TEST(CareTeam, TheFamilyReaderReadsButDoesNotWrite) {
  Team& t = Team::get();
  auto page = t.call(kFamily, "GET", "/posts");
  ASSERT_EQ(page.status, 200) << page.body;
  const json items = body_of(page)["items"];
  ASSERT_FALSE(items.empty());
  auto post = t.call(kFamily, "POST", "/posts", "", {{"body", "ありがとうございます"}});
  EXPECT_EQ(post.status, 403);
  EXPECT_EQ(code_of(post), "read_only_member");
  EXPECT_EQ(code_of(t.call(kFamily, "POST", "/invitations", "",
                           {{"login_id", kOutsider}, {"care_profession", "doctor"}})),
            "read_only_member");
  // A read receipt is no write of the record.
  const std::string id = items[0]["post_id"];
  EXPECT_EQ(t.call(kFamily, "POST", "/posts/{post_id}/read", "/posts/" + id + "/read").status, 200);
  EXPECT_GE(audit_count(kFamily, "denied", "read_only_member"), 2);
}

TEST(CareTeam, NonMembersLeaversAndRemovedMembersAreRefusedOnTheNextRequest) {
  Team& t = Team::get();
  // A doctor whose facility may see the person in the viewer is still no team member.
  for (const char* path : {"", "/posts"}) {
    auto r = t.call(kOutsider, "GET", path);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(code_of(r), "not_a_care_team_member");
    EXPECT_EQ(r.body.find("BP 1"), std::string::npos);
  }
  EXPECT_EQ(code_of(t.call(kOutsider, "POST", "/posts", "", {{"body", "x"}})),
            "not_a_care_team_member");
  EXPECT_GE(audit_count(kOutsider, "denied", "not_a_care_team_member"), 3);

  // Leaving ends access at once.
  ASSERT_EQ(t.call(kPharmacist, "GET", "/posts").status, 200);
  ASSERT_EQ(t.call(kPharmacist, "POST", "/leave").status, 204);
  EXPECT_EQ(code_of(t.call(kPharmacist, "GET", "/posts")), "left_care_team");

  // A removed member: the very next request is refused.
  ASSERT_EQ(t.call(kTherapist, "GET", "/posts").status, 200);
  EXPECT_EQ(t.call(kManager, "DELETE", "/members/{member_id}", "/members/" + t.member_id[kManager])
                .status,
            422);  // leave instead
  ASSERT_EQ(
      t.call(kManager, "DELETE", "/members/{member_id}", "/members/" + t.member_id[kTherapist])
          .status,
      204);
  EXPECT_EQ(
      t.call(kManager, "DELETE", "/members/{member_id}", "/members/" + t.member_id[kTherapist])
          .status,
      404);
  for (const char* path : {"", "/posts"}) {
    auto r = t.call(kTherapist, "GET", path);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(code_of(r), "removed_from_care_team");
  }
  EXPECT_EQ(code_of(t.call(kTherapist, "POST", "/posts", "", {{"body", "x"}})),
            "removed_from_care_team");
  EXPECT_EQ(audit_count(kTherapist, "denied", "removed_from_care_team"), 3);
  auto team = body_of(t.call(kManager, "GET", ""));
  std::map<std::string, std::string> status;
  for (const auto& m : team["members"])
    status[m["login_id"]] = m["status"];
  EXPECT_EQ(status[kTherapist], "removed");
  EXPECT_EQ(status[kPharmacist], "left");
  // A member whose facility is suspended is refused on the next request (the session ends).
  const std::string helper_facility =
      matrix().facility.at({hpd::FacilityKind::kCareFacility, testing::State::kNone});
  auto suspend = net().admin->call("PUT", "/api/v1/admin/facilities/" + helper_facility,
                                   {{"status", "suspended"}});
  ASSERT_EQ(suspend.status, 200) << suspend.body;
  EXPECT_EQ(t.call(kHelper, "GET", "/posts").status, 401);
  ASSERT_EQ(
      net()
          .admin->call("PUT", "/api/v1/admin/facilities/" + helper_facility, {{"status", "active"}})
          .status,
      200);
  // A removed member can be invited again (a new membership row; the old one stays).
  EXPECT_EQ(t.call(kManager, "POST", "/invitations", "",
                   {{"login_id", kTherapist}, {"care_profession", "occupational_therapist"}})
                .status,
            201);
}

TEST(CareTeam, AfterTheConsentIsWithdrawnEveryMemberIsRefused) {
  Team& t = Team::get();
  ASSERT_EQ(t.call(kNurse, "GET", "/posts").status, 200);
  EXPECT_EQ(t.call(kFamily, "POST", "/consent/withdraw", "", {{"reason", "x"}}).status, 403);
  auto w =
      t.call(kManager, "POST", "/consent/withdraw", "", {{"reason", "本人が電話で撤回を申し出た"}});
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_FALSE(body_of(w)["consent"]["in_force"].get<bool>());
  for (const auto& who : {kManager, kDoctor, kNurse, kFamily}) {
    auto r = t.call(who, "GET", "/posts");
    EXPECT_EQ(r.status, 403) << who;
    EXPECT_EQ(code_of(r), "care_team_consent_withdrawn") << who;
  }
  EXPECT_EQ(code_of(t.call(kDoctor, "POST", "/posts", "", {{"body", "x"}})),
            "care_team_consent_withdrawn");
  // A non-member does not learn of the withdrawal.
  EXPECT_EQ(code_of(t.call(kOutsider, "GET", "/posts")), "not_a_care_team_member");
  EXPECT_EQ(audit_count(kManager, "success", "care_team_consent_withdraw"), 1);
  EXPECT_GE(audit_count(kNurse, "denied", "care_team_consent_withdrawn"), 1);
}

TEST(CareTeam, ANewConsentReadmitsTheFacilitiesItNamesOnly) {
  Team& t = Team::get();
  const json narrower = {
      {"consent",
       {{"document_ref", "CARE-FORM-2"},
        {"facilities",
         {matrix().facility.at({hpd::FacilityKind::kCareFacility, testing::State::kGiven}),
          matrix().facility.at({hpd::FacilityKind::kClinic, testing::State::kNone})}},
        {"reader_allowed", false}}}};
  // Only a member whose facility may see the person records it; no unknown facilities.
  EXPECT_EQ(t.call(kDoctor, "POST", "/consent", "", narrower).status, 404);
  json unknown = narrower;
  unknown["consent"]["facilities"].push_back("1.2.392.200284.33.4999999");
  EXPECT_EQ(t.call(kManager, "POST", "/consent", "", unknown).status, 422);
  auto r = t.call(kManager, "POST", "/consent", "", narrower);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(body_of(r)["consent"]["in_force"].get<bool>());
  EXPECT_FALSE(body_of(r)["consent"]["all_facilities"].get<bool>());
  EXPECT_EQ(t.call(kDoctor, "GET", "/posts").status, 200);
  EXPECT_EQ(code_of(t.call(kNurse, "GET", "/posts")), "facility_not_in_team_consent");
  EXPECT_EQ(code_of(t.call(kFamily, "GET", "/posts")), "reader_not_in_team_consent");
  // Nor may a left-out facility's staff be invited.
  EXPECT_EQ(
      t.call(kManager, "POST", "/invitations", "",
             {{"login_id", login_of("pharmacy", "none", "nurse")}, {"care_profession", "nurse"}})
          .status,
      422);
  EXPECT_EQ(audit_count(kManager, "success", "care_team_consent_record"), 1);
}

TEST(CareTeam, EveryRequestIsInTheVerifiedChainAndTheAnswersMatchTheSchema) {
  Team& t = Team::get();
  // Reads are views of the care record; never any text of a post in the chain.
  EXPECT_GE(audit_count(kTherapist, "success", ""), 2);
  EXPECT_GE(audit_count(kNurse, "success", "care_team_post"), 1);
  EXPECT_GE(audit_count(kNurse, "success", "care_team_correct"), 1);
  const auto leaked = pg::transact(*net().pool, [](pg::Tx& tx) {
    return tx.raw()
        .exec(
            "SELECT count(*) FROM audit_log WHERE detail LIKE '%BP 1%' OR reason LIKE "
            "'%BP 1%'")[0][0]
        .as<std::int64_t>();
  });
  EXPECT_EQ(leaked, 0);
  auto v = net().admin->call("POST", "/api/v1/admin/audit/verify", json::object());
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_TRUE(body_of(v)["ok"].get<bool>()) << v.body;

  // A read of the care record is no disclosure of a facility's records: not in the usage
  // statistics.
  auto rebuilt = net().admin->call("POST", "/api/v1/admin/stats/rebuild", json::object());
  ASSERT_EQ(rebuilt.status, 200) << rebuilt.body;
  const auto counted = pg::transact(*net().pool, [](pg::Tx& tx) {
    return tx.raw()
        .exec("SELECT count(*) FROM stats_view_day WHERE category = 'care_team'")[0][0]
        .as<std::int64_t>();
  });
  EXPECT_EQ(counted, 0);

  // The answers against the served document (tests/support/openapi_check.py).
  EXPECT_GT(t.answers.size(), 60u);
  EXPECT_EQ(testing::care_schema_problems(t, "care"), "");
}

}  // namespace
}  // namespace hareyaka
