// The PIX V3 / PDQ V3 identity manager as plain functions for the portal's HTTP layer:
// `/pix/v3` → handle_pix_soap (ITI-44 feed, ITI-45 query), `/pdq/v3` → handle_pdq_soap
// (ITI-47 query and its continuation/cancel). They take the raw SOAP body and Content-Type
// and return the HTTP status, Content-Type and SOAP body to send; they never throw.
// The typed handle_iti* functions are the same logic without SOAP, for tests and tools.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pix/feed_screen.hpp"
#include "pix/identity_store.hpp"
#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/pdq_query.hpp"
#include "proto/hl7v3/pix_query.hpp"
#include "proto/xml/document.hpp"

namespace hareyaka::pix {

struct ServiceSettings {
  hl7v3::Device device;       // this manager: device id root and organisation (network) OID
  int pdq_max_results = 500;  // matches kept per PDQ query (continuation pages through them)
  int pdq_default_page = 50;  // page size when the query gives no initialQuantity
  std::chrono::seconds pdq_state_ttl{600};
  xml::ParseLimits limits;
  std::function<std::chrono::system_clock::time_point()> clock = std::chrono::system_clock::now;
};

struct SoapResult {
  int http_status = 200;
  std::string content_type;
  std::string body;
  // For a query, what the answer disclosed (the caller's audit record): "ITI-45" or "ITI-47"
  // (empty for feeds and faults), the identity asked about (ITI-45) and how many identities
  // (ITI-45) or persons (ITI-47) the answer lists.
  std::string transaction;
  std::optional<IdentityKey> queried;
  int disclosed = 0;
};

// Which persons the caller may see (portal: the user's consent/role scope). PDQ results
// for which it returns false are left out as if they did not exist. An empty filter allows
// nobody (default deny): a caller that may see everyone (a trusted node) says so explicitly.
using PersonFilter = std::function<bool(std::int64_t person_id)>;

// What a calling node may learn (ITI-45, ITI-47): given persons, each as its active
// identities, which identities of each it may see (the same shape, position by position; one
// call per answer, so the portal decides a page in one statement). A person with no visible
// identity is answered as if it did not exist; an answer lists only the visible identities
// and takes its demographics from them. An empty filter shows nothing (default deny).
using PersonIdentities = std::vector<IdentityKey>;
using IdentityFilter =
    std::function<std::vector<std::vector<bool>>(const std::vector<PersonIdentities>& persons)>;

// A person found by search_persons: its id and its active identities with demographics.
struct PersonMatch {
  std::int64_t person_id = 0;
  std::vector<IdentityRecord> identities;
};

struct PdqAnswer {
  std::optional<hl7v3::AckMessage> cancel_ack;  // for a cancel: an MCCI_IN000002UV01
  hl7v3::PdqResponse response;
  std::string query_by_parameter;  // echoed in the response
};

// This network as an IHE XCPD responding community (ITI-55).
struct XcpdSettings {
  std::string home_community_id;     // OID of this community: the custodian of every answer
  std::string patient_id_authority;  // OID of the community patient ids (one per PIX person)
  int minimum_degree = 90;           // a match below this is not a match across the border
};

// An ITI-46 update notification ready to POST to a consumer.
struct OutgoingMessage {
  std::string action;
  std::string content_type;
  std::string body;
};

class Service {
 public:
  Service(IdentityStore& store, ServiceSettings settings);

  // Without a sender the feed is trusted as is (tests, tools); the portal always passes the
  // calling node, and a feed it may not send gets an MCCI AR (see feed_screen.hpp).
  // ITI-45 answers within `scope` (nullptr: the whole registry, for tests and tools).
  SoapResult handle_pix_soap(std::string_view body, std::string_view content_type,
                             const FeedSender* sender = nullptr,
                             const IdentityFilter* scope = nullptr);
  SoapResult handle_pdq_soap(std::string_view body, std::string_view content_type,
                             const IdentityFilter& scope);

  hl7v3::AckMessage handle_iti44(const hl7v3::PatientFeed& feed,
                                 const FeedSender* sender = nullptr);
  hl7v3::PixQueryResponse handle_iti45(const hl7v3::PixQuery& query,
                                       const IdentityFilter* scope = nullptr);
  PdqAnswer handle_iti47(const hl7v3::PdqQuery& query, const IdentityFilter& scope);
  PdqAnswer handle_pdq_continuation(const hl7v3::PdqContinuation& c, const IdentityFilter& scope);
  // ITI-55 Cross Gateway Patient Discovery from a peer community (`caller_community`, the
  // homeCommunityId its certificate is configured for; the message's sender must say the
  // same). Answers one patient or none: a query that matches several patients above the
  // minimum degree answers none and asks for the attributes that would tell them apart.
  // Identifiers of domains this network does not know (the peer's own) are ignored.
  SoapResult handle_xcpd_soap(std::string_view body, std::string_view content_type,
                              const IdentityFilter& scope, const XcpdSettings& xcpd,
                              std::string_view caller_community);
  PdqAnswer handle_iti55(const hl7v3::PdqQuery& query, const IdentityFilter& scope,
                         const XcpdSettings& xcpd, std::string_view caller_community);

  // Demographic search for the portal's own UI, through the same allow hook as PDQ (the
  // store's search is never exposed without it). At most `limit` persons.
  std::vector<PersonMatch> search_persons(const SearchCriteria& criteria, const PersonFilter& allow,
                                          int limit);

  // The PRPA_IN201302UV02 for a claimed outbox row, addressed to `to_url`, listing the
  // person's identifiers in `domains` (all when empty). Empty when nothing is left to say
  // (the person has no identifiers there any more): mark the row delivered.
  std::optional<OutgoingMessage> build_update_notification(const Notification& n,
                                                           const std::vector<std::string>& domains,
                                                           std::string_view to_url);

  // A new urn:uuid: message id and the current HL7 timestamp (injectable clock).
  std::string new_uuid();
  std::string hl7_now() const;

 private:
  hl7v3::MessageHeader reply_to(const hl7v3::MessageHeader& request, std::string_view interaction);
  // The visible active identities of each person (same order; empty where none is).
  std::vector<std::vector<IdentityRecord>> visible_members(const std::vector<std::int64_t>& persons,
                                                           const IdentityFilter& scope);
  hl7v3::PdqResponse page(const std::vector<std::int64_t>& persons, std::size_t from,
                          std::size_t count, const std::vector<std::string>& scoping,
                          const SearchCriteria& criteria, const IdentityFilter& scope);

  IdentityStore& store_;
  ServiceSettings settings_;
};

}  // namespace hareyaka::pix
