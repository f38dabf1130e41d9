// One facility disclosing through the hosted gateway (issue #17): to the portal an ordinary
// disclosing facility, with its own facility OID and patient id domain, its own network
// certificate (its ITI-44 feeds and locators are its own), its own storage area, index,
// outbox and local audit. Nothing of it is shared with another tenant but the process: the
// portal's public key, the directory copy and the listener.
//
// Its folder (<tenants_dir>/<id>/): ssmix2/ (standard storage, written by uploads only),
// extended/ (extended storage: the web form's documents), uploads/ (staging, journals, reports),
// received/ (お薬手帳 and FHIR uploads as received), state/ (index cache, outbox, audit.jsonl).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/assertion.hpp"
#include "common/http_client.hpp"
#include "common/peer_allowlist.hpp"
#include "common/router.hpp"
#include "gateway/directory/directory_cache.hpp"
#include "gateway/hosted/dispensing_store.hpp"
#include "gateway/hosted/fhir_store.hpp"
#include "gateway/hosted/ssmix2_upload.hpp"
#include "gateway/hosted/upload_access.hpp"
#include "gateway/local_audit.hpp"
#include "gateway/publish/outbox.hpp"
#include "gateway/publish/publisher.hpp"
#include "gateway/storage/storage_index.hpp"

namespace hareyaka::gateway::hosted {

struct TenantSettings {
  std::string id;  // [a-z0-9][a-z0-9-]{0,31}: the path segment /t/<id>
  std::string facility_oid;
  std::string patient_authority;  // default: facility_oid + ".1"
  tls::ClientSettings tls;        // the tenant's network certificate, towards the portal
  std::uint64_t quota_bytes = 1ull << 30;
};

// What every tenant of the process uses.
struct SharedParts {
  const AssertionVerifier& verifier;   // the portal's key
  const http::PeerAllowlist& readers;  // who may read status routes
  const DirectoryCache* directory;     // null: no portal
  UnknownUserPolicy unknown_users;
  std::string portal_url;  // empty: no portal (nothing is published)
  UploadLimits limits;
  std::string tenants_dir;
  const http::ClientThread* client_thread = nullptr;  // the publishers' shared HTTPS thread
};

class Tenant {
 public:
  Tenant(TenantSettings settings, const SharedParts& shared);
  ~Tenant();
  Tenant(const Tenant&) = delete;
  Tenant& operator=(const Tenant&) = delete;

  // Finishes interrupted uploads, indexes the storage, queues what the portal lacks.
  void start();
  const TenantSettings& settings() const { return settings_; }
  const http::Router& router() const { return router_; }
  publish::Publisher* publisher() { return publisher_.get(); }
  // Called after something was queued for the portal (the pump's wake-up); may be empty.
  void on_queued(std::function<void()> fn) { queued_ = std::move(fn); }
  nlohmann::json status() const;

 private:
  void add_routes();
  void add_jahis_route(const UploadChecker& checker);
  void add_disclosed_routes(const UploadChecker& checker);  // disclosed_routes.cpp
  void add_fhir_route(const UploadChecker& checker);        // fhir_route.cpp
  // The dispensings' and the FHIR uploads' items of a category (the data API's supplement).
  std::vector<nlohmann::json> supplement(const std::string& patient_id,
                                         std::string_view category) const;
  void add_form_routes(const UploadChecker& checker);  // form_routes.cpp: the web form
  // What every upload ends with: the paths it placed indexed (storage `kind`), the patient
  // queued for the portal when `changed` is not empty (items the index does not hold: files
  // received as sent), the outcome audited as `action`, the report kept and logged. Returns
  // the answer's HTTP status.
  int finish_upload(const UploadChecker& checker, const http::Request& req,
                    const AccessAssertion& who, const UploadReport& report,
                    const std::vector<std::string>& placed, storage::StorageKind kind,
                    const std::string& changed, const std::string& action);

  TenantSettings settings_;
  const SharedParts& shared_;
  std::string dir_;
  LocalAudit audit_;
  Ssmix2Store store_;
  DispensingStore dispensings_;
  FhirStore fhir_;
  std::unique_ptr<storage::StorageIndex> index_;
  std::unique_ptr<publish::Outbox> outbox_;
  std::unique_ptr<publish::Publisher> publisher_;
  http::Router router_;
  std::function<void()> queued_;
};

}  // namespace hareyaka::gateway::hosted
