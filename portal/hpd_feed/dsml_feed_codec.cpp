#include "portal/hpd_feed/dsml_feed_codec.hpp"

#include "common/error.hpp"
#include "proto/hl7v3/soap.hpp"

namespace hareyaka::hpd_feed {
namespace {

namespace dsml = hpd::dsml;

constexpr std::string_view kFeedAction = "urn:ihe:iti:2010:ProviderInformationFeed";

// Requests of one operation. The first is the entry itself; the ones after it (Relationship
// group, membership) may find the peer already in the wanted state.
std::vector<dsml::Request> requests_of(const hpd::DitSettings& dit, const FeedOperation& op,
                                       int& next_id) {
  auto id = [&] { return std::to_string(next_id++); };
  std::vector<dsml::Request> out;
  if (op.entity == FeedEntity::kFacility) {
    const std::string dn = hpd::facility_dn(dit, op.key);
    if (op.op == FeedOp::kDelete) {
      out.push_back(dsml::DelRequest{id(), dn});
      out.push_back(dsml::DelRequest{id(), hpd::relationship_dn(dit, op.key)});
      return out;
    }
    dsml::Entry e = hpd::facility_to_entry(dit, *op.facility);
    if (op.op == FeedOp::kAdd) {
      out.push_back(dsml::AddRequest{id(), std::move(e)});
      return out;
    }
    dsml::ModifyRequest m{id(), dn, {}};
    for (auto& a : e.attrs) {
      // The naming attribute stays (changing it would be a modDN).
      if (!dsml::iequals_name(a.name, "objectClass") && !dsml::iequals_name(a.name, "uid"))
        m.modifications.push_back({dsml::ModOp::kReplace, a.name, a.values});
    }
    out.push_back(std::move(m));
    return out;
  }
  const std::string dn = hpd::user_dn(dit, op.key);
  if (op.op == FeedOp::kDelete) {
    out.push_back(dsml::DelRequest{id(), dn});
    return out;
  }
  dsml::Entry e = hpd::user_to_entry(dit, *op.user);
  if (op.op == FeedOp::kAdd) {
    out.push_back(dsml::AddRequest{id(), std::move(e)});
    // The group with this member (when the facility has none yet), then the membership (when
    // it has): one of the two finds the peer already there, which is fine.
    out.push_back(dsml::AddRequest{
        id(), hpd::relationship_to_entry(dit, op.user->facility_oid, {op.user->login_id})});
    auto member = hpd::membership_change(dit, *op.user, dsml::ModOp::kAdd);
    member.request_id = id();
    out.push_back(std::move(member));
    return out;
  }
  dsml::ModifyRequest m{id(), dn, {}};
  for (auto& a : e.attrs) {
    if (!dsml::iequals_name(a.name, "objectClass") && !dsml::iequals_name(a.name, "uid"))
      m.modifications.push_back({dsml::ModOp::kReplace, a.name, a.values});
  }
  out.push_back(std::move(m));
  return out;
}

FeedResult result_of(const dsml::Response& r) {
  if (const auto* op = std::get_if<dsml::OperationResponse>(&r))
    return {static_cast<int>(op->result.code), op->result.error_message};
  if (const auto* s = std::get_if<dsml::SearchResponse>(&r))
    return {static_cast<int>(s->done.code), s->done.error_message};
  if (const auto* x = std::get_if<dsml::ExtendedResponse>(&r))
    return {static_cast<int>(x->result.code), x->result.error_message};
  const auto& e = std::get<dsml::ErrorResponse>(r);
  return {static_cast<int>(dsml::ResultCode::kOther),
          "errorResponse " + std::string(dsml::to_string(e.type)) + ": " + e.message};
}

bool already_there(int code) {
  return code == kDsmlSuccess || code == kDsmlEntryAlreadyExists ||
         code == static_cast<int>(dsml::ResultCode::kAttributeOrValueExists) ||
         code == kDsmlNoSuchObject;
}

}  // namespace

EncodedFeed DsmlFeedCodec::request(const std::vector<FeedOperation>& ops, const std::string& to_url,
                                   const std::string& message_id) const {
  EncodedFeed out;
  dsml::BatchRequest batch;
  batch.request_id = message_id;
  // resume: the group/membership requests may answer "already there" without stopping the
  // batch; the sender stops at the first operation that really failed.
  batch.on_error = dsml::OnError::kResume;
  int next_id = 1;
  for (const auto& op : ops) {
    auto reqs = requests_of(dit_, op, next_id);
    out.requests_per_op.push_back(static_cast<int>(reqs.size()));
    for (auto& r : reqs)
      batch.requests.push_back(std::move(r));
  }
  hl7v3::Addressing a;
  a.action = std::string(kFeedAction);
  a.message_id = message_id;
  a.to = to_url;
  a.reply_to = std::string(hl7v3::kWsaAnonymous);
  out.body = hl7v3::write_envelope(a, [&](xml::Writer& w) { dsml::write_batch_request(w, batch); });
  return out;
}

std::vector<FeedResult> DsmlFeedCodec::results(const std::string& response_body,
                                               const EncodedFeed& sent) const {
  dsml::BatchResponse batch;
  try {
    auto env = hl7v3::parse_envelope(response_body, "application/soap+xml");
    batch = dsml::parse_batch_response(env.payload);
  } catch (const hl7v3::SoapFault& f) {
    throw Error(ErrorCode::kUnavailable, "bad HPD feed answer",
                std::string("answer is not a SOAP 1.2 envelope: ") + f.what());
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kUnavailable, "bad HPD feed answer",
                std::string("answer is not a DSML batchResponse: ") + e.what());
  }
  std::vector<FeedResult> out;
  std::size_t k = 0;
  for (int n : sent.requests_per_op) {
    if (k + static_cast<std::size_t>(n) > batch.responses.size())
      break;
    FeedResult r = result_of(batch.responses[k]);
    for (int i = 1; i < n && r.result_code == kDsmlSuccess; ++i) {
      FeedResult sub = result_of(batch.responses[k + static_cast<std::size_t>(i)]);
      if (!already_there(sub.result_code))
        r = sub;
    }
    k += static_cast<std::size_t>(n);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace hareyaka::hpd_feed
