#include "tests/integration/hpd_peer.hpp"

#include <algorithm>

#include "hpd/dsml/dn.hpp"
#include "proto/hl7v3/soap.hpp"
#include "proto/xml/document.hpp"
#include "proto/xml/schema.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka::testing {

namespace dsml = hpd::dsml;

struct HpdPeer::State {
  mutable std::mutex mutex;
  std::map<std::string, dsml::Entry> entries;  // normalized DN -> entry
  std::map<std::string, int> adds;
  std::map<std::string, int> modifies;
  std::map<std::string, int> refused;  // normalized DN -> resultCode
  int requests = 0;
  std::vector<std::string> schema_errors;
};

namespace {

std::string norm(const std::string& dn) {
  auto parsed = dsml::parse_dn(dn);
  return parsed ? parsed->normalized() : dn;
}

const xml::Schema& dsml_schema() {
  static const xml::Schema schema =
      xml::Schema::load(std::string(HAREYAKA_TEST_DATA_DIR) + "/ihe/schemas/DSMLv2.xsd");
  return schema;
}

dsml::LdapResult result(const std::string& id, dsml::ResultCode code, std::string msg = {}) {
  return {.request_id = id, .code = code, .error_message = std::move(msg)};
}

}  // namespace

HpdPeer::HpdPeer() : state_(std::make_shared<State>()) {
  start();
}

HpdPeer::~HpdPeer() {
  stop();
}

void HpdPeer::start() {
  http::ListenerSettings s;
  s.name = "hpd";
  // A new port each time: the old one may be taken by then (on loopback a client that
  // connects to a closed ephemeral port can even end up connected to itself).
  s.port = 0;
  s.tls = {.cert_file = dev_pki().cert("gateway-b"),
           .key_file = dev_pki().key("gateway-b"),
           .ca_file = dev_pki().ca(),
           .client_auth = tls::ClientAuth::kRequire};
  auto router = std::make_shared<http::Router>();
  router->add_blocking("POST", "/hpd", [this](http::Request& req) {
    http::Response res;
    res.status = 200;
    res.headers["Content-Type"] = "application/soap+xml; charset=UTF-8";
    res.body = handle(req.body, req.header("Content-Type").value_or(""));
    return res;
  });
  server_ = std::make_unique<TestServer>(s, router);
  port_ = server_->port();
}

void HpdPeer::stop() {
  server_.reset();
}

std::string HpdPeer::url() const {
  return "https://127.0.0.1:" + std::to_string(port_) + "/hpd";
}

