#include "hpd/hpd_service.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "common/error.hpp"
#include "common/log.hpp"
#include "hpd/pg_hpd_entries.hpp"

namespace hareyaka::hpd {
namespace {

using dsml::LdapResult;
using dsml::ResultCode;

// Ends a write: the transaction rolls back and the request is answered with this result.
struct Refusal {
  ResultCode code;
  std::string message;
};

LdapResult result(const std::string& request_id, ResultCode code, std::string message = {}) {
  LdapResult r;
  r.request_id = request_id;
  r.code = code;
  r.error_message = std::move(message);
  return r;
}

dsml::Dn must_parse(const std::string& text) {
  std::string why;
  auto dn = dsml::parse_dn(text, &why);
  if (!dn)
    throw Refusal{ResultCode::kInvalidDnSyntax, why};
  return *dn;
}

[[noreturn]] void refuse(ResultCode code, std::string message) {
  throw Refusal{code, std::move(message)};
}

bool has_value(const dsml::Attribute& a, std::string_view v) {
  const auto want = dsml::normalize_value(v);
  return std::any_of(a.values.begin(), a.values.end(),
                     [&](const auto& x) { return dsml::normalize_value(x) == want; });
}

void apply(dsml::Entry& e, const dsml::Modification& m) {
  if (!is_known_attribute(m.name))
    refuse(ResultCode::kUndefinedAttributeType, "undefined attribute type " + m.name);
  auto* a = e.find(m.name);
  switch (m.op) {
    case dsml::ModOp::kAdd:
      for (const auto& v : m.values) {
        if (a && has_value(*a, v))
          refuse(ResultCode::kAttributeOrValueExists, m.name + " already has the value " + v);
        e.add(m.name, {v});
        a = e.find(m.name);
      }
      return;
    case dsml::ModOp::kDelete:
      if (!a)
        refuse(ResultCode::kNoSuchAttribute, "the entry has no attribute " + m.name);
      if (m.values.empty()) {
        std::erase_if(e.attrs, [&](const auto& x) { return dsml::iequals_name(x.name, m.name); });
        return;
      }
      for (const auto& v : m.values) {
        if (!has_value(*a, v))
          refuse(ResultCode::kNoSuchAttribute, m.name + " has no value " + v);
        const auto want = dsml::normalize_value(v);
        std::erase_if(a->values, [&](const auto& x) { return dsml::normalize_value(x) == want; });
      }
      if (a->values.empty())
        std::erase_if(e.attrs, [&](const auto& x) { return dsml::iequals_name(x.name, m.name); });
      return;
    case dsml::ModOp::kReplace:
      std::erase_if(e.attrs, [&](const auto& x) { return dsml::iequals_name(x.name, m.name); });
      if (!m.values.empty())
        e.add(m.name, m.values);
      return;
  }
}

// The RDN value must stay in the entry (RFC 4511 4.6: notAllowedOnRDN).
void check_rdn_kept(const dsml::Entry& e, const dsml::Dn& dn) {
  const auto& rdn = dn.rdns.front();
  const auto* a = e.find(rdn.type);
  if (!a || !has_value(*a, rdn.value))
    refuse(ResultCode::kNotAllowedOnRdn,
           "the naming value " + rdn.type + "=" + rdn.value + " cannot be removed");
}

}  // namespace

HpdService::HpdService(pg::Pool& pool, HpdSettings settings, HpdChangeHook on_change)
    : pool_(pool), settings_(std::move(settings)), on_change_(std::move(on_change)) {
  std::vector<std::string> bases = {settings_.dit.base_dn};
  bases.insert(bases.end(), settings_.extra_base_dns.begin(), settings_.extra_base_dns.end());
  for (const auto& b : bases) {
    std::string why;
    auto dn = dsml::parse_dn(b, &why);
    if (!dn || dn->empty())
      throw std::invalid_argument("HPD base DN \"" + b + "\" is not a DN: " + why);
    suffixes_.push_back(*dn);
  }
}

std::size_t HpdService::refresh_indexes() {
  std::size_t total = 0;
  for (;;) {
    const auto n = pg::transact(pool_, [](pg::Tx& tx) { return entries::reindex_stale(tx, 1000); });
    total += n;
    if (n < 1000)
      return total;
  }
}

LdapResult HpdService::run_write(const std::string& request_id,
                                 const std::function<LdapResult(pg::Tx&)>& fn) {
  try {
    return pg::transact(pool_, fn);
  } catch (const Refusal& r) {
    return result(request_id, r.code, r.message);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kConflict)
      return result(request_id, ResultCode::kEntryAlreadyExists,
                    "conflicts with an existing entry, user or HPKI binding");
    log::warn("HPD write failed", {.component = "hpd"});
    return result(
        request_id,
        e.code() == ErrorCode::kUnavailable ? ResultCode::kUnavailable : ResultCode::kOther,
        "the directory could not store the change");
  }
}

