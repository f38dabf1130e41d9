#include "portal/care/care_store.hpp"

#include "common/error.hpp"
#include "pix/pg_identity_sql.hpp"
#include "portal/care/care_sql.hpp"

namespace hareyaka::care {
namespace {

using nlohmann::json;

// The user, their facility, the person's team, the newest consent of the team and the
// user's newest membership row: one round trip per request.
constexpr pg::Statement kFacts{
    "care_facts",
    "SELECT u.status = 'active', u.profession, u.facility_oid, f.status = 'active', "
    "  t.id, c.id, c.withdrawn_at IS NOT NULL, c.all_facilities, c.facilities, "
    "  c.reader_allowed, m.id, m.status, m.read_only, m.care_profession, m.care_column "
    "FROM users u JOIN facilities f ON f.oid = u.facility_oid "
    "LEFT JOIN care_teams t ON t.person_id = $2 "
    "LEFT JOIN LATERAL (SELECT * FROM care_team_consents WHERE team_id = t.id "
    "  ORDER BY id DESC LIMIT 1) c ON true "
    "LEFT JOIN LATERAL (SELECT * FROM care_team_members WHERE team_id = t.id AND user_id = u.id "
    "  ORDER BY id DESC LIMIT 1) m ON true "
    "WHERE u.id = $1"};
constexpr pg::Statement kTeamOf{"care_team_of", "SELECT id FROM care_teams WHERE person_id = $1"};
constexpr pg::Statement kInsertTeam{
    "care_insert_team",
    "INSERT INTO care_teams (person_id, created_by) VALUES ($1, $2) RETURNING id"};
constexpr pg::Statement kInsertConsent{
    "care_insert_consent",
    "INSERT INTO care_team_consents (team_id, document_ref, all_facilities, facilities, "
    "reader_allowed, recorded_by) VALUES ($1, $2, $3, $4::text[], $5, $6)"};
constexpr pg::Statement kInsertMember{
    "care_insert_member",
    "INSERT INTO care_team_members (team_id, user_id, care_profession, care_column, read_only, "
    "status, invited_by, accepted_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0), CASE WHEN $6 = 'active' THEN now() END) "
    "RETURNING id"};
constexpr pg::Statement kTeam{
    "care_team", "SELECT person_id, " HY_CARE_TIME("created_at") " FROM care_teams WHERE id = $1"};
constexpr pg::Statement kConsent{
    "care_team_consent",
    "SELECT document_ref, all_facilities, facilities, reader_allowed, " HY_CARE_TIME(
        "recorded_at") ", coalesce(" HY_CARE_TIME("withdrawn_at") ", '') "
                       "FROM care_team_consents WHERE team_id = $1 ORDER BY id DESC LIMIT 1"};
constexpr pg::Statement kMembers{
    "care_team_members",
    "SELECT m.id, u.login_id, u.display_name, u.facility_oid, f.name_kanji, m.care_profession, "
    "  m.care_column, m.read_only, m.status, coalesce(i.login_id, ''), " HY_CARE_TIME(
        "m.invited_at") ", coalesce(" HY_CARE_TIME("m.accepted_at") ", ''), "
                        "coalesce(" HY_CARE_TIME("m.ended_at") ", '') "
                        "FROM care_team_members m JOIN users u ON u.id = m.user_id "
                        "JOIN facilities f ON f.oid = u.facility_oid "
                        "LEFT JOIN users i ON i.id = m.invited_by "
                        "WHERE m.team_id = $1 ORDER BY m.id"};
constexpr pg::Statement kInvitee{
    "care_invitee",
    "SELECT u.id, u.profession, u.facility_oid, u.status = 'active' AND f.status = 'active' "
    "FROM users u JOIN facilities f ON f.oid = u.facility_oid WHERE u.login_id = $1"};
constexpr pg::Statement kCurrentMember{
    "care_current_member",
    "SELECT 1 FROM care_team_members WHERE team_id = $1 AND user_id = $2 "
    "AND status IN ('invited', 'active')"};
constexpr pg::Statement kAccept{
    "care_accept",
    "UPDATE care_team_members SET status = 'active', accepted_at = now() "
    "WHERE id = $1 AND status = 'invited'"};
constexpr pg::Statement kEnd{
    "care_end_member",
    "UPDATE care_team_members SET status = $2, ended_at = now(), ended_by = $3 "
    "WHERE id = $1 AND team_id = $4 AND status IN ('invited', 'active')"};
constexpr pg::Statement kWithdraw{
    "care_withdraw_consent",
    "UPDATE care_team_consents SET withdrawn_at = now(), withdrawn_by = $2, "
    "withdrawal_reason = $3 WHERE team_id = $1 AND withdrawn_at IS NULL"};
constexpr pg::Statement kActiveMembers{
    "care_active_members",
    "SELECT i FROM unnest($2::bigint[]) AS i WHERE NOT EXISTS (SELECT 1 FROM care_team_members "
    "m WHERE m.id = i AND m.team_id = $1 AND m.status = 'active') LIMIT 1"};

constexpr pg::Statement kUnknownFacility{
    "care_unknown_facility",
    "SELECT o FROM unnest($1::text[]) AS o WHERE NOT EXISTS (SELECT 1 FROM facilities f "
    "WHERE f.oid = o) LIMIT 1"};

std::string bigint_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i)
    out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}

