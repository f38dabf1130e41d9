#include "tests/integration/soap_receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace hareyaka::testing {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The header value of `name` in a raw HTTP/1.1 header block, or "".
std::string header(const std::string& head, const std::string& name) {
  const std::string l = lower(head);
  const auto pos = l.find("\r\n" + lower(name) + ":");
  if (pos == std::string::npos)
    return "";
  auto start = pos + name.size() + 3;
  const auto end = head.find("\r\n", start);
  while (start < end && head[start] == ' ')
    ++start;
  return head.substr(start, end - start);
}

// `attr` of the first <id> after `after`: with the payload's root element, the id of the
// message to acknowledge (it is the root's first child in HL7 V3).
std::string first_attribute(const std::string& xml, const std::string& after,
                            const std::string& attr) {
  auto pos = xml.find(after);
  if (pos != std::string::npos)
    pos = xml.find("<id ", pos);
  if (pos == std::string::npos)
    return "";
  pos = xml.find(attr + "=\"", pos);
  if (pos == std::string::npos)
    return "";
  pos += attr.size() + 2;
  return xml.substr(pos, xml.find('"', pos) - pos);
}

}  // namespace

SoapReceiver::SoapReceiver(const std::string& cert, const std::string& key, const std::string& ca) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
    throw std::runtime_error("soap receiver: TLS setup failed");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  ctx_ = ctx;
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 8) != 0) {
    throw std::runtime_error("soap receiver: cannot listen");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

SoapReceiver::~SoapReceiver() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
  ::close(listen_fd_);
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

void SoapReceiver::answer_with(const std::string& type_code) {
  std::lock_guard lock(mutex_);
  type_code_ = type_code;
}

std::vector<std::string> SoapReceiver::bodies() const {
  std::lock_guard lock(mutex_);
  return bodies_;
}

std::vector<std::string> SoapReceiver::content_types() const {
  std::lock_guard lock(mutex_);
  return content_types_;
}

void SoapReceiver::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0)
      continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0)
      continue;
    handle(fd);
    ::close(fd);
  }
}

void SoapReceiver::handle(int fd) {
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) {
    SSL_free(ssl);
    ERR_clear_error();
    return;
  }
  // One request per connection: read the headers, then Content-Length bytes.
  std::string in;
  char buf[16384];
  std::size_t body_start = std::string::npos, length = 0;
  for (;;) {
    const int n = SSL_read(ssl, buf, sizeof buf);
    if (n <= 0)
      break;
    in.append(buf, static_cast<std::size_t>(n));
    if (body_start == std::string::npos) {
      const auto end = in.find("\r\n\r\n");
      if (end == std::string::npos)
        continue;
      body_start = end + 4;
      const std::string cl = header(in.substr(0, end), "Content-Length");
      length = cl.empty() ? 0 : std::stoul(cl);
    }
    if (in.size() >= body_start + length)
      break;
  }
  if (body_start == std::string::npos) {
    SSL_free(ssl);
    return;
  }
  const std::string body = in.substr(body_start, length);
  std::string type_code;
  {
    std::lock_guard lock(mutex_);
    bodies_.push_back(body);
    content_types_.push_back(header(in.substr(0, body_start - 4), "Content-Type"));
    type_code = type_code_;
  }
  const std::string target_root = first_attribute(body, "PRPA_IN201302UV02 ", "root");
  const std::string target_ext = first_attribute(body, "PRPA_IN201302UV02 ", "extension");
  const std::string reply =
      "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><env:Header>"
      "<wsa:Action>urn:hl7-org:v3:MCCI_IN000002UV01</wsa:Action>"
      "<wsa:MessageID>urn:uuid:0d9a6a5e-7c1b-4f1e-9c53-5b0e6f0a0001</wsa:MessageID>"
      "</env:Header><env:Body>"
      "<MCCI_IN000002UV01 xmlns=\"urn:hl7-org:v3\" ITSVersion=\"XML_1.0\">"
      "<id root=\"1.2.840.114350.1.13.0.1.7.1.1\" extension=\"ack-1\"/>"
      "<creationTime value=\"20261204120000\"/>"
      "<interactionId root=\"2.16.840.1.113883.1.6\" extension=\"MCCI_IN000002UV01\"/>"
      "<processingCode code=\"P\"/><processingModeCode code=\"T\"/>"
      "<acceptAckCode code=\"NE\"/>"
      "<receiver typeCode=\"RCV\"><device classCode=\"DEV\" determinerCode=\"INSTANCE\">"
      "<id root=\"1.2.392.200284.0.1\"/></device></receiver>"
      "<sender typeCode=\"SND\"><device classCode=\"DEV\" determinerCode=\"INSTANCE\">"
      "<id root=\"1.2.840.114350.1.13.99999.4567\"/></device></sender>"
      "<acknowledgement><typeCode code=\"" +
      type_code + "\"/><targetMessage><id root=\"" + target_root + "\" extension=\"" + target_ext +
      "\"/></targetMessage></acknowledgement>"
      "</MCCI_IN000002UV01></env:Body></env:Envelope>";
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=UTF-8; "
      "action=\"urn:hl7-org:v3:MCCI_IN000002UV01\"\r\nContent-Length: " +
      std::to_string(reply.size()) + "\r\nConnection: close\r\n\r\n" + reply;
  SSL_write(ssl, response.data(), static_cast<int>(response.size()));
  SSL_shutdown(ssl);
  SSL_free(ssl);
}

}  // namespace hareyaka::testing
