// A second HPD directory for the feed tests: a real HTTPS SOAP endpoint (common/http_server,
// mutual TLS with the dev network CA) that reads ITI-59 feeds with the hpd/dsml parser,
// applies them to an in-memory set of entries the way a directory would (add of an existing
// entry: entryAlreadyExists; modify or delete of a missing one: noSuchObject) and answers a
// DSML batchResponse. It counts every add and modify it receives per DN, so a test sees
// duplicates, and checks every batchRequest against DSMLv2.xsd. It can be told to refuse
// every request for one DN with a given resultCode (a directory whose schema will not take
// an entry), until told to accept it again.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hpd/dsml/dsml.hpp"
#include "tests/common/test_server.hpp"

namespace hareyaka::testing {

class HpdPeer {
 public:
  HpdPeer();
  ~HpdPeer();
  // Stops listening; start() listens again, on a new port (url() changes), with the
  // entries kept, as a directory restarted on another address.
  void stop();
  void start();
  bool running() const { return server_ != nullptr; }
  std::string url() const;

  bool has(const std::string& dn) const;
  std::string attribute(const std::string& dn, const std::string& name) const;
  int adds(const std::string& dn) const;
  int modifies(const std::string& dn) const;
  // Every add, modify and delete of `dn` is answered with `result_code` (RFC 4511), and
  // changes nothing, until accept(dn).
  void refuse(const std::string& dn, int result_code);
  void accept(const std::string& dn);
  int requests() const;
  // What DSMLv2.xsd says about every batchRequest received (empty: all valid).
  std::vector<std::string> schema_errors() const;

 private:
  std::string handle(const std::string& body, const std::string& content_type);

  struct State;
  std::uint16_t port_ = 0;
  std::shared_ptr<State> state_;
  std::unique_ptr<TestServer> server_;
};

}  // namespace hareyaka::testing
