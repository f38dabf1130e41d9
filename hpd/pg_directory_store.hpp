// DirectoryStore on PostgreSQL (tables of hpd/sql/).
#pragma once

#include <string>

#include "common/pg.hpp"
#include "hpd/directory_store.hpp"
#include "hpd/oid.hpp"

namespace hareyaka::hpd {

class PgDirectoryStore : public DirectoryStore {
 public:
  explicit PgDirectoryStore(pg::Pool& pool,
                            std::string network_root = std::string(kDefaultNetworkRoot))
      : pool_(pool), root_(std::move(network_root)) {}

  void create_facility(const Facility& f) override;
  void update_facility(const Facility& f) override;
  std::optional<Facility> find_facility(const std::string& oid) override;
  Page<Facility> list_facilities(const FacilityFilter& filter, const PageRequest& page) override;

  std::int64_t create_user(const User& u) override;
  std::optional<User> find_user(std::int64_t id) override;
  std::optional<User> find_user_by_login(const std::string& login_id) override;
  std::optional<User> find_user_by_hpki(const std::string& issuer, const std::string& serial,
                                        const std::string& subject) override;
  Page<User> list_users(const UserFilter& filter, const PageRequest& page) override;

  void set_status(std::int64_t user_id, UserStatus status) override;
  void set_password_hash(std::int64_t user_id, const std::string& hash, TimePoint now) override;
  void set_totp_secret(std::int64_t user_id, const std::string& secret_base32) override;
  void bind_hpki(std::int64_t user_id, const HpkiBinding& binding) override;

  LockState record_login_failure(std::int64_t user_id, TimePoint now, int max_failures,
                                 std::chrono::seconds lock_for) override;
  void record_login_success(std::int64_t user_id) override;
  bool claim_totp_step(std::int64_t user_id, std::int64_t step) override;

 private:
  pg::Pool& pool_;
  std::string root_;
};

// The facility with `oid`, read in the caller's transaction (for work that must see it
// together with its own writes).
std::optional<Facility> find_facility(pg::Tx& tx, const std::string& oid);
// Unvalidated writes inside a caller's transaction (the store's create/update validate first).
void insert_facility(pg::Tx& tx, const Facility& f);
pqxx::result update_facility(pg::Tx& tx, const Facility& f);  // affected_rows() 0: unknown

}  // namespace hareyaka::hpd
