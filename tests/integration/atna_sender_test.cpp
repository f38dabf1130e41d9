// The audit export to an ATNA repository: a real TLS syslog collector on loopback receives
// every record as an RFC 5424 message in RFC 5425 octet-counted frames; while it is down
// nothing is lost, and when it is back the export resumes where it stopped.
#include "portal/atna_sender.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <mutex>
#include <thread>

#include "common/error.hpp"
#include "portal/audit/migrations.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::portal {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Accepts TLS connections and keeps every byte received (the tests parse the frames).
class Collector {
 public:
  explicit Collector(std::uint16_t port = 0)
      : ctx_(tls::make_server_context({.cert_file = testing::dev_pki().cert("gateway-b"),
                                       .key_file = testing::dev_pki().key("gateway-b")})),
        acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] {
      for (;;) {
        boost::system::error_code ec;
        tcp::socket socket(ioc_);
        acceptor_.accept(socket, ec);
        if (ec)
          return;
        net::ssl::stream<tcp::socket> stream(std::move(socket), *ctx_);
        stream.handshake(net::ssl::stream_base::server, ec);
        if (ec)
          continue;
        char buf[8192];
        for (;;) {
          std::size_t n = stream.read_some(net::buffer(buf), ec);
          if (n) {
            std::lock_guard lock(mutex_);
            received_.append(buf, n);
          }
          if (ec)
            break;
        }
      }
    });
  }
  ~Collector() {
    // shutdown() wakes the thread blocked in accept(); close() alone would not.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
  }
  std::uint16_t port() const { return port_; }
  // The messages in the octet-counted frames received so far.
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < received_.size()) {
      std::size_t sp = received_.find(' ', i);
      if (sp == std::string::npos)
        break;
      std::size_t len = std::stoul(received_.substr(i, sp - i));
      if (sp + 1 + len > received_.size())
        break;
      out.push_back(received_.substr(sp + 1, len));
      i = sp + 1 + len;
    }
    return out;
  }

 private:
  net::io_context ioc_;
  std::shared_ptr<net::ssl::context> ctx_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::string received_;
};

audit::AuditEvent login(const std::string& user) {
  return {.type = audit::EventType::kLogin,
          .actor_user = user,
          .actor_profession = "doctor",
          .actor_facility = "1.2.392.200284.33.2000001",
          .request_id = "r-" + user};
}

AtnaSettings settings(std::uint16_t port) {
  AtnaSettings s;
  s.host = "localhost";
  s.port = port;
  s.tls.ca_file = testing::dev_pki().ca();
  s.source.enterprise_site_id = "1.2.392.200284";
  return s;
}

TEST(AtnaSender, ExportsEveryRecordAsOctetCountedSyslogOverTls) {
  auto pool = testing::fresh_pool({&audit::migrations()});
  audit::AuditLog log(*pool);
  for (int i = 0; i < 5; ++i)
    log.append(login("dr-" + std::to_string(i)), hpd::Clock::now());
  Collector collector;
  AtnaSender sender(log, settings(collector.port()));
  EXPECT_EQ(sender.run_once(), 5);
  ASSERT_TRUE(testing::poll_until([&] { return collector.messages().size() == 5; },
                                  std::chrono::seconds(10)));
  const auto messages = collector.messages();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(messages[i].rfind("<85>1 ", 0), 0u) << messages[i];
    EXPECT_NE(messages[i].find("IHE+RFC-3881"), std::string::npos);
    EXPECT_NE(messages[i].find("dr-" + std::to_string(i)), std::string::npos);
    EXPECT_NE(messages[i].find("AuditMessage"), std::string::npos);
  }
  EXPECT_EQ(sender.run_once(), 0);  // nothing new: nothing sent twice
}

TEST(AtnaSender, ACollectorOutageLosesNothing) {
  auto pool = testing::fresh_pool({&audit::migrations()});
  audit::AuditLog log(*pool);
  std::uint16_t port;
  {
    Collector first;
    port = first.port();
    log.append(login("before"), hpd::Clock::now());
    AtnaSender sender(log, settings(port));
    EXPECT_EQ(sender.run_once(), 1);
  }
  // The collector is down: events keep being recorded locally; the export fails cleanly.
  log.append(login("during-1"), hpd::Clock::now());
  log.append(login("during-2"), hpd::Clock::now());
  AtnaSender sender(log, settings(port));
  EXPECT_THROW(sender.run_once(), Error);
  EXPECT_EQ(log.load_cursor("atna"), 1);
  // Back up on the same address: the export resumes where it stopped.
  Collector second(port);
  EXPECT_EQ(sender.run_once(), 2);
  ASSERT_TRUE(
      testing::poll_until([&] { return second.messages().size() == 2; }, std::chrono::seconds(10)));
  EXPECT_NE(second.messages()[0].find("during-1"), std::string::npos);
  EXPECT_NE(second.messages()[1].find("during-2"), std::string::npos);
}

}  // namespace
}  // namespace hareyaka::portal
