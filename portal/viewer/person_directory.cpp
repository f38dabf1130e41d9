#include "portal/viewer/person_directory.hpp"

#include <map>

#include "hpd/oid.hpp"
#include "pix/japanese_name.hpp"

namespace hareyaka::portal {
namespace {

// Without filters the candidates come from the viewer's live consents (index consents_viewer);
// with filters, from the identity indexes; either way consent_visible() decides in SQL.
constexpr pg::Statement kListVisible{"viewer_list_visible", R"sql(
SELECT DISTINCT i.person_id
FROM consents c
JOIN pix_identities i ON i.authority = c.patient_authority AND i.local_id = c.patient_local_id
WHERE c.viewer_key IN ($1, '*') AND c.withdrawn_at IS NULL
  AND consent_visible($1, hy_ts($2), c.patient_authority, c.patient_local_id)
  AND i.status = 'active' AND i.person_id > $3
ORDER BY i.person_id
LIMIT $4)sql"};

constexpr pg::Statement kSearchVisible{"viewer_search_visible", R"sql(
SELECT DISTINCT p.person_id
FROM pix_identities p
WHERE p.status = 'active' AND p.person_id > $3
  AND ($5 = '' OR p.n_kana_family LIKE $5 || '%' OR (p.n_kana_family || p.n_kana_given) LIKE $5 || '%'
       OR p.n_kanji_family LIKE $6 || '%' OR (p.n_kanji_family || p.n_kanji_given) LIKE $6 || '%')
  AND ($7 = '' OR p.birth_date = $7)
  AND ($8 = '' OR p.sex = $8)
  AND ($9 = '' OR p.local_id = $9)
  AND EXISTS (SELECT 1 FROM pix_identities v
              WHERE v.person_id = p.person_id AND v.status = 'active'
                AND consent_visible($1, hy_ts($2), v.authority, v.local_id))
ORDER BY p.person_id
LIMIT $4)sql"};

constexpr pg::Statement kIdentitiesOf{"viewer_identities_of", R"sql(
SELECT person_id, authority, local_id, family_kanji, given_kanji, family_kana, given_kana,
       birth_date, sex
FROM pix_identities
WHERE person_id = ANY($1::bigint[]) AND status = 'active'
ORDER BY person_id, authority, local_id)sql"};

// visible_person in one statement (no BEGIN/COMMIT): the person's identities, only if one of
// them is visible to the viewer.
constexpr pg::Statement kVisibleIdentities{"viewer_visible_identities", R"sql(
SELECT person_id, authority, local_id, family_kanji, given_kanji, family_kana, given_kana,
       birth_date, sex
FROM pix_identities
WHERE person_id = $2 AND status = 'active'
  AND EXISTS (SELECT 1 FROM pix_identities v
              WHERE v.person_id = $2 AND v.status = 'active'
                AND consent_visible($1, hy_ts($3), v.authority, v.local_id))
ORDER BY person_id, authority, local_id)sql"};

std::string array_literal(const std::vector<std::int64_t>& ids) {
  std::string s = "{";
  for (std::size_t i = 0; i < ids.size(); ++i)
    s += (i ? "," : "") + std::to_string(ids[i]);
  return s + "}";
}

void add_rows(const pqxx::result& rows, const std::string& root,
              std::map<std::int64_t, PersonView>& by_id) {
  for (const auto& row : rows) {
    PersonIdentity i;
    i.authority = row[1].as<std::string>();
    i.local_id = row[2].as<std::string>();
    i.facility_oid = hpd::facility_of_patient_domain(i.authority, root).value_or("");
    i.family_kanji = row[3].as<std::string>();
    i.given_kanji = row[4].as<std::string>();
    i.family_kana = row[5].as<std::string>();
    i.given_kana = row[6].as<std::string>();
    i.birth_date = row[7].as<std::string>();
    i.sex = row[8].as<std::string>();
    by_id[row[0].as<std::int64_t>()].identities.push_back(std::move(i));
  }
}

std::vector<PersonView> load(pg::Tx& tx, const std::vector<std::int64_t>& ids,
                             const std::string& root) {
  std::map<std::int64_t, PersonView> by_id;
  for (auto id : ids)
    by_id[id].person_id = id;
  if (ids.empty())
    return {};
  add_rows(tx.exec(kIdentitiesOf, array_literal(ids)), root, by_id);
  std::vector<PersonView> out;
  for (auto id : ids)
    out.push_back(std::move(by_id[id]));
  return out;
}

}  // namespace

std::vector<PersonView> PersonDirectory::search(const std::string& viewer, const PersonSearch& s,
                                                hpd::TimePoint now) {
  const bool filtered =
      !s.q.empty() || !s.birth_date.empty() || !s.sex.empty() || !s.local_id.empty();
  const int limit = std::clamp(s.limit, 1, 200);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<std::int64_t> ids;
    pqxx::result r = filtered ? tx.exec(kSearchVisible, viewer, hpd::to_us(now), s.after, limit,
                                        pix::normalize_kana(s.q), pix::normalize_kanji(s.q),
                                        s.birth_date, s.sex, s.local_id)
                              : tx.exec(kListVisible, viewer, hpd::to_us(now), s.after, limit);
    for (const auto& row : r)
      ids.push_back(row[0].as<std::int64_t>());
    return load(tx, ids, root_);
  });
}

std::optional<PersonView> PersonDirectory::visible_person(const std::string& viewer,
                                                          std::int64_t person_id,
                                                          hpd::TimePoint now) {
  return pg::transact(pool_,
                      [&](pg::Tx& tx) -> std::optional<PersonView> {
                        std::map<std::int64_t, PersonView> by_id;
                        add_rows(tx.exec(kVisibleIdentities, viewer, person_id, hpd::to_us(now)),
                                 root_, by_id);
                        auto it = by_id.find(person_id);
                        if (it == by_id.end() || it->second.identities.empty())
                          return std::nullopt;
                        it->second.person_id = person_id;
                        return std::move(it->second);
                      },
                      {.isolation = pg::Isolation::kAutocommit});
}

}  // namespace hareyaka::portal