std::string HpdPeer::handle(const std::string& body, const std::string& content_type) {
  auto env = hl7v3::parse_envelope(body, content_type);
  const auto standalone = xml::Document::copy_of(env.payload);
  const auto invalid = dsml_schema().validate(standalone);
  const auto batch = dsml::parse_batch_request(env.payload);
  dsml::BatchResponse out;
  out.request_id = batch.request_id;
  std::lock_guard lock(state_->mutex);
  ++state_->requests;
  for (const auto& e : invalid)
    state_->schema_errors.push_back("line " + std::to_string(e.line) + ": " + e.message);
  for (const auto& r : batch.requests) {
    dsml::OperationResponse op;
    std::string target;
    if (const auto* add = std::get_if<dsml::AddRequest>(&r))
      target = add->entry.dn;
    else if (const auto* mod = std::get_if<dsml::ModifyRequest>(&r))
      target = mod->dn;
    else if (const auto* del = std::get_if<dsml::DelRequest>(&r))
      target = del->dn;
    if (const auto it = state_->refused.find(norm(target));
        !target.empty() && it != state_->refused.end()) {
      op.operation = dsml::operation_of(r);
      op.result = result(dsml::request_id_of(r), static_cast<dsml::ResultCode>(it->second),
                         "refused by the test peer");
      out.responses.push_back(op);
      continue;
    }
    if (const auto* add = std::get_if<dsml::AddRequest>(&r)) {
      op.operation = dsml::Operation::kAdd;
      const auto dn = norm(add->entry.dn);
      ++state_->adds[dn];
      if (state_->entries.count(dn)) {
        op.result = result(add->request_id, dsml::ResultCode::kEntryAlreadyExists);
      } else {
        state_->entries[dn] = add->entry;
        op.result = result(add->request_id, dsml::ResultCode::kSuccess);
      }
    } else if (const auto* mod = std::get_if<dsml::ModifyRequest>(&r)) {
      op.operation = dsml::Operation::kModify;
      ++state_->modifies[norm(mod->dn)];
      auto it = state_->entries.find(norm(mod->dn));
      if (it == state_->entries.end()) {
        op.result = result(mod->request_id, dsml::ResultCode::kNoSuchObject);
      } else {
        op.result = result(mod->request_id, dsml::ResultCode::kSuccess);
        for (const auto& m : mod->modifications) {
          auto* a = it->second.find(m.name);
          if (m.op == dsml::ModOp::kReplace) {
            if (a)
              a->values = m.values;
            else
              it->second.add(m.name, m.values);
          } else if (m.op == dsml::ModOp::kAdd) {
            const bool exists =
                a && !m.values.empty() &&
                std::find(a->values.begin(), a->values.end(), m.values[0]) != a->values.end();
            if (exists)
              op.result = result(mod->request_id, dsml::ResultCode::kAttributeOrValueExists);
            else
              it->second.add(m.name, m.values);
          } else if (a) {
            for (const auto& v : m.values)
              a->values.erase(std::remove(a->values.begin(), a->values.end(), v), a->values.end());
          }
        }
      }
    } else if (const auto* del = std::get_if<dsml::DelRequest>(&r)) {
      op.operation = dsml::Operation::kDel;
      const bool gone = state_->entries.erase(norm(del->dn)) > 0;
      op.result = result(del->request_id,
                         gone ? dsml::ResultCode::kSuccess : dsml::ResultCode::kNoSuchObject);
    } else {
      op.operation = dsml::operation_of(r);
      op.result = result(dsml::request_id_of(r), dsml::ResultCode::kUnwillingToPerform,
                         "not supported by the test peer");
    }
    out.responses.push_back(op);
  }
  auto reply =
      hl7v3::reply_addressing(env.addressing, "urn:ihe:iti:2010:ProviderInformationFeedResponse",
                              "urn:uuid:00000000-0000-4000-8000-000000000001");
  return hl7v3::write_envelope(reply, [&](xml::Writer& w) { dsml::write_batch_response(w, out); });
}

bool HpdPeer::has(const std::string& dn) const {
  std::lock_guard lock(state_->mutex);
  return state_->entries.count(norm(dn)) > 0;
}

std::string HpdPeer::attribute(const std::string& dn, const std::string& name) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->entries.find(norm(dn));
  return it == state_->entries.end() ? std::string() : it->second.first(name);
}

int HpdPeer::adds(const std::string& dn) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->adds.find(norm(dn));
  return it == state_->adds.end() ? 0 : it->second;
}

int HpdPeer::modifies(const std::string& dn) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->modifies.find(norm(dn));
  return it == state_->modifies.end() ? 0 : it->second;
}

void HpdPeer::refuse(const std::string& dn, int result_code) {
  std::lock_guard lock(state_->mutex);
  state_->refused[norm(dn)] = result_code;
}

void HpdPeer::accept(const std::string& dn) {
  std::lock_guard lock(state_->mutex);
  state_->refused.erase(norm(dn));
}

int HpdPeer::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

}  // namespace hareyaka::testing

namespace hareyaka::testing {

std::vector<std::string> HpdPeer::schema_errors() const {
  std::lock_guard lock(state_->mutex);
  return state_->schema_errors;
}

}  // namespace hareyaka::testing
