// What the feed sender needs from the HPD message layer: an ITI-59 Provider Information Feed
// request (SOAP 1.2 envelope with a DSMLv2 batchRequest of add/modify/del requests) for a
// batch of directory changes, and the per-operation DSML result codes of the answer. The
// implementation lives with the DSMLv2 writer (hpd_feed/dsml_feed_codec.*); the sender and
// its tests depend only on this interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hpd/facility.hpp"
#include "hpd/user.hpp"

namespace hareyaka::hpd_feed {

enum class FeedEntity { kFacility, kUser };
enum class FeedOp { kAdd, kModify, kDelete };

const char* to_string(FeedEntity e);
const char* to_string(FeedOp o);
std::optional<FeedEntity> parse_feed_entity(const std::string& s);
std::optional<FeedOp> parse_feed_op(const std::string& s);

// One change to send. For add and modify the entity's current state is given (a user
// without any credential: no password hash, no TOTP secret); for delete only the key.
struct FeedOperation {
  std::int64_t outbox_id = 0;
  FeedEntity entity = FeedEntity::kFacility;
  FeedOp op = FeedOp::kAdd;
  std::string key;  // facility OID or user login id
  std::optional<hpd::Facility> facility;
  std::optional<hpd::User> user;
  std::optional<hpd::Facility> user_facility;  // the user's organization (relationship)
};

// DSML resultCode values the sender acts on (RFC 4511 numbering).
constexpr int kDsmlSuccess = 0;
constexpr int kDsmlNoSuchObject = 32;
constexpr int kDsmlEntryAlreadyExists = 68;

struct FeedResult {
  int result_code = 0;
  std::string message;  // errorMessage, if any
};

// An encoded batch: the SOAP body, and how many DSML requests each operation became (an
// added user is the user entry plus its membership in its organization's Relationship group).
struct EncodedFeed {
  std::string body;
  std::vector<int> requests_per_op;
};

class FeedCodec {
 public:
  virtual ~FeedCodec() = default;
  // The SOAP 1.2 request (WS-Addressing action urn:ihe:iti:2010:ProviderInformationFeed)
  // carrying the operations in order, in one batchRequest.
  virtual EncodedFeed request(const std::vector<FeedOperation>& ops, const std::string& to_url,
                              const std::string& message_id) const = 0;
  // One result per operation of `sent`, in order (fewer when the peer stopped early). Throws
  // hareyaka::Error(kUnavailable) for an answer that is not a DSML batchResponse (a SOAP
  // fault included), naming what is wrong.
  virtual std::vector<FeedResult> results(const std::string& response_body,
                                          const EncodedFeed& sent) const = 0;
};

}  // namespace hareyaka::hpd_feed
