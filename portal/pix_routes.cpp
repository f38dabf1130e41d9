#include "portal/pix_routes.hpp"

#include <chrono>

#include "common/error.hpp"
#include "common/log.hpp"
#include "hpd/oid.hpp"
#include "portal/xca_responder.hpp"
#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/soap.hpp"

namespace hareyaka::portal {

namespace {
constexpr std::size_t kSoapBodyLimit = 4 * 1024 * 1024;
}

namespace {

// The calling node as pix::Service screens its feeds: the patient id domain of the facility
// whose gateway certificate it presented (none if unregistered; the same lookup NodeScope made
// for its queries), and which domains belong to facilities of this network. The rule itself
// is in pix/feed_screen.cpp.
pix::FeedSender feed_sender(const NodeCaller& caller, const std::string& network_root) {
  pix::FeedSender sender;
  if (!caller.facility_oid.empty())
    sender.own_domain = hpd::patient_id_domain(caller.facility_oid);
  sender.is_facility_domain = [network_root](std::string_view authority) {
    return hpd::facility_of_patient_domain(authority, network_root).has_value();
  };
  return sender;
}

// The audit record of a node's query (ITI-45, ITI-47): who asked, what about, how much the
// answer disclosed, and the exception it used if any. Written before the answer leaves; when
// it cannot be written the answer is not sent (a SOAP Receiver fault, 503).
audit::AuditEvent query_event(const NodeCaller& caller, const pix::SoapResult& r) {
  audit::AuditEvent e;
  e.type = audit::EventType::kSearch;
  e.outcome = audit::Outcome::kSuccess;
  e.actor_user = caller.name;
  e.actor_facility = caller.facility_oid;
  if (r.queried) {
    e.patient_authority = r.queried->authority;
    e.patient_local_id = r.queried->local_id;
  }
  e.reason = caller.exception            ? "registry_wide_exception"
             : r.transaction == "ITI-55" ? "cross_community_query"
                                         : "node_query";
  e.detail = r.transaction + ": " + std::to_string(r.disclosed) +
             (r.transaction == "ITI-45" ? " cross-references" : " persons");
  if (caller.exception)
    e.detail += " (exception: " + caller.exception->reason + ")";
  return e;
}

http::Response answer_audited(pix::SoapResult r, const NodeCaller& caller, audit::AuditLog& audit,
                              pix::Service& service) {
  if (!r.transaction.empty()) {
    try {
      audit.append(query_event(caller, r), std::chrono::system_clock::now());
    } catch (const std::exception&) {
      log::error("node query not answered: its audit record could not be written",
                 {.component = "pix", .peer = caller.name});
      const hl7v3::SoapFault f(hl7v3::FaultCode::kReceiver,
                               "the identity manager could not record the query; retry later");
      return http::Response::text(
          503, hl7v3::write_fault(f, {}, service.new_uuid()),
          hl7v3::soap_content_type("http://www.w3.org/2005/08/addressing/soap/fault"));
    }
  }
  return http::Response::text(r.http_status, std::move(r.body), r.content_type);
}

}  // namespace

void add_pix_routes(http::Router& nodes, pix::Service& service, std::string network_root,
                    const NodeScope& scope, audit::AuditLog& audit) {
  nodes.add_blocking(
      "POST", "/pix/v3",
      [&service, network_root, &scope, &audit](http::Request& req) {
        const NodeCaller caller = scope.caller(req);  // one directory lookup per request
        const pix::FeedSender sender = feed_sender(caller, network_root);
        const pix::IdentityFilter filter = scope.filter(caller);
        return answer_audited(
            service.handle_pix_soap(req.body, req.header("Content-Type").value_or(""), &sender,
                                    &filter),
            caller, audit, service);
      },
      {.body_limit = kSoapBodyLimit, .summary = "IHE PIX V3: ITI-44 feed, ITI-45 query"});
  nodes.add_blocking("POST", "/pdq/v3",
                     [&service, &scope, &audit](http::Request& req) {
                       // Within the calling node's scope (node_scope.hpp); users search through the
                       // viewer API, which decides per user. See docs/security-model.md.
                       const NodeCaller caller = scope.caller(req);
                       return answer_audited(service.handle_pdq_soap(
                                                 req.body, req.header("Content-Type").value_or(""),
                                                 scope.filter(caller)),
                                             caller, audit, service);
                     },
                     {.body_limit = kSoapBodyLimit, .summary = "IHE PDQ V3: ITI-47 query"});
}

void add_xcpd_routes(http::Router& nodes, pix::Service& service, const XcpdConfig& xcpd,
                     const NodeScope& scope, audit::AuditLog& audit) {
  nodes.add_blocking(
      "POST", "/xcpd/v3",
      [&service, &xcpd, &scope, &audit](http::Request& req) {
        const PeerCommunity* peer = peer_of(xcpd, req);
        if (!peer || xcpd.home_community_id.empty()) {
          // Default deny: a certificate of this network's own nodes, or of nobody configured.
          const hl7v3::SoapFault f(hl7v3::FaultCode::kSender,
                                   "this certificate is not a configured peer community");
          return http::Response::text(
              403, hl7v3::write_fault(f, {}, service.new_uuid()),
              hl7v3::soap_content_type("http://www.w3.org/2005/08/addressing/soap/fault"));
        }
        const pix::XcpdSettings settings{xcpd.home_community_id, xcpd.patient_id_authority,
                                         xcpd.minimum_degree};
        NodeCaller caller{.name = "community:" + peer->name + " (" + peer->home_community_id + ")"};
        return answer_audited(
            service.handle_xcpd_soap(req.body, req.header("Content-Type").value_or(""),
                                     scope.community_filter(peer->home_community_id), settings,
                                     peer->home_community_id),
            caller, audit, service);
      },
      {.body_limit = kSoapBodyLimit,
       .summary = "IHE XCPD: ITI-55 Cross Gateway Patient Discovery (responding gateway)"});
}

PixNotifier::PixNotifier(pix::IdentityStore& store, pix::Service& service,
                         std::map<std::string, NotificationConsumer> consumers,
                         http::ClientSettings client, std::chrono::milliseconds interval)
    : store_(store),
      service_(service),
      consumers_(std::move(consumers)),
      client_(std::move(client)),
      interval_(interval) {}

PixNotifier::~PixNotifier() {
  stop();
}

void PixNotifier::start() {
  if (consumers_.empty())
    return;
  thread_ = std::thread([this] {
    while (!stop_) {
      try {
        run_once();
      } catch (const std::exception&) {
        log::warn("ITI-46 pass failed", {.component = "pix"});
      }
      for (auto waited = std::chrono::milliseconds(0); waited < interval_ && !stop_;
           waited += std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
}

void PixNotifier::stop() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

int PixNotifier::run_once() {
  int delivered = 0;
  for (const auto& n : store_.claim_due_notifications(50, std::chrono::seconds(60))) {
    auto it = consumers_.find(n.consumer);
    if (it == consumers_.end()) {
      store_.mark_failed(n, "consumer not configured");
      continue;
    }
    auto msg = service_.build_update_notification(n, {}, it->second.url);
    if (!msg) {
      store_.mark_delivered(n);
      continue;
    }
    try {
      auto res = client_.request({.method = "POST",
                                  .url = it->second.url,
                                  .headers = {{"Content-Type", msg->content_type}},
                                  .body = msg->body,
                                  .timeout = std::chrono::seconds(10)});
      bool accepted = false;
      if (res.status >= 200 && res.status < 300) {
        auto env = hl7v3::parse_envelope(res.body, res.headers["Content-Type"]);
        accepted = hl7v3::is_accept(hl7v3::parse_acknowledgement(env.payload).code);
      }
      if (accepted) {
        store_.mark_delivered(n);
        ++delivered;
      } else {
        store_.mark_failed(n, "consumer answered " + std::to_string(res.status) + " without AA/CA");
      }
    } catch (const std::exception& e) {
      store_.mark_failed(n, "delivery failed");
      log::warn("ITI-46 delivery failed", {.component = "pix", .peer = it->second.name});
    }
  }
  return delivered;
}

}  // namespace hareyaka::portal