std::optional<MappingError> HpdService::bind_facility(pg::Tx& tx, const std::string& dn_norm,
                                                      const dsml::Entry& entry,
                                                      std::optional<std::string>& facility_oid) {
  auto oid = facility_oid_of(settings_.dit, entry);
  if (auto* e = std::get_if<MappingError>(&oid))
    return *e;
  if (!std::holds_alternative<std::string>(oid)) {
    facility_oid.reset();
    return std::nullopt;
  }
  const auto& value = std::get<std::string>(oid);
  if (auto other = entries::bound_to_facility(tx, value)) {
    if (*other != dn_norm) {
      return MappingError{ResultCode::kEntryAlreadyExists,
                          "facility " + value + " is already registered as " + *other};
    }
  }
  auto f = entry_to_facility(settings_.dit, entry, std::nullopt);
  if (auto* e = std::get_if<MappingError>(&f))
    return *e;
  entries::upsert_facility(tx, std::get<Facility>(f));
  facility_oid = value;
  return std::nullopt;
}

std::optional<MappingError> HpdService::bind_user(pg::Tx& tx, const std::string& dn_norm,
                                                  const dsml::Entry& entry,
                                                  std::optional<std::string>& login_id) {
  auto binding = user_binding_of(settings_.dit, entry);
  if (auto* e = std::get_if<MappingError>(&binding))
    return *e;
  if (!std::holds_alternative<UserBinding>(binding)) {
    login_id.reset();
    return std::nullopt;
  }
  const auto& u = std::get<UserBinding>(binding);
  if (auto other = entries::bound_to_user(tx, u.login_id)) {
    if (*other != dn_norm) {
      return MappingError{ResultCode::kEntryAlreadyExists,
                          "user " + u.login_id + " is already registered as " + *other};
    }
  }
  if (!entries::facility_exists(tx, u.facility_oid)) {
    return MappingError{ResultCode::kConstraintViolation,
                        "facility " + u.facility_oid + " is not registered in this directory"};
  }
  if (const auto held = parse_profession(entries::user_profession(tx, u.login_id).value_or(""));
      held && is_console_only(*held)) {
    return MappingError{ResultCode::kUnwillingToPerform, "user " + u.login_id + " is " +
                                                             std::string(to_string(*held)) +
                                                             "; edit it in the admin console"};
  }
  entries::upsert_user(tx, u);
  login_id = u.login_id;
  return std::nullopt;
}

void HpdService::bind(pg::Tx& tx, StoredEntry& s, std::optional<std::string> before_facility,
                      std::optional<std::string> before_login) {
  if (s.kind == EntryKind::kOrganization) {
    if (auto e = bind_facility(tx, s.dn_norm, s.entry, s.facility_oid))
      refuse(e->code, e->message);
    if (before_facility && before_facility != s.facility_oid)
      entries::retire_facility(tx, *before_facility);
  } else if (s.kind == EntryKind::kProfessional) {
    if (auto e = bind_user(tx, s.dn_norm, s.entry, s.login_id))
      refuse(e->code, e->message);
    if (before_login && before_login != s.login_id)
      entries::retire_user(tx, *before_login);
  }
}

