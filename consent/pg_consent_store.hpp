// ConsentStore on PostgreSQL (consent/sql/). The *_in(tx, ...) forms run inside a caller's
// transaction, so a consent change and its audit record commit together.
#pragma once

#include "common/pg.hpp"
#include "consent/consent_store.hpp"

namespace hareyaka::consent {

class PgConsentStore : public ConsentStore {
 public:
  explicit PgConsentStore(pg::Pool& pool) : pool_(pool) {}

  Consent give(const NewConsent& c, TimePoint now) override;
  bool withdraw(std::int64_t consent_id, const std::string& by, const std::string& reason,
                TimePoint now) override;
  std::optional<Consent> find(std::int64_t consent_id) override;
  Page<Consent> list_for_patient(const PatientRef& patient, const PageRequest& page) override;
  Page<ConsentHistoryEntry> history(std::int64_t consent_id, const PageRequest& page) override;
  Page<VisiblePatient> list_visible_patients(const std::string& viewer, TimePoint now,
                                             const PageRequest& page) override;

  static Consent give_in(pg::Tx& tx, const NewConsent& c, TimePoint now);
  static bool withdraw_in(pg::Tx& tx, std::int64_t consent_id, const std::string& by,
                          const std::string& reason, TimePoint now);

 private:
  pg::Pool& pool_;
};

// The local ids at facility `source` (patient id domain `authority`) that some consent in
// force at `now` discloses, in order after `after`, at most `limit`: the patients a gateway
// preserves (issue #20).
std::vector<std::string> consented_local_ids(pg::Pool& pool, const std::string& source,
                                             const std::string& authority, const std::string& after,
                                             int limit, TimePoint now);

}  // namespace hareyaka::consent
