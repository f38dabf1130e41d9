#include "proto/xds/mtom.hpp"

#include <algorithm>
#include <cctype>

namespace hareyaka::xds {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

// The value of parameter `name` of a header value (`; name=value` or `; name="value"`).
std::string param(std::string_view header, std::string_view name) {
  const std::string h = lower(header);
  std::size_t at = 0;
  while ((at = h.find(';', at)) != std::string::npos) {
    ++at;
    std::size_t eq = h.find('=', at);
    if (eq == std::string::npos)
      break;
    if (trim(std::string_view(h).substr(at, eq - at)) != name)
      continue;
    std::size_t v = eq + 1;
    while (v < header.size() && header[v] == ' ')
      ++v;
    if (v < header.size() && header[v] == '"') {
      const std::size_t end = header.find('"', v + 1);
      return std::string(header.substr(v + 1, end == std::string::npos ? end : end - v - 1));
    }
    const std::size_t end = header.find(';', v);
    return trim(header.substr(v, end == std::string::npos ? end : end - v));
  }
  return "";
}

std::string unbracket(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>')
    s = s.substr(1, s.size() - 2);
  return s;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

const MimePart* MtomMessage::find(std::string_view content_id) const {
  std::string id(content_id);
  if (id.starts_with("cid:"))
    id = id.substr(4);
  id = percent_decoded(id);
  for (const auto& p : attachments) {
    if (p.content_id == id)
      return &p;
  }
  return nullptr;
}

std::optional<MtomMessage> parse_mtom(std::string_view body, std::string_view content_type) {
  const std::string ct = lower(content_type);
  if (!ct.starts_with("multipart/related"))
    return std::nullopt;
  const std::string boundary = param(content_type, "boundary");
  if (boundary.empty())
    throw MtomError("multipart/related without a boundary parameter");
  const std::string start = unbracket(param(content_type, "start"));
  const std::string delimiter = "--" + boundary;
  std::size_t at = body.find(delimiter);
  if (at == std::string_view::npos)
    throw MtomError("the multipart body does not contain its boundary");
  std::vector<MimePart> parts;
  bool closed = false;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") {
      closed = true;
      break;
    }
    const std::size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos)
      throw MtomError("a MIME part has no end of headers");
    MimePart part;
    std::string_view headers = body.substr(at, headers_end - at);
    std::size_t line_start = 0;
    while (line_start <= headers.size()) {
      std::size_t eol = headers.find("\r\n", line_start);
      std::string_view line =
          headers.substr(line_start, eol == std::string_view::npos ? eol : eol - line_start);
      if (auto colon = line.find(':'); colon != std::string_view::npos) {
        const std::string name = lower(trim(line.substr(0, colon)));
        const std::string value = trim(line.substr(colon + 1));
        if (name == "content-id")
          part.content_id = unbracket(value);
        else if (name == "content-type")
          part.content_type = value;
        else if (name == "content-transfer-encoding" && lower(value) != "binary" &&
                 lower(value) != "8bit" && lower(value) != "7bit")
          throw MtomError("Content-Transfer-Encoding " + value + " is not supported");
      }
      if (eol == std::string_view::npos)
        break;
      line_start = eol + 2;
    }
    const std::size_t content = headers_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, content);
    if (next == std::string_view::npos)
      throw MtomError("a MIME part is not closed by the boundary");
    part.body = std::string(body.substr(content, next - content));
    parts.push_back(std::move(part));
    at = next + 2;
  }
  if (!closed || parts.empty())
    throw MtomError("the multipart body has no parts");
  MtomMessage m;
  auto root = parts.begin();
  if (!start.empty()) {
    root = std::find_if(parts.begin(), parts.end(),
                        [&](const MimePart& p) { return p.content_id == start; });
    if (root == parts.end())
      throw MtomError("the start part <" + start + "> is not in the message");
  }
  if (!lower(root->content_type).starts_with("application/xop+xml"))
    throw MtomError("the root part is not application/xop+xml");
  // parse_envelope() reads the SOAP 1.2 media type and its action parameter.
  std::string info = param(root->content_type, "type");
  if (info.empty())
    info = param(content_type, "start-info");
  m.soap_content_type = info.empty() ? "application/soap+xml" : info;
  for (const char* key : {"action"}) {
    std::string v = param(root->content_type, key);
    if (v.empty())
      v = param(content_type, key);
    if (!v.empty())
      m.soap_content_type += std::string("; ") + key + "=\"" + v + "\"";
  }
  m.envelope = std::move(root->body);
  for (auto it = parts.begin(); it != parts.end(); ++it) {
    if (it != root)
      m.attachments.push_back(std::move(*it));
  }
  return m;
}

MtomOut write_mtom(std::string_view envelope, std::string_view action,
                   const std::vector<MimePart>& attachments, std::string_view boundary_seed) {
  std::string boundary = "MIMEBoundary_" + std::string(boundary_seed);
  const auto occurs = [&](const std::string& b) {
    if (envelope.find(b) != std::string_view::npos)
      return true;
    return std::any_of(attachments.begin(), attachments.end(),
                       [&](const MimePart& p) { return p.body.find(b) != std::string::npos; });
  };
  while (occurs("--" + boundary))
    boundary += "_";
  const std::string root_id = "root." + std::string(boundary_seed) + "@hareyaka";
  MtomOut out;
  out.content_type =
      "multipart/related; type=\"application/xop+xml\"; boundary=\"" + boundary + "\"; start=\"<" +
      root_id + ">\"; start-info=\"application/soap+xml\"; action=\"" + std::string(action) + "\"";
  out.body = "--" + boundary +
             "\r\nContent-Type: application/xop+xml; charset=UTF-8; type=\"application/soap+xml\"; "
             "action=\"" +
             std::string(action) + "\"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <" +
             root_id + ">\r\n\r\n";
  out.body += envelope;
  for (const auto& p : attachments) {
    out.body += "\r\n--" + boundary + "\r\nContent-Type: " + p.content_type +
                "\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <" + p.content_id +
                ">\r\n\r\n";
    out.body += p.body;
  }
  out.body += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace hareyaka::xds
