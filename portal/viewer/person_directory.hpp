// Persons as a viewing facility may see them: one PIX person with the identities it has at
// each disclosing facility. Demographics is a category like the others: a list, a search or a
// summary shows a person only with the identities whose source facility's decision allows
// this user demographics, and not at all when none does. A list or a search narrows in SQL
// before paging (consent, source facility and role policy) and then asks decide_many() for
// each identity, in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "consent/decision.hpp"
#include "hpd/directory_store.hpp"
#include "hpd/time.hpp"

namespace hareyaka::portal {

struct PersonIdentity {
  std::string authority;
  std::string local_id;
  std::string facility_oid;  // the disclosing facility whose patient id domain it is
  std::string family_kanji, given_kanji, family_kana, given_kana;
  std::string birth_date;  // YYYYMMDD
  std::string sex;         // M F O U
};

struct PersonView {
  std::int64_t person_id = 0;
  std::vector<PersonIdentity> identities;
};

struct PersonSearch {
  std::string q;           // kana or kanji, matched as a prefix of family or family+given
  std::string birth_date;  // YYYYMMDD
  std::string sex;         // M F O U
  std::string local_id;
  std::int64_t after = 0;  // keyset cursor: person ids greater than this
  int limit = 50;
};

// One page of a list or a search. next_after: the cursor of the following page, 0 on the last.
struct PersonPage {
  std::vector<PersonView> items;
  std::int64_t next_after = 0;
};

// The demographics question of each identity of `p`, in identity order (for decide_many).
std::vector<consent::DecisionQuery> demographics_queries(const PersonView& p);
// `p` with only the identities whose answer (answers[n] for identity n) allows.
PersonView shown_part(const PersonView& p, const consent::Decision* answers);

class PersonDirectory {
 public:
  PersonDirectory(pg::Pool& pool, std::string network_root)
      : pool_(pool), root_(std::move(network_root)) {}

  // The persons the user may see, each with the identities it may see.
  PersonPage search(const consent::UserContext& user, const PersonSearch& s, hpd::TimePoint now);
  // The person with every active identity (for the per-category decisions), if some live
  // consent names the viewer for one of them; std::nullopt otherwise (unknown and not visible
  // look the same: 404). Which identities may be shown (the summary) is for the caller to
  // decide per identity: demographics_queries() and shown_part().
  std::optional<PersonView> visible_person(const std::string& viewer_facility,
                                           std::int64_t person_id, hpd::TimePoint now);

 private:
  pg::Pool& pool_;
  std::string root_;
};

}  // namespace hareyaka::portal
