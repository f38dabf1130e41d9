#include "consent/consent.hpp"

namespace hareyaka::consent {

ConsentState Consent::state_at(TimePoint now) const {
  if (withdrawn_at && *withdrawn_at <= now)
    return ConsentState::kWithdrawn;
  if (expires_at && *expires_at <= now)
    return ConsentState::kExpired;
  if (starts_at > now)
    return ConsentState::kPending;
  return ConsentState::kActive;
}

std::string_view to_string(ConsentState s) {
  switch (s) {
    case ConsentState::kPending:
      return "pending";
    case ConsentState::kActive:
      return "active";
    case ConsentState::kExpired:
      return "expired";
    case ConsentState::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

}  // namespace hareyaka::consent
