#include "portal/viewer/fanout.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "common/assertion.hpp"
#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::portal {

namespace net = boost::asio;

boost::asio::awaitable<std::vector<GatewayAnswer>> call_gateways(
    http::HttpClient& client, const std::vector<GatewayCall>& calls,
    std::chrono::milliseconds deadline, const std::string& request_id) {
  struct Join {
    explicit Join(net::any_io_executor ex) : timer(ex) {}
    net::steady_timer timer;
    std::size_t pending = 0;
    std::vector<GatewayAnswer> answers;
  };
  // Everything runs on this coroutine's executor (the connection's strand), so the
  // counter needs no lock.
  auto ex = co_await net::this_coro::executor;
  auto join = std::make_shared<Join>(ex);
  join->answers.resize(calls.size());
  join->pending = calls.size();
  if (calls.empty())
    co_return std::vector<GatewayAnswer>{};
  join->timer.expires_after(deadline + std::chrono::seconds(1));  // a backstop only
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const GatewayCall& call = calls[i];
    join->answers[i].call = &call;
    net::co_spawn(
        ex,
        [&client, call, join, i, deadline, request_id]() -> net::awaitable<void> {
          GatewayAnswer& a = join->answers[i];
          try {
            http::ClientRequest req{.url = call.url, .timeout = deadline};
            req.peer_sha256 = call.peer_sha256;
            req.headers[kAssertionHeader] = call.assertion;
            req.headers["X-Request-Id"] = request_id;
            auto res = co_await client.request(std::move(req));
            if (res.status == 200) {
              try {
                a.body = nlohmann::json::parse(res.body);
              } catch (const nlohmann::json::exception&) {
                a.failure = "error";
              }
            } else if (res.status == 401 || res.status == 403) {
              a.failure = "refused";
            } else if (res.status == 404) {
              a.body = nlohmann::json{{"items", nlohmann::json::array()}};
            } else {
              a.failure = "error";
            }
          } catch (const Error& e) {
            a.failure = e.code() == ErrorCode::kTimeout ? "timeout" : "down";
            log::warn("gateway call failed", {.request_id = request_id,
                                              .component = "viewer",
                                              .facility = call.facility_oid,
                                              .detail = e.internal()});
          } catch (const std::exception&) {
            a.failure = "error";
          }
          if (--join->pending == 0)
            join->timer.cancel();
        },
        net::detached);
  }
  co_await join->timer.async_wait(net::as_tuple(net::use_awaitable));
  for (auto& a : join->answers) {
    if (!a.body && a.failure.empty())
      a.failure = "timeout";
  }
  co_return join->answers;
}

}  // namespace hareyaka::portal
