// The IHE HPD Provider Information Directory: processes a DSMLv2 batch (ITI-58 searches,
// ITI-59 add/modify/del/modDN, and LDAP's compare, abandon and extended requests) against the
// hpd_entries table and answers with the batch response. No transport here: the portal's /hpd
// route adapts it to SOAP.
//
// Reads (search, compare) belong to an ITI-58 query and are open to any caller; writes belong
// to an ITI-59 feed and need may_feed; extended requests (Who am I?) and abandon requests are
// allowed in either. An abandonRequest names the requestID of a LATER request of the same
// batch: every later request with that ID is neither performed nor answered. One naming an
// earlier request (or none) has no effect: requests run in order, so it is already answered.
// An abandonRequest is never answered itself, except one without abandonID (an errorResponse
// of type malformedRequest).
//
// Every write request runs in its own transaction: it is applied whole or not at all (a
// failure changes nothing). Requests run in order; with onError="exit" (the DSML default)
// the first failed request ends the batch (the rest are not answered, as DSMLv2 specifies),
// with onError="resume" every request is attempted. The change hook runs inside the write's
// transaction, so whatever it records (the audit record, a feed outbox row) commits or rolls
// back with the change.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "hpd/dsml/dn.hpp"
#include "hpd/dsml/dsml.hpp"
#include "hpd/hpd_mapping.hpp"
#include "hpd/hpd_schema.hpp"

namespace hareyaka::hpd {

struct StoredEntry;

struct HpdSettings {
  DitSettings dit;
  // Further suffixes (base DNs) entries may be fed under, e.g. another network's
  // "o=HPDTEST,dc=HPD,c=US"; dit.base_dn is always one.
  std::vector<std::string> extra_base_dns;
  std::uint32_t max_results = 500;  // server size limit per search
  // Server time limit per search; a client's timeLimit (seconds) is bounded by it. A search
  // past its limit stops and answers timeLimitExceeded with the entries found so far.
  std::chrono::milliseconds max_time{30000};
  // The clock search deadlines are measured on (steady_clock when empty; tests inject one).
  std::function<std::chrono::steady_clock::time_point()> clock;
  // How a substring search reads a container (hpd_search.cpp): it walks the DN order in
  // windows of first_window rows, growing to max_window, while at least `density` of the rows
  // match, and takes the rest through the trigram index once they match more rarely.
  struct SubstringWalk {
    int first_window = 2000;
    int max_window = 50000;
    double density = 0.01;
  } substring_walk;
};

enum class HpdCallerKind {
  kNode,  // a network node by its TLS client certificate: name is its subject DN
  kUser,  // a console user (the admin console's HPD page): name is the login id
};

// Who sent the batch.
struct HpdCaller {
  std::string name;          // node certificate subject or user login id, for the audit
  std::string facility_oid;  // when known
  bool may_feed = false;     // ITI-59 allowed
  HpdCallerKind kind = HpdCallerKind::kNode;
};

// The caller's authorization identity as RFC 4513 writes it (the Who am I? response):
// "dn:<subject>" for a node, "u:<login id>" for a user, empty for a node without a subject
// (anonymous).
std::string authz_id(const HpdCaller& caller);

enum class HpdTransaction { kQuery, kFeed, kAny };

struct HpdChange {
  dsml::Operation operation = dsml::Operation::kAdd;
  EntryKind kind = EntryKind::kProfessional;
  std::string dn;                           // the entry's DN (before a modDN)
  std::string new_dn;                       // after a modDN, else the same as dn
  std::optional<std::string> facility_oid;  // the bound facility, if any
  std::optional<std::string> login_id;      // the bound user, if any
  dsml::Entry entry;  // the entry as stored after the change (empty after a delete)
};

using HpdChangeHook = std::function<void(pg::Tx&, const HpdChange&, const HpdCaller&)>;

class HpdService {
 public:
  // Throws std::invalid_argument when a configured base DN is not a valid DN.
  HpdService(pg::Pool& pool, HpdSettings settings, HpdChangeHook on_change = {});

  // Never throws for bad input: every problem is a resultCode in the response. A database
  // failure becomes resultCode "unavailable" (52) or "other" (80) for that request.
  dsml::BatchResponse process(const dsml::BatchRequest& batch, const HpdCaller& caller,
                              HpdTransaction transaction = HpdTransaction::kAny);

  // Typed operations (also used by process()).
  dsml::SearchResponse search(const dsml::SearchRequest& r);
  dsml::LdapResult add(const dsml::AddRequest& r, const HpdCaller& caller);
  dsml::LdapResult modify(const dsml::ModifyRequest& r, const HpdCaller& caller);
  dsml::LdapResult del(const dsml::DelRequest& r, const HpdCaller& caller);
  dsml::LdapResult mod_dn(const dsml::ModDnRequest& r, const HpdCaller& caller);
  // compareTrue / compareFalse by the equality rule of search filters (hpd_filter's
  // evaluate); noSuchObject when no entry has the DN (the directory view's included),
  // undefinedAttributeType for an attribute the schema does not know, noSuchAttribute when
  // the entry lacks it.
  dsml::LdapResult compare(const dsml::CompareRequest& r);
  // Who am I? (RFC 4532); any other requestName is a protocolError (RFC 4511 4.12).
  dsml::ExtendedResponse extended(const dsml::ExtendedRequest& r, const HpdCaller& caller);

  // Brings rows written under an older index format (before the substring index) up to date,
  // in batches; the portal calls it once at start. Returns how many rows were rewritten.
  std::size_t refresh_indexes();

  const std::vector<dsml::Dn>& suffixes() const { return suffixes_; }

 private:
  dsml::LdapResult run_write(const std::string& request_id,
                             const std::function<dsml::LdapResult(pg::Tx&)>& fn);
  std::optional<MappingError> bind_facility(pg::Tx& tx, const std::string& dn_norm,
                                            const dsml::Entry& entry,
                                            std::optional<std::string>& facility_oid);
  std::optional<MappingError> bind_user(pg::Tx& tx, const std::string& dn_norm,
                                        const dsml::Entry& entry,
                                        std::optional<std::string>& login_id);
  // Facility or user binding after an add, modify or modDN of `s` (bound before: `before`).
  void bind(pg::Tx& tx, StoredEntry& s, std::optional<std::string> before_facility,
            std::optional<std::string> before_login);

  // After a modDN: every member, owner, memberOf or seeAlso value naming the old DN names the
  // new one (what OpenLDAP's refint overlay does), each rewritten entry a modify change.
  void rewrite_references(pg::Tx& tx, const std::string& old_norm, const std::string& new_dn,
                          const HpdCaller& caller);

  pg::Pool& pool_;
  HpdSettings settings_;
  HpdChangeHook on_change_;
  std::vector<dsml::Dn> suffixes_;
};

}  // namespace hareyaka::hpd
