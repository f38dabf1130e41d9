// A random (version 4) UUID in its 36-character text form, for message ids (WS-Addressing,
// HL7 V3, MTOM parts). Unique, not secret: ids that must be unguessable (sessions, assertion
// ids) come from OpenSSL's RAND_bytes instead.
#pragma once

#include <string>

namespace hareyaka {

std::string random_uuid();

}  // namespace hareyaka
