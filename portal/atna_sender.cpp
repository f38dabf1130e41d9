#include "portal/atna_sender.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::portal {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

constexpr const char* kExporter = "atna";

// Runs one asynchronous operation to completion or until the timeout.
template <typename Start>
void run_with_timeout(net::io_context& ioc, std::chrono::milliseconds timeout, const char* what,
                      Start start) {
  boost::system::error_code result = net::error::would_block;
  start([&](const boost::system::error_code& ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_for(timeout);
  if (result == net::error::would_block) {
    throw Error(ErrorCode::kUnavailable, "audit collector timed out",
                std::string("ATNA collector: ") + what + " timed out");
  }
  if (result) {
    throw Error(ErrorCode::kUnavailable, "audit collector unavailable",
                std::string("ATNA collector: ") + what + ": " + result.message());
  }
}

}  // namespace

AtnaSender::AtnaSender(audit::AuditLog& log, AtnaSettings settings)
    : log_(log), settings_(std::move(settings)) {}

AtnaSender::~AtnaSender() {
  stop();
}

int AtnaSender::run_once() {
  std::int64_t cursor = log_.load_cursor(kExporter);
  auto records = log_.fetch_after(cursor, settings_.batch);
  if (records.empty())
    return 0;
  net::io_context ioc;
  auto ctx = tls::make_client_context(settings_.tls);
  ssl::stream<tcp::socket> stream(ioc, *ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), settings_.host.c_str()) ||
      !SSL_set1_host(stream.native_handle(), settings_.host.c_str())) {
    throw Error(ErrorCode::kInternal, "TLS setup failed", "ATNA collector host name");
  }
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(settings_.host, std::to_string(settings_.port));
  run_with_timeout(ioc, settings_.timeout, "connect", [&](auto handler) {
    net::async_connect(
        stream.lowest_layer(), endpoints,
        [handler](const boost::system::error_code& ec, const tcp::endpoint&) { handler(ec); });
  });
  run_with_timeout(ioc, settings_.timeout, "TLS handshake", [&](auto handler) {
    stream.async_handshake(ssl::stream_base::client, handler);
  });
  int sent = 0;
  while (!records.empty()) {
    std::string frames;
    for (const auto& r : records) {
      frames += audit::frame_octet_counted(audit::to_syslog_message(r, settings_.source));
    }
    run_with_timeout(ioc, settings_.timeout, "write",
                     [&](auto handler) { net::async_write(stream, net::buffer(frames), handler); });
    // Written to the collector's TLS connection: move the cursor past this batch.
    cursor = records.back().seq;
    log_.advance_cursor(kExporter, cursor);
    sent += static_cast<int>(records.size());
    records = log_.fetch_after(cursor, settings_.batch);
  }
  boost::system::error_code ignored;
  stream.lowest_layer().close(ignored);
  return sent;
}

void AtnaSender::start() {
  if (settings_.host.empty())
    return;
  thread_ = std::thread([this] {
    auto backoff = settings_.interval;
    for (;;) {
      auto wait = settings_.interval;
      try {
        if (int n = run_once(); n > 0) {
          log::info("audit records exported", {.component = "atna", .count = n});
        }
        backoff = settings_.interval;
      } catch (const Error& e) {
        log::warn("audit export failed; will retry", {.component = "atna", .detail = e.internal()});
        backoff = std::min(backoff * 2, std::chrono::milliseconds(60'000));
        wait = backoff;
      } catch (const std::exception&) {
        log::warn("audit export failed; will retry", {.component = "atna"});
        wait = backoff;
      }
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, wait, [this] { return stop_; }))
        return;
    }
  });
}

void AtnaSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

}  // namespace hareyaka::portal
