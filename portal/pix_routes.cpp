#include "portal/pix_routes.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "hpd/oid.hpp"
#include "proto/hl7v3/ack.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/soap.hpp"

namespace hareyaka::portal {

namespace {
constexpr std::size_t kSoapBodyLimit = 4 * 1024 * 1024;
}

namespace {

bool is_feed(std::string_view root) {
  return root == "PRPA_IN201301UV02" || root == "PRPA_IN201302UV02" || root == "PRPA_IN201304UV02";
}

http::Response soap_fault(const hl7v3::Addressing& request, std::string reason) {
  hl7v3::SoapFault fault(hl7v3::FaultCode::kSender, std::move(reason));
  return http::Response::text(403, hl7v3::write_fault(fault, request, ""),
                              "application/soap+xml; charset=UTF-8");
}

// Refuses a feed whose patient ids (or merged-away ids) are outside the caller's domain.
std::optional<http::Response> check_feed_source(const http::Request& req,
                                                const NodeFacilityLookup& facility_of,
                                                const std::string& root) {
  hl7v3::Envelope env;
  try {
    env = hl7v3::parse_envelope(req.body, req.header("Content-Type").value_or(""));
  } catch (const std::exception&) {
    return std::nullopt;  // malformed: the service answers with the proper fault
  }
  if (!is_feed(env.payload.local_name()))
    return std::nullopt;
  const std::string fingerprint = req.peer ? req.peer->sha256_fingerprint : "";
  const auto facility = fingerprint.empty() ? std::nullopt : facility_of(fingerprint);
  if (!facility) {
    log::warn("ITI-44 feed from an unregistered node refused",
              {.component = "pix", .peer = req.peer ? req.peer->subject : ""});
    return soap_fault(env.addressing,
                      "this node's certificate is not registered as a facility's gateway");
  }
  const std::string domain = hpd::patient_id_domain(*facility);
  try {
    const auto feed = hl7v3::parse_feed(env.payload);
    std::vector<hl7v3::Ii> ids = feed.patient.ids;
    ids.insert(ids.end(), feed.prior_ids.begin(), feed.prior_ids.end());
    for (const auto& id : ids) {
      if (id.root != domain) {
        log::warn("ITI-44 feed for another facility's domain refused",
                  {.component = "pix", .facility = *facility});
        return soap_fault(env.addressing,
                          "a facility may only feed its own patient id domain (" + domain + ")");
      }
    }
  } catch (const std::exception&) {
    return std::nullopt;  // the service reports what is wrong with the message
  }
  (void)root;
  return std::nullopt;
}

}  // namespace

void add_pix_routes(http::Router& nodes, pix::Service& service, NodeFacilityLookup facility_of,
                    std::string network_root) {
  nodes.add_blocking(
      "POST", "/pix/v3",
      [&service, facility_of, network_root](http::Request& req) {
        if (auto refused = check_feed_source(req, facility_of, network_root))
          return *refused;
        auto r = service.handle_pix_soap(req.body, req.header("Content-Type").value_or(""));
        return http::Response::text(r.http_status, std::move(r.body), r.content_type);
      },
      {.body_limit = kSoapBodyLimit, .summary = "IHE PIX V3: ITI-44 feed, ITI-45 query"});
  nodes.add_blocking(
      "POST", "/pdq/v3",
      [&service](http::Request& req) {
        // Callers here are network nodes authenticated by mutual TLS. Users search through
        // the viewer API, which filters by consent; see docs/conformance.md.
        auto r = service.handle_pdq_soap(req.body, req.header("Content-Type").value_or(""),
                                         [](std::int64_t) { return true; });
        return http::Response::text(r.http_status, std::move(r.body), r.content_type);
      },
      {.body_limit = kSoapBodyLimit, .summary = "IHE PDQ V3: ITI-47 query"});
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
