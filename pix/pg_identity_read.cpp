// Reads: identities, persons, PDQ search, domains.
#include <algorithm>

#include "pix/japanese_name.hpp"
#include "pix/pg_identity_sql.hpp"
#include "pix/pg_identity_store.hpp"

namespace hareyaka::pix {
namespace {

using namespace sql;

constexpr pg::Statement kCrossReferences{
    "pix_cross_references",
    "SELECT i.authority, i.local_id FROM pix_identities q JOIN pix_identities i "
    "ON i.person_id = q.person_id AND i.status = 'active' "
    "WHERE q.authority = $1 AND q.local_id = $2 ORDER BY i.authority, i.local_id LIMIT $3"};

constexpr pg::Statement kDomainKnown{"pix_domain_known",
                                     "SELECT 1 FROM pix_domains WHERE authority = $1"};

// Every search shares this filter: $2 given (LIKE pattern on the kana key or the kanji
// form: $3), $4 birth date prefix pattern, $5 sex, $6 limit.
#define PIX_SEARCH_TAIL                                                                   \
  " AND status = 'active' AND ($2 = '' OR k_kana_given LIKE $2 OR n_kanji_given LIKE $3)" \
  " AND ($4 = '' OR birth_date LIKE $4) AND ($5 = 'U' OR sex = $5)"                       \
  " GROUP BY person_id ORDER BY person_id LIMIT $6"

constexpr pg::Statement kSearchKana{
    "pix_search_kana",
    "SELECT person_id FROM pix_identities WHERE k_kana_family = $1" PIX_SEARCH_TAIL};
constexpr pg::Statement kSearchKanaPrefix{
    "pix_search_kana_prefix",
    "SELECT person_id FROM pix_identities WHERE k_kana_family LIKE $1" PIX_SEARCH_TAIL};
constexpr pg::Statement kSearchKanji{
    "pix_search_kanji",
    "SELECT person_id FROM pix_identities WHERE n_kanji_family = $1" PIX_SEARCH_TAIL};
constexpr pg::Statement kSearchKanjiPrefix{
    "pix_search_kanji_prefix",
    "SELECT person_id FROM pix_identities WHERE n_kanji_family LIKE $1" PIX_SEARCH_TAIL};
constexpr pg::Statement kSearchBirth{
    "pix_search_birth",
    "SELECT person_id FROM pix_identities WHERE birth_date = $1" PIX_SEARCH_TAIL};
constexpr pg::Statement kSearchPhone{
    "pix_search_phone", "SELECT person_id FROM pix_identities WHERE n_phone = $1" PIX_SEARCH_TAIL};
#undef PIX_SEARCH_TAIL

std::string like_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

// A name criterion: "" (none), "ABC" (exact), "AB*" (prefix). Returns the LIKE pattern.
std::string pattern(const std::string& normalized, bool prefix) {
  if (normalized.empty() && !prefix)
    return {};
  return like_escape(normalized) + (prefix ? "%" : "");
}

bool strip_star(std::string& s) {
  bool star = false;
  while (!s.empty() && s.back() == '*')
    s.pop_back(), star = true;
  return star;
}

}  // namespace

std::optional<IdentityRecord> PgIdentityStore::find(const IdentityKey& key) {
  return pg::read(pool_, [&](pg::Tx& tx) -> std::optional<IdentityRecord> {
    auto rows = tx.exec(kFind, key.authority, key.local_id);
    if (rows.empty())
      return std::nullopt;
    return to_record(rows[0]);
  });
}

std::vector<IdentityRecord> PgIdentityStore::members(std::int64_t person_id, int limit) {
  limit = std::clamp(limit, 1, 10000);
  return pg::read(pool_, [&](pg::Tx& tx) {
    std::vector<IdentityRecord> out;
    for (const auto& r : tx.exec(kMembers, person_id, limit))
      out.push_back(to_record(r));
    return out;
  });
}

std::optional<std::vector<IdentityKey>> PgIdentityStore::cross_references(const IdentityKey& key,
                                                                          int limit) {
  limit = std::clamp(limit, 1, 10000);
  return pg::read(pool_, [&](pg::Tx& tx) -> std::optional<std::vector<IdentityKey>> {
    auto rows = tx.exec(kCrossReferences, key.authority, key.local_id, limit);
    if (rows.empty())
      return std::nullopt;
    std::vector<IdentityKey> out;
    for (const auto& r : rows)
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
    return out;
  });
}

bool PgIdentityStore::domain_known(const std::string& authority) {
  if (domain_cached(authority))
    return true;
  const bool known =
      pg::read(pool_, [&](pg::Tx& tx) { return !tx.exec(kDomainKnown, authority).empty(); });
  if (known) {
    std::lock_guard lock(domains_mutex_);
    known_domains_.insert(authority);
  }
  return known;
}

void PgIdentityStore::register_domain(const std::string& authority, const std::string& name) {
  pg::transact(pool_, [&](pg::Tx& tx) { tx.exec(kEnsureDomain, authority, name); });
  std::lock_guard lock(domains_mutex_);
  known_domains_.insert(authority);
}

std::vector<std::int64_t> PgIdentityStore::search(const SearchCriteria& c, int limit) {
  limit = std::clamp(limit, 1, 10000);
  std::string family = c.family, given = c.given;
  const bool family_prefix = strip_star(family);
  const bool given_prefix = strip_star(given);
  const bool family_kana = is_kana_text(family);
  const bool given_kana = is_kana_text(given);
  const std::string family_norm = family_kana ? kana_key(family) : normalize_kanji(family);
  std::string given_kana_pat, given_kanji_pat;
  if (!given.empty() || given_prefix) {
    given_kana_pat = given_kana ? pattern(kana_key(given), given_prefix) : "\x01";
    given_kanji_pat = pattern(normalize_kanji(given), given_prefix);
    if (given.empty())
      given_kana_pat.clear();  // "*": any given name
  }
  const std::string birth = c.birth_date.empty() ? "" : like_escape(c.birth_date) + "%";
  const std::string sex(1, c.sex == 'M' || c.sex == 'F' || c.sex == 'O' ? c.sex : 'U');

  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<std::int64_t> out;
    auto collect = [&](const pqxx::result& rows) {
      for (const auto& r : rows)
        out.push_back(r[0].as<std::int64_t>());
    };
    auto run = [&](const pg::Statement& s, const std::string& driver) {
      collect(tx.exec(s, driver, given_kana_pat, given_kanji_pat, birth, sex, limit));
    };
    if (!c.ids.empty()) {
      // Identifiers are exact: they decide alone.
      for (const IdentityKey& k : c.ids) {
        auto rows = tx.exec(kFind, k.authority, k.local_id);
        if (rows.empty())
          continue;
        const IdentityRecord rec = to_record(rows[0]);
        if (std::find(out.begin(), out.end(), rec.person_id) == out.end()) {
          out.push_back(rec.person_id);
        }
      }
      return out;
    }
    if (!family_norm.empty()) {
      if (family_kana) {
        family_prefix ? run(kSearchKanaPrefix, pattern(family_norm, true))
                      : run(kSearchKana, family_norm);
      } else {
        family_prefix ? run(kSearchKanjiPrefix, pattern(family_norm, true))
                      : run(kSearchKanji, family_norm);
      }
    } else if (c.birth_date.size() == 8) {
      run(kSearchBirth, c.birth_date);
    } else if (!c.phone.empty()) {
      run(kSearchPhone, digits_only(c.phone));
    }
    return out;
  });
}

}  // namespace hareyaka::pix
