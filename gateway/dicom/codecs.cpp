#include "gateway/dicom/codecs.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdlib>
#include <mutex>

namespace hareyaka::gateway::dicom {

void register_codecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    // DCMTK logs through its own logger; at info/debug level it dumps association details
    // and datasets (patient data), so only its errors reach stderr.
    OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
    // DCMTK disables Nagle's algorithm only when TCP_NODELAY=1 is in the environment; without
    // it each C-STORE/C-FIND round trip waits for a delayed ACK (~40 ms on Linux), a 20-fold
    // loss in ingest rate. Set here, once, before any DICOM thread exists (setenv is not
    // thread-safe); an operator's explicit setting is kept.
    ::setenv("TCP_NODELAY", "1", 0);
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

bool can_decode(std::string_view transfer_syntax_uid) {
  register_codecs();
  DcmXfer xfer(std::string(transfer_syntax_uid).c_str());
  if (xfer.getXfer() == EXS_Unknown)
    return false;
  // Native (and deflated, which dcmdata inflates while reading) pixel data needs no codec.
  if (!xfer.isEncapsulated())
    return true;
  return DcmCodecList::canChangeCoding(xfer.getXfer(), EXS_LittleEndianExplicit);
}

std::string transfer_syntax_name(std::string_view transfer_syntax_uid) {
  DcmXfer xfer(std::string(transfer_syntax_uid).c_str());
  if (xfer.getXfer() == EXS_Unknown)
    return std::string(transfer_syntax_uid);
  return xfer.getXferName();
}

}  // namespace hareyaka::gateway::dicom
