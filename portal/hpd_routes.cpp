#include "portal/hpd_routes.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

#include "common/log.hpp"
#include "proto/hl7v3/soap.hpp"

namespace hareyaka::portal {
namespace {

constexpr std::size_t kHpdBodyLimit = 8 * 1024 * 1024;

std::string new_message_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[48];
  std::snprintf(buf, sizeof buf, "urn:uuid:%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xFFFF),
                static_cast<unsigned>(a & 0xFFFF), static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

HpdSoapResult fault(const hl7v3::SoapFault& f, const hl7v3::Addressing& request) {
  return {hl7v3::fault_http_status(f),
          hl7v3::soap_content_type("http://www.w3.org/2005/08/addressing/soap/fault"),
          hl7v3::write_fault(f, request, new_message_id())};
}

}  // namespace

HpdSoapResult handle_hpd_soap(hpd::HpdService& service, std::string_view body,
                              std::string_view content_type, const hpd::HpdCaller& caller,
                              const HpdFeedRefused& on_feed_refused) {
  hl7v3::Envelope env;
  try {
    env = hl7v3::parse_envelope(body, content_type, {.max_bytes = kHpdBodyLimit});
  } catch (const hl7v3::SoapFault& f) {
    return fault(f, {});
  }
  hpd::HpdTransaction transaction;
  std::string_view reply_action;
  const auto& action = env.addressing.action;
  if (action == kHpdQueryAction || action == std::string(kHpdQueryAction) + "Request") {
    transaction = hpd::HpdTransaction::kQuery;
    reply_action = kHpdQueryResponseAction;
  } else if (action == kHpdFeedAction || action == std::string(kHpdFeedAction) + "Request") {
    transaction = hpd::HpdTransaction::kFeed;
    reply_action = kHpdFeedResponseAction;
  } else {
    return fault(hl7v3::SoapFault(hl7v3::FaultCode::kSender,
                                  action.empty() ? "no WS-Addressing Action"
                                                 : "action " + action + " is not supported at /hpd",
                                  "wsa:ActionNotSupported"),
                 env.addressing);
  }
  hpd::dsml::BatchResponse response;
  try {
    const auto batch = hpd::dsml::parse_batch_request(env.payload);
    if (transaction == hpd::HpdTransaction::kFeed && !caller.may_feed && on_feed_refused) {
      log::warn("ITI-59 feed from a node not allowed to feed refused",
                {.component = "hpd", .peer = caller.name});
      on_feed_refused(caller);
    }
    response = service.process(batch, caller, transaction);
  } catch (const hpd::dsml::DsmlError& e) {
    if (!env.payload.is(hpd::dsml::kDsmlNs, "batchRequest"))
      return fault(hl7v3::SoapFault(hl7v3::FaultCode::kSender, e.what()), env.addressing);
    response.request_id = env.payload.attr("requestID").value_or("");
    response.responses.push_back(
        hpd::dsml::ErrorResponse{"", hpd::dsml::ErrorType::kMalformedRequest, e.what()});
  } catch (const std::exception&) {
    log::error("HPD request failed", {.component = "hpd"});
    return fault(hl7v3::SoapFault(hl7v3::FaultCode::kReceiver,
                                  "the directory could not process the request; retry later"),
                 env.addressing);
  }
  const auto reply = hl7v3::reply_addressing(env.addressing, reply_action, new_message_id());
  return {200, hl7v3::soap_content_type(reply_action),
          hl7v3::write_envelope(
              reply, [&](xml::Writer& w) { hpd::dsml::write_batch_response(w, response); })};
}

void add_hpd_routes(http::Router& nodes, hpd::HpdService& service, HpdRouteSettings settings) {
  nodes.add_blocking(
      "POST", "/hpd",
      [&service, settings](http::Request& req) {
        hpd::HpdCaller caller;
        if (req.peer) {
          caller.name = req.peer->subject;
          const auto& fp = req.peer->sha256_fingerprint;
          caller.may_feed = !fp.empty() && std::find(settings.feed_node_fingerprints.begin(),
                                                     settings.feed_node_fingerprints.end(),
                                                     fp) != settings.feed_node_fingerprints.end();
        }
        auto r = handle_hpd_soap(service, req.body, req.header("Content-Type").value_or(""), caller,
                                 settings.on_feed_refused);
        return http::Response::text(r.http_status, std::move(r.body), r.content_type);
      },
      {.body_limit = kHpdBodyLimit,
       .summary = "IHE HPD: ITI-58 Provider Information Query, ITI-59 Provider Information Feed"});
}

}  // namespace hareyaka::portal
