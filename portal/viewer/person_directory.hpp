// Persons as a viewing facility may see them: one PIX person with the identities it has at
// each disclosing facility. Visibility is decided in SQL (consent_visible) before paging, so
// a list or a search never carries a person the facility has no consent for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
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

class PersonDirectory {
 public:
  PersonDirectory(pg::Pool& pool, std::string network_root)
      : pool_(pool), root_(std::move(network_root)) {}

  std::vector<PersonView> search(const std::string& viewer_facility, const PersonSearch& s,
                                 hpd::TimePoint now);
  // The person with every active identity, if the viewer may see it; std::nullopt otherwise
  // (unknown and not visible look the same).
  std::optional<PersonView> visible_person(const std::string& viewer_facility,
                                           std::int64_t person_id, hpd::TimePoint now);

 private:
  pg::Pool& pool_;
  std::string root_;
};

}  // namespace hareyaka::portal