LdapResult HpdService::add(const dsml::AddRequest& r, const HpdCaller& caller) {
  return run_write(r.request_id, [&](pg::Tx& tx) {
    const auto dn = must_parse(r.entry.dn);
    StoredEntry s;
    s.entry = r.entry;
    s.entry.dn = dn.to_string();
    ensure_rdn_value(s.entry, dn);
    auto kind = check_entry(s.entry, dn, suffixes_, settings_.dit);
    if (auto* e = std::get_if<MappingError>(&kind))
      refuse(e->code, e->message);
    s.kind = std::get<EntryKind>(kind);
    s.dn_norm = dn.normalized();
    s.parent_norm = dn.parent().normalized();
    if (entries::load(tx, s.dn_norm, true))
      refuse(ResultCode::kEntryAlreadyExists, "entry " + s.entry.dn + " already exists");
    bind(tx, s, std::nullopt, std::nullopt);
    entries::insert(tx, s);
    if (on_change_) {
      on_change_(tx,
                 {dsml::Operation::kAdd, s.kind, s.entry.dn, s.entry.dn, s.facility_oid, s.login_id,
                  s.entry},
                 caller);
    }
    return result(r.request_id, ResultCode::kSuccess);
  });
}

LdapResult HpdService::modify(const dsml::ModifyRequest& r, const HpdCaller& caller) {
  return run_write(r.request_id, [&](pg::Tx& tx) {
    const auto dn = must_parse(r.dn);
    auto s = entries::load(tx, dn.normalized(), true);
    if (!s)
      refuse(ResultCode::kNoSuchObject, "no entry " + r.dn);
    for (const auto& m : r.modifications)
      apply(s->entry, m);
    check_rdn_kept(s->entry, dn);
    if (auto k = structural_kind(s->entry); k && *k != s->kind)
      refuse(ResultCode::kObjectClassModsProhibited, "the structural object class cannot change");
    auto kind = check_entry(s->entry, dn, suffixes_, settings_.dit);
    if (auto* e = std::get_if<MappingError>(&kind))
      refuse(e->code, e->message);
    if (std::get<EntryKind>(kind) != s->kind)
      refuse(ResultCode::kObjectClassModsProhibited, "the structural object class cannot change");
    bind(tx, *s, s->facility_oid, s->login_id);
    entries::replace(tx, s->dn_norm, *s);
    if (on_change_) {
      on_change_(tx,
                 {dsml::Operation::kModify, s->kind, s->entry.dn, s->entry.dn, s->facility_oid,
                  s->login_id, s->entry},
                 caller);
    }
    return result(r.request_id, ResultCode::kSuccess);
  });
}

LdapResult HpdService::del(const dsml::DelRequest& r, const HpdCaller& caller) {
  return run_write(r.request_id, [&](pg::Tx& tx) {
    const auto dn = must_parse(r.dn);
    auto s = entries::load(tx, dn.normalized(), true);
    if (!s) {
      if (place(dn, suffixes_).level == Placement::Level::kContainer ||
          place(dn, suffixes_).level == Placement::Level::kSuffix) {
        refuse(ResultCode::kNotAllowedOnNonLeaf, r.dn + " is a container of the directory");
      }
      refuse(ResultCode::kNoSuchObject, "no entry " + r.dn);
    }
    entries::remove(tx, s->dn_norm);
    // A facility leaves the network by retirement: users, consents and audit refer to it.
    if (s->facility_oid)
      entries::retire_facility(tx, *s->facility_oid);
    if (s->login_id)
      entries::retire_user(tx, *s->login_id);
    if (on_change_) {
      on_change_(tx,
                 {dsml::Operation::kDel,
                  s->kind,
                  s->entry.dn,
                  s->entry.dn,
                  s->facility_oid,
                  s->login_id,
                  {}},
                 caller);
    }
    return result(r.request_id, ResultCode::kSuccess);
  });
}

