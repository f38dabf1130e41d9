// Statements and row helpers shared by the PgIdentityStore translation units (internal).
#pragma once

#include <string>
#include <vector>

#include "common/pg.hpp"
#include "pix/identity_store.hpp"

namespace hareyaka::pix::sql {

inline constexpr const char* kIdentityColumns =
    "authority, local_id, person_id, status, merged_into_authority, merged_into_local_id, "
    "family_kanji, given_kanji, family_kana, given_kana, birth_date, sex, address, postal_code, "
    "phone, link_origin, link_score";

inline constexpr pg::Statement kFindForUpdate{
    "pix_find_for_update",
    "SELECT authority, local_id, person_id, status, merged_into_authority, merged_into_local_id, "
    "family_kanji, given_kanji, family_kana, given_kana, birth_date, sex, address, postal_code, "
    "phone, link_origin, link_score FROM pix_identities WHERE authority = $1 AND local_id = $2 "
    "FOR UPDATE"};

inline constexpr pg::Statement kFind{
    "pix_find",
    "SELECT authority, local_id, person_id, status, merged_into_authority, merged_into_local_id, "
    "family_kanji, given_kanji, family_kana, given_kana, birth_date, sex, address, postal_code, "
    "phone, link_origin, link_score FROM pix_identities WHERE authority = $1 AND local_id = $2"};

inline constexpr pg::Statement kMembers{
    "pix_members",
    "SELECT authority, local_id, person_id, status, merged_into_authority, merged_into_local_id, "
    "family_kanji, given_kanji, family_kana, given_kana, birth_date, sex, address, postal_code, "
    "phone, link_origin, link_score FROM pix_identities WHERE person_id = $1 AND status = 'active' "
    "ORDER BY authority, local_id LIMIT $2"};

inline constexpr pg::Statement kNewPerson{
    "pix_new_person",
    "INSERT INTO pix_persons (id) VALUES (nextval('pix_person_seq')) RETURNING id"};

inline constexpr pg::Statement kTouchPerson{
    "pix_touch_person", "UPDATE pix_persons SET updated_at = now() WHERE id = $1"};

inline constexpr pg::Statement kMoveIdentity{
    "pix_move_identity",
    "UPDATE pix_identities SET person_id = $3, link_origin = $4, link_score = $5, linked_by = $6, "
    "link_reason = $7, linked_at = now(), updated_at = now() WHERE authority = $1 AND local_id = "
    "$2"};

inline constexpr pg::Statement kHistory{
    "pix_history_insert",
    "INSERT INTO pix_link_history (authority, local_id, action, from_person, to_person, score, "
    "actor, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};

inline constexpr pg::Statement kEnqueue{
    "pix_outbox_enqueue",
    "INSERT INTO pix_notification_outbox (consumer, person_id) "
    "SELECT c, $2 FROM unnest($1::text[]) AS c "
    "ON CONFLICT (consumer, person_id) WHERE status = 'pending' "
    "DO UPDATE SET change_seq = pix_notification_outbox.change_seq + 1, next_attempt_at = now()"};

inline constexpr pg::Statement kEnsureDomain{
    "pix_ensure_domain",
    "INSERT INTO pix_domains (authority, name) VALUES ($1, $2) ON CONFLICT (authority) DO NOTHING"};

// A nullable parameter: libpqxx 6.4 binds a null const char* as SQL NULL. (std::optional
// parameters are ambiguous between libpqxx's own support and common/pg.hpp's.)
class Nullable {
 public:
  Nullable() = default;
  template <typename T>
  explicit Nullable(const std::optional<T>& v) : null_(!v) {
    if (v)
      text_ = pqxx::to_string(*v);
  }
  const char* get() const { return null_ ? nullptr : text_.c_str(); }

 private:
  std::string text_;
  bool null_ = true;
};

// A PostgreSQL array literal of text values.
std::string text_array(const std::vector<std::string>& values);
std::vector<std::int64_t> parse_bigint_array(const std::string& literal);
std::vector<std::string> parse_text_array(const std::string& literal);

IdentityRecord to_record(const pqxx::row& r);

void record_change(pg::Tx& tx, const IdentityKey& k, const char* action,
                   std::optional<std::int64_t> from, std::int64_t to, std::optional<double> score,
                   const std::string& actor, const std::string& reason);

void notify(pg::Tx& tx, const std::vector<std::string>& consumers, std::int64_t person_id);

}  // namespace hareyaka::pix::sql
