// Consents as an interface; PgConsentStore keeps them in PostgreSQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "consent/consent.hpp"
#include "hpd/page.hpp"

namespace hareyaka::consent {

using hpd::Page;
using hpd::PageRequest;

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;

  // Registers a consent. Error kUnprocessable (naming the field) when the source facility is
  // unknown or does not disclose, the viewer is unknown or does not view, the dates are
  // inverted, the scope is empty or the patient id is malformed.
  virtual Consent give(const NewConsent& c, TimePoint now) = 0;
  // Withdraws from `now` on. Returns false if it was already withdrawn; kNotFound if unknown.
  // Takes effect on the very next decide(): nothing caches consents across requests.
  virtual bool withdraw(std::int64_t consent_id, const std::string& by, const std::string& reason,
                        TimePoint now) = 0;
  virtual std::optional<Consent> find(std::int64_t consent_id) = 0;
  // Every consent of a patient (live, expired and withdrawn), newest first.
  virtual Page<Consent> list_for_patient(const PatientRef& patient, const PageRequest& page) = 0;
  virtual Page<ConsentHistoryEntry> history(std::int64_t consent_id, const PageRequest& page) = 0;

  // The patients viewing facility `viewer` may list at `now` (some live consent names the
  // viewer or all facilities), in (authority, local id) order, paged. Empty when the viewer
  // is not an active viewing facility. This is the ONLY source for patient lists: a list is
  // built from it, never filtered after the fact. A person search (PDQ) instead filters in
  // its own SQL with the consent_visible() predicate; see kVisiblePatientPredicate.
  virtual Page<VisiblePatient> list_visible_patients(const std::string& viewer, TimePoint now,
                                                     const PageRequest& page) = 0;
};

// How a person or patient search filters in SQL. The search's statement, over a table with
// the patient's assigning authority and local id (e.g. PIX's patient identifiers `p`), adds
//
//   AND consent_visible($viewer, hy_ts($now_us), p.authority, p.local_id)
//
// to its WHERE clause, before ORDER BY/LIMIT: each candidate costs one probe of the
// consents_viewer index, and a patient without a live consent for the viewer never leaves
// the database. For a person (several local ids) use EXISTS over the person's identifiers
// with the same predicate.
constexpr const char* kVisiblePatientPredicate =
    "consent_visible($viewer, hy_ts($now_us), p.authority, p.local_id)";

}  // namespace hareyaka::consent
