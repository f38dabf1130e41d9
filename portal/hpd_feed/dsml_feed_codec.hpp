// FeedCodec over hpd/dsml (DSMLv2) and hpd/hpd_mapping (directory <-> HPD entries): a
// facility becomes its HCRegulatedOrganization entry plus its Relationship group, a user its
// HCProfessional entry plus its membership in its facility's group.
#pragma once

#include "hpd/hpd_mapping.hpp"
#include "portal/hpd_feed/feed_codec.hpp"

namespace hareyaka::hpd_feed {

class DsmlFeedCodec : public FeedCodec {
 public:
  explicit DsmlFeedCodec(hpd::DitSettings dit) : dit_(std::move(dit)) {}
  EncodedFeed request(const std::vector<FeedOperation>& ops, const std::string& to_url,
                      const std::string& message_id) const override;
  std::vector<FeedResult> results(const std::string& response_body,
                                  const EncodedFeed& sent) const override;

 private:
  hpd::DitSettings dit_;
};

}  // namespace hareyaka::hpd_feed
