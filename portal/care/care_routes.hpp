// The care team's JSON API under the viewer's /api/v1/persons/{person_id}/care-team (issue
// #18). Every read and write: a live session (CSRF for writes), then one statement reads the
// facts of care::decide() (the caller an active member of the person's team, the team's
// consent in force and admitting the caller's facility, the caller and facility active, and
// for a write not a read-only member), and the answer is audited in the hash chain: allowed
// requests in the same transaction as their read or write, refusals on their own. A refusal
// is a 403 whose message starts with the reason code ("removed_from_care_team: ...").
#pragma once

#include <optional>

#include "common/content_store.hpp"
#include "common/pg.hpp"
#include "common/router.hpp"
#include "portal/viewer/person_directory.hpp"
#include "portal/web_session.hpp"

namespace hareyaka::care {

struct CareServices {
  portal::WebServices& web;
  portal::PersonDirectory& persons;  // team creation: a person the creator's facility may see
  pg::Pool& pool;
  // The posts' attachments (care.attachments_dir); nullopt: this portal keeps none, and the
  // attachment routes answer 503 saying so.
  std::optional<ContentStore> attachments;
};

void add_care_routes(http::Router& web, CareServices& services);

}  // namespace hareyaka::care