LdapResult HpdService::mod_dn(const dsml::ModDnRequest& r, const HpdCaller& caller) {
  return run_write(r.request_id, [&](pg::Tx& tx) {
    const auto dn = must_parse(r.dn);
    auto s = entries::load(tx, dn.normalized(), true);
    if (!s)
      refuse(ResultCode::kNoSuchObject, "no entry " + r.dn);
    std::string why;
    auto rdn = dsml::parse_rdn(r.new_rdn, &why);
    if (!rdn)
      refuse(ResultCode::kInvalidDnSyntax, "newrdn: " + why);
    dsml::Dn target;
    target.rdns.push_back(*rdn);
    const auto parent = r.new_superior ? must_parse(*r.new_superior) : dn.parent();
    target.rdns.insert(target.rdns.end(), parent.rdns.begin(), parent.rdns.end());
    if (target.normalized() != s->dn_norm && entries::load(tx, target.normalized(), true))
      refuse(ResultCode::kEntryAlreadyExists, "entry " + target.to_string() + " already exists");
    const std::string old_dn = s->entry.dn;
    if (r.delete_old_rdn) {
      const auto& old = dn.rdns.front();
      if (auto* a = s->entry.find(old.type)) {
        const auto want = dsml::normalize_value(old.value);
        std::erase_if(a->values, [&](const auto& v) { return dsml::normalize_value(v) == want; });
        if (a->values.empty()) {
          std::erase_if(s->entry.attrs,
                        [&](const auto& x) { return dsml::iequals_name(x.name, old.type); });
        }
      }
    }
    s->entry.dn = target.to_string();
    ensure_rdn_value(s->entry, target);
    auto kind = check_entry(s->entry, target, suffixes_, settings_.dit);
    if (auto* e = std::get_if<MappingError>(&kind))
      refuse(e->code, e->message);
    const std::string old_norm = s->dn_norm;
    bind(tx, *s, s->facility_oid, s->login_id);  // keyed by the row's current DN
    s->dn_norm = target.normalized();
    s->parent_norm = target.parent().normalized();
    entries::replace(tx, old_norm, *s);
    if (on_change_) {
      on_change_(tx,
                 {dsml::Operation::kModDn, s->kind, old_dn, s->entry.dn, s->facility_oid,
                  s->login_id, s->entry},
                 caller);
    }
    if (old_norm != s->dn_norm)
      rewrite_references(tx, old_norm, s->entry.dn, caller);
    return result(r.request_id, ResultCode::kSuccess);
  });
}

void HpdService::rewrite_references(pg::Tx& tx, const std::string& old_norm,
                                    const std::string& new_dn, const HpdCaller& caller) {
  for (auto& ref : entries::referring_to(tx, old_norm)) {
    for (auto& a : ref.entry.attrs) {
      if (!is_dn_attribute(attribute_type(a.name)))
        continue;
      for (auto& v : a.values) {
        if (auto dn = dsml::parse_dn(v); dn && dn->normalized() == old_norm)
          v = new_dn;
      }
    }
    entries::replace(tx, ref.dn_norm, ref);
    if (on_change_) {
      on_change_(tx,
                 {dsml::Operation::kModify, ref.kind, ref.entry.dn, ref.entry.dn, ref.facility_oid,
                  ref.login_id, ref.entry},
                 caller);
    }
  }
}

