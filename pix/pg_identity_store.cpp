// Feeds and matching (ITI-44 add/revise).
#include "pix/pg_identity_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/error.hpp"
#include "pix/pg_identity_sql.hpp"

namespace hareyaka::pix {
namespace {

using namespace sql;

// Serialises feeds that share a blocking key, in a fixed order (no deadlocks).
constexpr pg::Statement kLockKeys{
    "pix_lock_keys",
    "SELECT count(pg_advisory_xact_lock(h)) FROM "
    "(SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY 1) AS s"};

// One round trip for a new identity: its person (a new one when $3 is NULL, otherwise the
// existing one is touched), the identity row and its history row.
constexpr pg::Statement kInsertIdentity{
    "pix_insert_identity",
    "WITH p AS (INSERT INTO pix_persons (id) SELECT nextval('pix_person_seq') "
    "WHERE $3::bigint IS NULL RETURNING id), "
    "t AS (UPDATE pix_persons SET updated_at = now() WHERE id = $3::bigint), "
    "i AS (INSERT INTO pix_identities (authority, local_id, person_id, family_kanji, given_kanji, "
    "family_kana, given_kana, birth_date, sex, address, postal_code, phone, n_kana_family, "
    "n_kana_given, k_kana_family, k_kana_given, n_kanji_family, n_kanji_given, n_phone, n_postal, "
    "link_origin, link_score, r_first, r_second) SELECT $1, $2, COALESCE($3::bigint, (SELECT id "
    "FROM p)), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
    "$22::real, $24, $25 "
    // An automatic link is refused here, under the person's lock taken just before, if an
    // identity of the same authority joined the person meanwhile.
    "WHERE $21 <> 'auto' OR NOT EXISTS (SELECT 1 FROM pix_identities s WHERE s.person_id = "
    "$3::bigint AND s.authority = $1 AND s.status = 'active' AND s.local_id <> $2) "
    "RETURNING person_id), "
    "h AS (INSERT INTO pix_link_history (authority, local_id, action, to_person, score) "
    "SELECT $1, $2, $23, person_id, $22::real FROM i) "
    "SELECT person_id FROM i"};

constexpr pg::Statement kUpdateDemographics{
    "pix_update_demographics",
    "UPDATE pix_identities SET family_kanji = $3, given_kanji = $4, family_kana = $5, "
    "given_kana = $6, birth_date = $7, sex = $8, address = $9, postal_code = $10, phone = $11, "
    "n_kana_family = $12, n_kana_given = $13, k_kana_family = $14, k_kana_given = $15, "
    "n_kanji_family = $16, n_kanji_given = $17, n_phone = $18, n_postal = $19, r_first = $20, "
    "r_second = $21, updated_at = now() "
    "WHERE authority = $1 AND local_id = $2"};

// Candidates sharing at least one blocking key (see the indexes in 0001_identities.sql).
// Each branch is a plain equality on an index so that the cached generic plan of this
// prepared statement is four index scans; an absent key is passed as kNoKey, which no row
// holds (a "$2 <> ''" guard would make the generic plan a sequential scan).
#define PIX_CANDIDATE_COLUMNS                                                           \
  "SELECT authority, local_id, person_id, n_kana_family, n_kana_given, k_kana_family, " \
  "k_kana_given, n_kanji_family, n_kanji_given, birth_date, sex, n_phone, n_postal "    \
  "FROM pix_identities WHERE status = 'active' AND "
constexpr pg::Statement kCandidates{
    "pix_candidates",
    "SELECT c.*, EXISTS (SELECT 1 FROM pix_identities s WHERE s.person_id = c.person_id "
    "AND s.authority = $6 AND s.status = 'active' AND s.local_id <> $7) FROM ("
    " (" PIX_CANDIDATE_COLUMNS
    "birth_date = $1 AND k_kana_family = $2 LIMIT $5)"
    " UNION"
    " (" PIX_CANDIDATE_COLUMNS
    "birth_date = $1 AND k_kana_given = $3 LIMIT $5)"
    " UNION"
    " (" PIX_CANDIDATE_COLUMNS
    "k_kana_family = $2 AND k_kana_given = $3"
    "  AND left(birth_date, 4) = $8 LIMIT $5)"
    " UNION"
    " (" PIX_CANDIDATE_COLUMNS
    "birth_date = $1 AND (k_kana_family || k_kana_given) = $9 LIMIT $5)"
    " UNION"
    " (" PIX_CANDIDATE_COLUMNS
    "n_phone = $4 LIMIT $5)"
    // A romaji-only record and a kana one meet through the romaji reading.
    " UNION"
    " (" PIX_CANDIDATE_COLUMNS
    "birth_date = $1 AND r_first = $10 LIMIT $5)"
    " UNION"
    " (" PIX_CANDIDATE_COLUMNS
    "birth_date = $1 AND r_second = $11 LIMIT $5)"
    ") AS c WHERE NOT (authority = $6 AND local_id = $7) LIMIT $5"};
#undef PIX_CANDIDATE_COLUMNS

constexpr const char* kNoKey = "\x01";

constexpr pg::Statement kLockPerson{"pix_lock_person",
                                    "SELECT 1 FROM pix_persons WHERE id = $1 FOR UPDATE"};

constexpr pg::Statement kSameAuthorityInPerson{
    "pix_same_authority_in_person",
    "SELECT 1 FROM pix_identities WHERE person_id = $1 AND authority = $2 AND status = 'active' "
    "AND local_id <> $3 LIMIT 1"};

constexpr pg::Statement kPersonSize{
    "pix_person_size",
    "SELECT count(*) FROM (SELECT 1 FROM pix_identities WHERE person_id = $1 AND status = 'active' "
    "LIMIT 2) AS s"};

constexpr pg::Statement kQueueReview{
    "pix_queue_review",
    "INSERT INTO pix_review_queue (authority, local_id, candidate_authority, candidate_local_id, "
    "score, cause) VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (authority, local_id, candidate_authority, candidate_local_id) "
    "WHERE status = 'open' DO UPDATE SET score = EXCLUDED.score, cause = EXCLUDED.cause"};

std::vector<std::string> blocking_keys(const MatchRecord& m) {
  std::vector<std::string> keys;
  if (!m.birth_date.empty() && !m.key_family.empty())
    keys.push_back("bf|" + m.birth_date + "|" + m.key_family);
  if (!m.birth_date.empty() && !m.key_given.empty())
    keys.push_back("bg|" + m.birth_date + "|" + m.key_given);
  if (!m.key_family.empty() && !m.key_given.empty()) {
    keys.push_back("fg|" + m.key_family + "|" + m.key_given + "|" + m.birth_date.substr(0, 4));
  }
  if (!m.birth_date.empty() && !(m.key_family + m.key_given).empty()) {
    keys.push_back("bn|" + m.birth_date + "|" + m.key_family + m.key_given);
  }
  if (!m.phone.empty())
    keys.push_back("ph|" + m.phone);
  if (!m.birth_date.empty() && !m.romaji_first.empty())
    keys.push_back("rf|" + m.birth_date + "|" + m.romaji_first);
  if (!m.birth_date.empty() && !m.romaji_second.empty())
    keys.push_back("rs|" + m.birth_date + "|" + m.romaji_second);
  return keys;
}

std::string sex_text(char s) {
  return std::string(1, s == 'M' || s == 'F' || s == 'O' ? s : 'U');
}

struct Candidate {
  IdentityKey key;
  std::int64_t person_id;
  double score;
};

struct PersonScore {
  double best = -1e9;
  IdentityKey best_key;
};

// Inserts one identity into `person` (a new person when empty) and records how.
// Empty when an automatic link was refused by the same-authority guard.
std::optional<std::int64_t> insert_identity(pg::Tx& tx, const IdentityKey& k,
                                            std::optional<std::int64_t> person,
                                            const Demographics& d, const MatchRecord& m,
                                            const char* origin, std::optional<double> score,
                                            const char* action) {
  auto rows =
      tx.exec(kInsertIdentity, k.authority, k.local_id, Nullable(person).get(), d.family_kanji,
              d.given_kanji, d.family_kana, d.given_kana, m.birth_date, sex_text(d.sex), d.address,
              d.postal_code, d.phone, m.kana_family, m.kana_given, m.key_family, m.key_given,
              m.kanji_family, m.kanji_given, m.phone, m.postal, std::string(origin),
              Nullable(score).get(), std::string(action), m.romaji_first, m.romaji_second);
  if (rows.empty())
    return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

void update_identity(pg::Tx& tx, const IdentityKey& k, const Demographics& d,
                     const MatchRecord& m) {
  tx.exec(kUpdateDemographics, k.authority, k.local_id, d.family_kanji, d.given_kanji,
          d.family_kana, d.given_kana, m.birth_date, sex_text(d.sex), d.address, d.postal_code,
          d.phone, m.kana_family, m.kana_given, m.key_family, m.key_given, m.kanji_family,
          m.kanji_given, m.phone, m.postal, m.romaji_first, m.romaji_second);
}

// Matching of `key` (already stored in `own_person`) against everyone else. Returns the
// person it auto-links to, if any, and queues review items.
struct MatchOutcome {
  std::optional<std::int64_t> person;
  IdentityKey best_key;  // the identity of `person` that matched best
  double score = 0;
  int reviews = 0;
};

MatchOutcome match(pg::Tx& tx, const IdentityKey& key, const MatchRecord& m,
                   const MatchSettings& s) {
  MatchOutcome out;
  auto key_or_none = [](const std::string& k) { return k.empty() ? std::string(kNoKey) : k; };
  const std::string birth = key_or_none(m.birth_date);
  const std::string family = key_or_none(m.key_family);
  const std::string given = key_or_none(m.key_given);
  const std::string year =
      m.birth_date.size() >= 4 ? m.birth_date.substr(0, 4) : std::string(kNoKey);
  auto rows = tx.exec(kCandidates, birth, family, given, key_or_none(m.phone), s.max_candidates,
                      key.authority, key.local_id, year, key_or_none(m.key_family + m.key_given),
                      key_or_none(m.romaji_first), key_or_none(m.romaji_second));
  std::map<std::int64_t, PersonScore> persons;
  // Persons already holding an identity of this authority: never an automatic link (a
  // facility does not issue two ids to one patient knowingly; if it did, a human decides).
  std::set<std::int64_t> same_authority;
  for (const auto& r : rows) {
    MatchRecord c;
    c.kana_family = r[3].as<std::string>();
    c.kana_given = r[4].as<std::string>();
    c.key_family = r[5].as<std::string>();
    c.key_given = r[6].as<std::string>();
    c.kanji_family = r[7].as<std::string>();
    c.kanji_given = r[8].as<std::string>();
    c.birth_date = r[9].as<std::string>();
    const std::string sex = r[10].as<std::string>();
    c.sex = sex.empty() ? 'U' : sex[0];
    c.phone = r[11].as<std::string>();
    c.postal = r[12].as<std::string>();
    const double sc = score(m, c, s.weights);
    if (classify(sc, s) == Decision::kApart)
      continue;
    Candidate cand{{r[0].as<std::string>(), r[1].as<std::string>()}, r[2].as<std::int64_t>(), sc};
    if (r[13].as<bool>())
      same_authority.insert(cand.person_id);
    PersonScore& ps = persons[cand.person_id];
    if (sc > ps.best)
      ps = {sc, cand.key};
  }
  if (persons.empty())
    return out;

  std::vector<std::pair<std::int64_t, PersonScore>> autos;
  for (const auto& [person, ps] : persons) {
    if (classify(ps.best, s) == Decision::kAutoLink && !same_authority.count(person)) {
      autos.emplace_back(person, ps);
    }
  }
  if (autos.size() == 1) {
    // Lock the person: a feed from the same authority may be joining it concurrently (its
    // insert statement touched the person row, so this waits for its commit). The caller's
    // next statement sees that commit and re-applies the same-authority rule.
    out.person = autos.front().first;
    out.score = autos.front().second.best;
    out.best_key = autos.front().second.best_key;
    tx.exec(kLockPerson, *out.person);
  }
  for (const auto& [person, ps] : persons) {
    if (out.person && person == *out.person)
      continue;
    const char* cause = same_authority.count(person) ? "same_authority"
                        : autos.size() > 1 && classify(ps.best, s) == Decision::kAutoLink
                            ? "ambiguous"
                            : "score";
    tx.exec(kQueueReview, key.authority, key.local_id, ps.best_key.authority, ps.best_key.local_id,
            ps.best, std::string(cause));
    ++out.reviews;
  }
  return out;
}

}  // namespace

PgIdentityStore::PgIdentityStore(pg::Pool& pool, StoreSettings settings)
    : pool_(pool), settings_(std::move(settings)) {}

FeedResult PgIdentityStore::register_identity(const std::vector<IdentityKey>& keys,
                                              const Demographics& d) {
  if (keys.empty())
    throw Error(ErrorCode::kBadRequest, "no patient identifier");
  for (const auto& k : keys) {
    if (k.authority.empty() || k.local_id.empty()) {
      throw Error(ErrorCode::kBadRequest, "patient identifier needs an authority and a local id");
    }
  }
  const MatchRecord m = match_record(d);
  FeedResult out = pg::transact(pool_, [&](pg::Tx& tx) {
    FeedResult result;
    tx.exec(kLockKeys, text_array(blocking_keys(m)));
    for (const auto& k : keys) {
      if (!domain_cached(k.authority))
        tx.exec(kEnsureDomain, k.authority, std::string());
    }
    const IdentityKey& key = keys.front();
    auto existing = tx.exec(kFindForUpdate, key.authority, key.local_id);
    if (existing.empty()) {
      MatchOutcome mo = match(tx, key, m, settings_.match);
      result.review_items = mo.reviews;
      if (mo.person && insert_identity(tx, key, *mo.person, d, m, "auto", mo.score, "auto_link")) {
        result = {*mo.person, FeedOutcome::kAutoLinked, mo.score, mo.reviews};
        notify(tx, settings_.notification_consumers, *mo.person);
      } else {
        if (mo.person) {
          // Lost a race to an identity of the same authority: stand apart, a human decides.
          tx.exec(kQueueReview, key.authority, key.local_id, mo.best_key.authority,
                  mo.best_key.local_id, mo.score, std::string("same_authority"));
          result.review_items = mo.reviews + 1;
        }
        result.person_id =
            *insert_identity(tx, key, std::nullopt, d, m, "new", std::nullopt, "create");
        result.outcome = FeedOutcome::kCreated;
      }
    } else {
      IdentityRecord rec = to_record(existing[0]);
      update_identity(tx, key, d, m);
      result.person_id = rec.person_id;
      result.outcome = FeedOutcome::kUpdated;
      // A revised identity is matched again only while it stands alone and was never placed
      // by a person: links made by hand or by an earlier match are not undone by a feed.
      const bool rematch = !rec.merged && rec.link_origin == "new" &&
                           tx.exec(kPersonSize, rec.person_id)[0][0].as<int>() == 1;
      if (rematch) {
        MatchOutcome mo = match(tx, key, m, settings_.match);
        result.review_items = mo.reviews;
        if (mo.person &&
            tx.exec(kSameAuthorityInPerson, *mo.person, key.authority, key.local_id).empty()) {
          tx.exec(kTouchPerson, *mo.person);
          tx.exec(kMoveIdentity, key.authority, key.local_id, *mo.person, std::string("auto"),
                  Nullable(std::optional<double>(mo.score)).get(), std::string(), std::string());
          record_change(tx, key, "auto_link", rec.person_id, *mo.person, mo.score, "", "");
          result.person_id = *mo.person;
          result.score = mo.score;
          notify(tx, settings_.notification_consumers, *mo.person);
        }
      }
    }
    // Further identifiers in the same message are the same patient by the source's word.
    for (std::size_t i = 1; i < keys.size(); ++i) {
      const IdentityKey& other = keys[i];
      auto row = tx.exec(kFindForUpdate, other.authority, other.local_id);
      if (row.empty()) {
        insert_identity(tx, other, result.person_id, d, m, "source", std::nullopt, "source_link");
        notify(tx, settings_.notification_consumers, result.person_id);
      } else {
        IdentityRecord rec = to_record(row[0]);
        if (rec.person_id != result.person_id && !rec.merged) {
          tx.exec(kMoveIdentity, other.authority, other.local_id, result.person_id,
                  std::string("source"), Nullable().get(), std::string(), std::string());
          record_change(tx, other, "source_link", rec.person_id, result.person_id, std::nullopt, "",
                        "");
          notify(tx, settings_.notification_consumers, rec.person_id);
          notify(tx, settings_.notification_consumers, result.person_id);
        }
      }
    }
    return result;
  });
  std::lock_guard lock(domains_mutex_);
  for (const auto& k : keys)
    known_domains_.insert(k.authority);
  return out;
}

bool PgIdentityStore::domain_cached(const std::string& authority) {
  std::lock_guard lock(domains_mutex_);
  return known_domains_.count(authority) > 0;
}

}  // namespace hareyaka::pix