[[noreturn]] void unprocessable(const std::string& text) {
  throw Error(ErrorCode::kUnprocessable, text);
}

void insert_consent(pg::Tx& tx, std::int64_t team, std::int64_t by_user,
                    const TeamConsentInput& consent) {
  const std::string list = pix::sql::text_array(consent.facilities);
  if (auto r = tx.exec(kUnknownFacility, list); !r.empty())
    unprocessable("consent.facilities: " + r[0][0].as<std::string>() +
                  " is not a registered facility");
  tx.exec(kInsertConsent, team, consent.document_ref, consent.all_facilities, list,
          consent.reader_allowed, by_user);
}

}  // namespace

FactsRow read_facts(pg::Tx& tx, std::int64_t user_id, std::int64_t person_id) {
  FactsRow out;
  auto r = tx.exec(kFacts, user_id, person_id);
  if (r.empty())
    return out;
  const auto& row = r[0];
  AccessFacts& f = out.facts;
  f.user_found = true;
  f.user_active = row[0].as<bool>();
  f.user_profession = row[1].as<std::string>();
  f.user_facility = row[2].as<std::string>();
  f.facility_active = row[3].as<bool>();
  f.team_found = !row[4].is_null();
  if (f.team_found)
    out.member.team_id = row[4].as<std::int64_t>();
  f.consent_found = !row[5].is_null();
  if (f.consent_found) {
    f.consent_withdrawn = row[6].as<bool>();
    f.consent_all_facilities = row[7].as<bool>();
    f.consent_facilities = pix::sql::parse_text_array(row[8].as<std::string>());
    f.consent_reader_allowed = row[9].as<bool>();
  }
  if (!row[10].is_null()) {
    out.member.member_id = row[10].as<std::int64_t>();
    out.member.status = row[11].as<std::string>();
    out.member.read_only = row[12].as<bool>();
    out.member.care_profession = row[13].as<std::string>();
    out.member.column = row[14].as<std::string>();
    f.member_status = out.member.status;
    f.member_read_only = out.member.read_only;
  }
  return out;
}

std::int64_t create_team(pg::Tx& tx, std::int64_t person_id, std::int64_t creator_user,
                         CareProfession profession, const TeamConsentInput& consent) {
  if (!tx.exec(kTeamOf, person_id).empty())
    throw Error(ErrorCode::kConflict, "this person has a care team already");
  const auto team = tx.exec(kInsertTeam, person_id, creator_user)[0][0].as<std::int64_t>();
  insert_consent(tx, team, creator_user, consent);
  tx.exec(kInsertMember, team, creator_user, std::string(to_string(profession)),
          std::string(to_string(column_of(profession))), false, std::string("active"),
          std::int64_t{0});
  return team;
}

json team_json(pg::Tx& tx, std::int64_t team_id) {
  json out = json::object();
  auto t = tx.exec(kTeam, team_id);
  if (t.empty())
    throw Error(ErrorCode::kNotFound, "no such care team");
  out["team_id"] = std::to_string(team_id);
  out["person_id"] = t[0][0].as<std::string>();
  out["created_at"] = t[0][1].as<std::string>();
  auto c = tx.exec(kConsent, team_id);
  if (!c.empty()) {
    const auto& row = c[0];
    json consent{{"document_ref", row[0].as<std::string>()},
                 {"all_facilities", row[1].as<bool>()},
                 {"facilities", pix::sql::parse_text_array(row[2].as<std::string>())},
                 {"reader_allowed", row[3].as<bool>()},
                 {"recorded_at", row[4].as<std::string>()},
                 {"in_force", row[5].as<std::string>().empty()}};
    if (!row[5].as<std::string>().empty())
      consent["withdrawn_at"] = row[5].as<std::string>();
    out["consent"] = consent;
  }
  json members = json::array();
  for (const auto& row : tx.exec(kMembers, team_id)) {
    const auto prof = parse_care_profession(row[5].as<std::string>());
    json m{{"member_id", row[0].as<std::string>()},
           {"login_id", row[1].as<std::string>()},
           {"display_name", row[2].as<std::string>()},
           {"facility_oid", row[3].as<std::string>()},
           {"facility_name", row[4].as<std::string>()},
           {"care_profession", row[5].as<std::string>()},
           {"care_profession_name", prof ? std::string(japanese_name(*prof)) : ""},
           {"column", row[6].as<std::string>()},
           {"read_only", row[7].as<bool>()},
           {"status", row[8].as<std::string>()},
           {"invited_at", row[10].as<std::string>()}};
    if (!row[9].as<std::string>().empty())
      m["invited_by"] = row[9].as<std::string>();
    if (!row[11].as<std::string>().empty())
      m["accepted_at"] = row[11].as<std::string>();
    if (!row[12].as<std::string>().empty())
      m["ended_at"] = row[12].as<std::string>();
    members.push_back(std::move(m));
  }
  out["members"] = std::move(members);
  return out;
}