dsml::BatchResponse HpdService::process(const dsml::BatchRequest& batch, const HpdCaller& caller,
                                        HpdTransaction transaction) {
  dsml::BatchResponse out;
  out.request_id = batch.request_id;
  // The requestIDs abandoned by an earlier abandonRequest: not performed, not answered.
  std::set<std::string, std::less<>> abandoned;
  for (const auto& request : batch.requests) {
    const auto op = operation_of(request);
    const auto& id = request_id_of(request);
    if (!id.empty() && abandoned.contains(id))
      continue;
    const bool read = op == dsml::Operation::kSearch || op == dsml::Operation::kCompare;
    const bool write = op == dsml::Operation::kAdd || op == dsml::Operation::kModify ||
                       op == dsml::Operation::kDel || op == dsml::Operation::kModDn;
    std::optional<LdapResult> failure;
    if (auto* invalid = std::get_if<dsml::InvalidRequest>(&request)) {
      failure = result(id, invalid->code, invalid->message);
    } else if (read && transaction == HpdTransaction::kFeed) {
      failure = result(
          id, ResultCode::kUnwillingToPerform,
          "a Provider Information Feed (ITI-59) carries no " +
              std::string(op == dsml::Operation::kSearch ? "searchRequest" : "compareRequest"));
    } else if (write && transaction == HpdTransaction::kQuery) {
      failure = result(id, ResultCode::kUnwillingToPerform,
                       "a Provider Information Query (ITI-58) carries no add, modify, delete or "
                       "modDN requests");
    } else if (write && !caller.may_feed) {
      failure = result(id, ResultCode::kInsufficientAccessRights,
                       "this node is not allowed to feed the provider directory");
    }
    if (failure) {
      if (op == dsml::Operation::kSearch) {
        out.responses.push_back(dsml::SearchResponse{id, {}, *failure});
      } else if (op == dsml::Operation::kAbandon) {
        out.responses.push_back(
            dsml::ErrorResponse{id, dsml::ErrorType::kMalformedRequest, failure->error_message});
      } else if (op == dsml::Operation::kOther) {
        out.responses.push_back(
            dsml::ErrorResponse{id, dsml::ErrorType::kNotAttempted, failure->error_message});
      } else if (op == dsml::Operation::kExtended) {
        out.responses.push_back(dsml::ExtendedResponse{*failure, std::nullopt, std::nullopt});
      } else {
        out.responses.push_back(dsml::OperationResponse{op, *failure});
      }
    } else if (auto* s = std::get_if<dsml::SearchRequest>(&request)) {
      auto response = search(*s);
      const bool ok = response.done.code == ResultCode::kSuccess ||
                      response.done.code == ResultCode::kSizeLimitExceeded;
      out.responses.push_back(std::move(response));
      if (!ok && batch.on_error == dsml::OnError::kExit)
        break;
      continue;
    } else if (auto* ab = std::get_if<dsml::AbandonRequest>(&request)) {
      // Only a later request can still be abandoned; DSMLv2 has no abandon response.
      abandoned.insert(ab->abandon_id);
      continue;
    } else if (auto* c = std::get_if<dsml::CompareRequest>(&request)) {
      auto r = compare(*c);
      if (r.code != ResultCode::kCompareTrue && r.code != ResultCode::kCompareFalse)
        failure = r;
      out.responses.push_back(dsml::OperationResponse{op, std::move(r)});
    } else if (auto* x = std::get_if<dsml::ExtendedRequest>(&request)) {
      auto r = extended(*x, caller);
      if (r.result.code != ResultCode::kSuccess)
        failure = r.result;
      out.responses.push_back(std::move(r));
    } else {
      LdapResult r;
      if (auto* a = std::get_if<dsml::AddRequest>(&request))
        r = add(*a, caller);
      else if (auto* m = std::get_if<dsml::ModifyRequest>(&request))
        r = modify(*m, caller);
      else if (auto* d = std::get_if<dsml::DelRequest>(&request))
        r = del(*d, caller);
      else if (auto* md = std::get_if<dsml::ModDnRequest>(&request))
        r = mod_dn(*md, caller);
      if (r.code != ResultCode::kSuccess)
        failure = r;
      out.responses.push_back(dsml::OperationResponse{op, std::move(r)});
    }
    if (failure && batch.on_error == dsml::OnError::kExit)
      break;
  }
  return out;
}

}  // namespace hareyaka::hpd
