#include "portal/viewer/person_directory.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "consent/decision.hpp"
#include "hpd/oid.hpp"
#include "pix/japanese_name.hpp"

namespace hareyaka::portal {
namespace {

// Candidates for a list or a search, decided in SQL before paging with the parts of decide()
// for the demographics category that depend on the patient: a live consent of the viewer (or
// of all facilities) covering demographics, at a source facility that is active and
// discloses; and, once per statement (an uncorrelated sub-select), the role policy's
// demographics cell for the viewer's profession ($5) and kind, at an active viewing facility.
// decide_many() then confirms each identity, so the statement narrows and never widens.
// Without filters the candidates come from the viewer's live consents (index consents_viewer);
// with filters, from the identity indexes.
constexpr pg::Statement kListVisible{"viewer_list_visible", R"sql(
SELECT DISTINCT i.person_id
FROM consents c
JOIN facilities s ON s.oid = c.source_facility AND s.status = 'active' AND s.discloses
JOIN pix_identities i ON i.authority = c.patient_authority AND i.local_id = c.patient_local_id
WHERE c.viewer_key IN ($1, '*') AND c.withdrawn_at IS NULL
  AND c.starts_at <= hy_ts($2) AND (c.expires_at IS NULL OR c.expires_at > hy_ts($2))
  AND (c.scope IS NULL OR 'demographics' = ANY (c.scope))
  AND EXISTS (SELECT 1 FROM access_policy p JOIN facilities v ON v.oid = $1
              WHERE v.status = 'active' AND v.views AND p.profession = $5
                AND p.facility_kind = v.kind AND p.category = 'demographics' AND p.allowed)
  AND i.status = 'active' AND i.person_id > $3
ORDER BY i.person_id
LIMIT $4)sql"};

// A search: the identities matching the filters whose own consent passes the same narrowing
// (so an identity the viewer may not see never finds its person), grouped by person, with
// the matching identities as [[authority, local id], ...] for the check after decide_many.
constexpr pg::Statement kSearchVisible{"viewer_search_visible", R"sql(
SELECT p.person_id, jsonb_agg(jsonb_build_array(p.authority, p.local_id))::text
FROM pix_identities p
WHERE p.status = 'active' AND p.person_id > $3
  AND ($5 = '' OR p.n_kana_family LIKE $5 || '%' OR (p.n_kana_family || p.n_kana_given) LIKE $5 || '%'
       OR p.n_kanji_family LIKE $6 || '%' OR (p.n_kanji_family || p.n_kanji_given) LIKE $6 || '%')
  AND ($7 = '' OR p.birth_date = $7)
  AND ($8 = '' OR p.sex = $8)
  AND ($9 = '' OR p.local_id = $9)
  AND EXISTS (SELECT 1 FROM access_policy a JOIN facilities v ON v.oid = $1
              WHERE v.status = 'active' AND v.views AND a.profession = $10
                AND a.facility_kind = v.kind AND a.category = 'demographics' AND a.allowed)
  AND EXISTS (SELECT 1 FROM consents c
              JOIN facilities s ON s.oid = c.source_facility
              WHERE c.patient_authority = p.authority AND c.patient_local_id = p.local_id
                AND c.viewer_key IN ($1, '*') AND c.withdrawn_at IS NULL
                AND c.starts_at <= hy_ts($2)
                AND (c.expires_at IS NULL OR c.expires_at > hy_ts($2))
                AND (c.scope IS NULL OR 'demographics' = ANY (c.scope))
                AND s.status = 'active' AND s.discloses)
GROUP BY p.person_id
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

std::vector<consent::DecisionQuery> demographics_queries(const PersonView& p) {
  std::vector<consent::DecisionQuery> out;
  for (const auto& i : p.identities)
    out.push_back({{i.authority, i.local_id}, i.facility_oid, consent::Category::kDemographics});
  return out;
}

PersonView shown_part(const PersonView& p, const consent::Decision* answers) {
  PersonView out{p.person_id, {}};
  for (std::size_t n = 0; n < p.identities.size(); ++n) {
    if (answers[n].allowed)
      out.identities.push_back(p.identities[n]);
  }
  return out;
}

PersonPage PersonDirectory::search(const consent::UserContext& user, const PersonSearch& s,
                                   hpd::TimePoint now) {
  const bool filtered =
      !s.q.empty() || !s.birth_date.empty() || !s.sex.empty() || !s.local_id.empty();
  const int limit = std::clamp(s.limit, 1, 200);
  const std::string& viewer = user.facility_oid;
  const std::string profession(hpd::to_string(user.profession));
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<std::int64_t> ids;
    // Search only: person -> the identities that matched ("authority\nlocal id").
    std::map<std::int64_t, std::set<std::string>> matched;
    pqxx::result r =
        filtered ? tx.exec(kSearchVisible, viewer, hpd::to_us(now), s.after, limit,
                           pix::normalize_kana(s.q), pix::normalize_kanji(s.q), s.birth_date, s.sex,
                           s.local_id, profession)
                 : tx.exec(kListVisible, viewer, hpd::to_us(now), s.after, limit, profession);
    for (const auto& row : r) {
      const auto id = row[0].as<std::int64_t>();
      ids.push_back(id);
      if (filtered) {
        for (const auto& k : nlohmann::json::parse(row[1].as<std::string>()))
          matched[id].insert(k[0].get<std::string>() + "\n" + k[1].get<std::string>());
      }
    }
    PersonPage page;
    if (static_cast<int>(ids.size()) == limit)
      page.next_after = ids.back();
    const auto people = load(tx, ids, root_);
    // The decision itself, for every identity at once: a person is listed with the
    // identities whose source shows this user its demographics, and only with those; a
    // search result only when one of those is an identity that matched.
    std::vector<consent::DecisionQuery> queries;
    for (const auto& p : people) {
      auto q = demographics_queries(p);
      queries.insert(queries.end(), q.begin(), q.end());
    }
    const auto answers = consent::Decider::decide_many_in(tx, user, queries, now);
    std::size_t at = 0;
    for (const auto& p : people) {
      PersonView shown = shown_part(p, answers.data() + at);
      at += p.identities.size();
      const bool found = !filtered || std::any_of(shown.identities.begin(), shown.identities.end(),
                                                  [&](const PersonIdentity& i) {
                                                    return matched[p.person_id].contains(
                                                        i.authority + "\n" + i.local_id);
                                                  });
      if (!shown.identities.empty() && found)
        page.items.push_back(std::move(shown));
    }
    return page;
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