std::int64_t invite(pg::Tx& tx, const FactsRow& inviter, std::int64_t inviter_user,
                    const std::string& login_id, CareProfession profession, bool read_only) {
  auto u = tx.exec(kInvitee, login_id);
  if (u.empty() || !u[0][3].as<bool>())
    unprocessable("no such active user (login_id)");
  const auto user_id = u[0][0].as<std::int64_t>();
  const auto directory = hpd::parse_profession(u[0][1].as<std::string>());
  if (!directory || !may_hold(*directory, profession))
    unprocessable("the user's profession in the directory cannot be a member as " +
                  std::string(to_string(profession)));
  read_only = read_only || always_read_only(profession);
  if (!consent_admits(inviter.facts, u[0][2].as<std::string>(), read_only)) {
    unprocessable(read_only ? std::string(reason_text("reader_not_in_team_consent"))
                            : std::string(reason_text("facility_not_in_team_consent")));
  }
  if (!tx.exec(kCurrentMember, inviter.member.team_id, user_id).empty())
    throw Error(ErrorCode::kConflict, "the user is invited or a member already");
  return tx
      .exec(kInsertMember, inviter.member.team_id, user_id, std::string(to_string(profession)),
            std::string(to_string(column_of(profession))), read_only, std::string("invited"),
            inviter_user)[0][0]
      .as<std::int64_t>();
}

std::int64_t accept(pg::Tx& tx, const FactsRow& caller) {
  const AccessFacts& f = caller.facts;
  auto refuse = [](std::string_view code) {
    throw Error(ErrorCode::kForbidden, std::string(code) + ": " + std::string(reason_text(code)));
  };
  if (!f.team_found || caller.member.status != "invited")
    refuse("not_a_care_team_member");
  if (!f.consent_found || f.consent_withdrawn)
    refuse("care_team_consent_withdrawn");
  if (!consent_admits(f, f.user_facility, caller.member.read_only))
    refuse(caller.member.read_only ? "reader_not_in_team_consent" : "facility_not_in_team_consent");
  tx.exec(kAccept, caller.member.member_id);
  return caller.member.member_id;
}

void decline(pg::Tx& tx, const FactsRow& caller, std::int64_t user_id) {
  tx.exec(kEnd, caller.member.member_id, std::string("declined"), user_id, caller.member.team_id);
}

void leave(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id, std::int64_t user_id) {
  tx.exec(kEnd, member_id, std::string("left"), user_id, team_id);
}

void remove_member(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id,
                   std::int64_t own_member_id, std::int64_t by_user) {
  if (member_id == own_member_id)
    unprocessable("to end your own membership, leave the team");
  if (tx.exec(kEnd, member_id, std::string("removed"), by_user, team_id).affected_rows() == 0)
    throw Error(ErrorCode::kNotFound, "no such current member of this care team");
}

void record_consent(pg::Tx& tx, std::int64_t team_id, std::int64_t by_user,
                    const TeamConsentInput& consent) {
  tx.exec(kWithdraw, team_id, by_user, std::string("superseded by a new consent"));
  insert_consent(tx, team_id, by_user, consent);
}

void withdraw_consent(pg::Tx& tx, std::int64_t team_id, std::int64_t by_user,
                      const std::string& reason) {
  tx.exec(kWithdraw, team_id, by_user, reason);
}

void check_active_members(pg::Tx& tx, std::int64_t team_id, const std::vector<std::int64_t>& ids) {
  if (ids.empty())
    return;
  auto r = tx.exec(kActiveMembers, team_id, bigint_array(ids));
  if (!r.empty())
    unprocessable("mentions: " + r[0][0].as<std::string>() +
                  " is not an active member of this care team");
}

}  // namespace hareyaka::care
