// The care team's tables (portal/care/sql): the facts the access decision reads, the team
// with its consent and members, invitations, acceptance, leaving, removal and the consent's
// withdrawal. Every function runs inside the caller's transaction, so a change and its audit
// record commit together (portal/care/care_routes.cpp). Posts: portal/care/care_posts.hpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "portal/care/care_rules.hpp"

namespace hareyaka::care {

// The caller's membership as read with the facts (0 ids when none).
struct Membership {
  std::int64_t team_id = 0;
  std::int64_t member_id = 0;
  std::string status;
  bool read_only = false;
  std::string care_profession;
  std::string column;
};

struct FactsRow {
  AccessFacts facts;
  Membership member;
};

// Everything decide() needs, in one statement; user_found false for an unknown user.
FactsRow read_facts(pg::Tx& tx, std::int64_t user_id, std::int64_t person_id);

struct TeamConsentInput {
  std::string document_ref;
  bool all_facilities = true;
  std::vector<std::string> facilities;
  bool reader_allowed = false;
};

// A new team for the person, its consent and its creator as the first active member.
// Throws Error kConflict when the person has a team already, kUnprocessable when a listed
// facility is not registered.
std::int64_t create_team(pg::Tx& tx, std::int64_t person_id, std::int64_t creator_user,
                         CareProfession profession, const TeamConsentInput& consent);

// {team_id, person_id, created_at, consent{...}, members[...]}.
nlohmann::json team_json(pg::Tx& tx, std::int64_t team_id);

// The invited member's id. Throws Error: kUnprocessable (no such active user, a profession
// the user's directory profession may not hold, a facility or reader the consent does not
// admit), kConflict (already invited or a member).
std::int64_t invite(pg::Tx& tx, const FactsRow& inviter, std::int64_t inviter_user,
                    const std::string& login_id, CareProfession profession, bool read_only);

// The caller's pending invitation accepted. Throws Error kForbidden (code in the message)
// when there is none or the consent does not admit the caller.
std::int64_t accept(pg::Tx& tx, const FactsRow& caller);
// The caller's pending invitation declined (whatever the consent says).
void decline(pg::Tx& tx, const FactsRow& caller, std::int64_t user_id);

// The caller's own membership ended ("left").
void leave(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id, std::int64_t user_id);
// Another member's membership (active or invited) ended by `by_user` ("removed"); kNotFound
// when it is no current member of this team, kUnprocessable for oneself (leave instead).
void remove_member(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id,
                   std::int64_t own_member_id, std::int64_t by_user);

// A new consent of the team; the one in force, if any, withdrawn as superseded. Error
// kUnprocessable when a listed facility is not registered.
void record_consent(pg::Tx& tx, std::int64_t team_id, std::int64_t by_user,
                    const TeamConsentInput& consent);

// The team's consent withdrawn at once: every member is refused from the next request.
void withdraw_consent(pg::Tx& tx, std::int64_t team_id, std::int64_t by_user,
                      const std::string& reason);

// The active members of the team among `ids`; kUnprocessable naming the first that is not.
void check_active_members(pg::Tx& tx, std::int64_t team_id, const std::vector<std::int64_t>& ids);

}  // namespace hareyaka::care
