// The directory as an interface: facilities and users, their credentials and lockout state.
// Every list is paged. Implemented on PostgreSQL by PgDirectoryStore; the IHE HPD endpoints
// (#9) and the admin console adapt it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "hpd/facility.hpp"
#include "hpd/page.hpp"
#include "hpd/time.hpp"
#include "hpd/user.hpp"

namespace hareyaka::hpd {

struct FacilityFilter {
  std::optional<FacilityKind> kind;
  std::optional<std::string> municipality_code;
  std::optional<bool> discloses;
  std::optional<bool> views;
};

struct UserFilter {
  std::optional<std::string> facility_oid;
  std::optional<Profession> profession;
  std::optional<UserStatus> status;
};

// Result of a failed-login record: the counter after it and the lockout end, if locked now.
struct LockState {
  int failed_attempts = 0;
  std::optional<TimePoint> locked_until;
};

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // Facilities. create/update throw Error kUnprocessable (naming the field) for an invalid
  // record, kConflict for a duplicate OID, kNotFound when updating an unknown one.
  virtual void create_facility(const Facility& f) = 0;
  virtual void update_facility(const Facility& f) = 0;
  virtual std::optional<Facility> find_facility(const std::string& oid) = 0;
  virtual Page<Facility> list_facilities(const FacilityFilter& filter, const PageRequest& page) = 0;

  // Users. create returns the new id (User::id ignored); kConflict for a duplicate login id,
  // kUnprocessable for an invalid login id or an unknown facility.
  virtual std::int64_t create_user(const User& u) = 0;
  virtual std::optional<User> find_user(std::int64_t id) = 0;
  virtual std::optional<User> find_user_by_login(const std::string& login_id) = 0;
  // By issuer + serial first, then by subject (a binding that survives certificate renewal).
  virtual std::optional<User> find_user_by_hpki(const std::string& issuer,
                                                const std::string& serial,
                                                const std::string& subject) = 0;
  virtual Page<User> list_users(const UserFilter& filter, const PageRequest& page) = 0;

  virtual void set_status(std::int64_t user_id, UserStatus status) = 0;
  virtual void set_password_hash(std::int64_t user_id, const std::string& hash, TimePoint now) = 0;
  // Enrols (or, with an empty secret, resets) TOTP; resets the replay guard.
  virtual void set_totp_secret(std::int64_t user_id, const std::string& secret_base32) = 0;
  virtual void bind_hpki(std::int64_t user_id, const HpkiBinding& binding) = 0;

  // Lockout bookkeeping, each one atomic statement so two portal replicas agree.
  // A failure increments the counter; reaching max_failures sets locked_until = now + lock_for
  // and resets the counter.
  virtual LockState record_login_failure(std::int64_t user_id, TimePoint now, int max_failures,
                                         std::chrono::seconds lock_for) = 0;
  virtual void record_login_success(std::int64_t user_id) = 0;
  // Replay guard: records `step` as used and returns true only if it is later than the last
  // step used (so a code is accepted at most once, even across replicas).
  virtual bool claim_totp_step(std::int64_t user_id, std::int64_t step) = 0;
};

}  // namespace hareyaka::hpd
