// Pieces every viewer route shares: the person id of the path, the user as decide() sees
// it, the audit record of a look at one identity's data, and running blocking work (the
// database) off the connection's strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/http_types.hpp"
#include "consent/decision.hpp"
#include "portal/viewer/person_directory.hpp"
#include "portal/web_session.hpp"

namespace hareyaka::portal {

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> offload(boost::asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F>;
  co_return co_await boost::asio::co_spawn(
      pool, [f = std::move(f)]() mutable -> boost::asio::awaitable<R> { co_return f(); },
      boost::asio::use_awaitable);
}

// The {person_id} route parameter; Error(kNotFound) when it is not a positive number.
std::int64_t person_id_of(const http::Request& req);

consent::UserContext user_context(const Caller& c);

// The audit record of a look at one identity's data (appended by the caller, possibly with
// others in one transaction).
audit::AuditEvent view_event(const Caller& c, const PersonView& p, const PersonIdentity& i,
                             std::string_view category, audit::Outcome outcome, std::string reason,
                             const std::string& request_id, std::string detail = {});

// view_event(), appended at once.
void audit_view(WebServices& sv, const Caller& c, const PersonView& p, const PersonIdentity& i,
                std::string_view category, audit::Outcome outcome, std::string reason,
                const std::string& request_id, std::string detail = {});

}  // namespace hareyaka::portal
