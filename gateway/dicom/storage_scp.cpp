#include "gateway/dicom/storage_scp.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmnet/scpthrd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <vector>

#include "common/error.hpp"
#include "common/log.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/condition.hpp"
#include "gateway/dicom/store.hpp"

namespace hareyaka::gateway::dicom {
namespace {

// Transfer syntaxes we accept, in order of preference when an SCU offers several in one
// presentation context. Compressed ones are accepted as-is (stored bit-for-bit); JPEG 2000
// and video are stored and served raw although this gateway cannot render them.
const char* kTransferSyntaxes[] = {
    UID_LittleEndianExplicitTransferSyntax,
    UID_LittleEndianImplicitTransferSyntax,
    UID_BigEndianExplicitTransferSyntax,
    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
    UID_JPEGProcess14SV1TransferSyntax,
    UID_JPEGProcess1TransferSyntax,
    UID_JPEGProcess2_4TransferSyntax,
    UID_JPEGProcess14TransferSyntax,
    UID_JPEGLSLosslessTransferSyntax,
    UID_JPEGLSLossyTransferSyntax,
    UID_RLELosslessTransferSyntax,
    UID_JPEG2000LosslessOnlyTransferSyntax,
    UID_JPEG2000TransferSyntax,
    UID_MPEG2MainProfileAtMainLevelTransferSyntax,
    UID_MPEG4HighProfileLevel4_1TransferSyntax,
};

// DCMTK's storage list plus storage SOP classes it lacks in 3.6.7.
const std::vector<const char*>& storage_sop_classes() {
  static const std::vector<const char*> all = [] {
    std::vector<const char*> v(dcmAllStorageSOPClassUIDs,
                               dcmAllStorageSOPClassUIDs + numberOfDcmAllStorageSOPClassUIDs);
    v.push_back(UID_ColorPaletteStorage);
    return v;
  }();
  return all;
}

// DIMSE status for "refused: cannot understand" (PS3.4 Table B.2-1, Cxxx range).
constexpr Uint16 kStatusCannotUnderstand = 0xC000;
constexpr Uint16 kStatusOutOfResources = 0xA700;
// Error Comment is LO: at most 64 characters.
constexpr std::size_t kMaxErrorComment = 64;

class StoreWorker : public DcmThreadSCP {
 public:
  StoreWorker(DicomStore& store, StorageScp& owner, const ScpSettings& settings,
              T_ASC_Association* assoc)
      : store_(store), owner_(owner), settings_(settings), assoc_(assoc) {}

 protected:
  // DcmSCPConfig holds at most 128 presentation contexts, fewer than there are storage SOP
  // classes, so we negotiate as storescp does: every known storage SOP class, each with our
  // transfer syntaxes in order of preference.
  OFCondition negotiateAssociation() override {
    const char* plain[] = {UID_LittleEndianExplicitTransferSyntax,
                           UID_LittleEndianImplicitTransferSyntax,
                           UID_BigEndianExplicitTransferSyntax};
    const char* verification[] = {UID_VerificationSOPClass};
    OFCondition cond =
        ASC_acceptContextsWithPreferredTransferSyntaxes(assoc_->params, verification, 1, plain, 3);
    if (cond.bad())
      return cond;
    return ASC_acceptContextsWithPreferredTransferSyntaxes(
        assoc_->params, const_cast<const char**>(storage_sop_classes().data()),
        static_cast<int>(storage_sop_classes().size()), const_cast<const char**>(kTransferSyntaxes),
        static_cast<int>(std::size(kTransferSyntaxes)));
  }

  OFCondition handleIncomingCommand(T_DIMSE_Message* msg,
                                    const DcmPresentationContextInfo& info) override {
    if (msg->CommandField != DIMSE_C_STORE_RQ)
      return DcmThreadSCP::handleIncomingCommand(msg, info);
    T_DIMSE_C_StoreRQ& req = msg->msg.CStoreRQ;
    T_ASC_PresentationContextID pres_id = info.presentationContextID;
    // Received in memory (as storescp does) and validated before anything touches the disk.
    DcmFileFormat file;
    DcmDataset* dataset = file.getDataset();
    OFCondition cond = receiveSTORERequest(req, pres_id, dataset);
    if (cond.bad()) {
      owner_.count_stored(false);
      return cond;  // the association is broken; DcmSCP aborts it
    }
    OFString ts_uid;
    OFString abstract_syntax;
    findPresentationContext(pres_id, abstract_syntax, ts_uid);
    Uint16 status = STATUS_Success;
    std::string reason;
    try {
      store_.store_received(file, ts_uid.c_str(), req.AffectedSOPInstanceUID);
    } catch (const Error& e) {
      status = e.code() == ErrorCode::kUnprocessable || e.code() == ErrorCode::kConflict
                   ? kStatusCannotUnderstand
                   : kStatusOutOfResources;
      reason = e.external();
      log::warn("C-STORE refused", {.component = "dicom-scp", .detail = e.internal()});
    } catch (const std::exception& e) {
      status = kStatusOutOfResources;
      reason = "internal error while storing";
      log::error("C-STORE failed", {.component = "dicom-scp", .detail = e.what()});
    }
    owner_.count_stored(status == STATUS_Success);
    DcmDataset* detail = nullptr;
    if (!reason.empty()) {
      detail = new DcmDataset;
      detail->putAndInsertString(DCM_ErrorComment, reason.substr(0, kMaxErrorComment).c_str());
    }
    cond = sendSTOREResponse(pres_id, req.MessageID, req.AffectedSOPClassUID,
                             req.AffectedSOPInstanceUID, status, detail);
    delete detail;
    return cond;
  }

  OFBool checkCalledAETitleAccepted(const OFString& called) override {
    return called == settings_.ae_title.c_str();
  }

  OFBool checkCallingAETitleAccepted(const OFString& calling) override {
    // Default deny: an empty list admits nobody; only an explicit "*" admits any AE.
    const auto& allowed = settings_.allowed_calling_aes;
    return std::find_if(allowed.begin(), allowed.end(), [&](const std::string& ae) {
             return ae == "*" || ae == calling.c_str();
           }) != allowed.end();
  }

 private:
  DicomStore& store_;
  StorageScp& owner_;
  const ScpSettings& settings_;
  T_ASC_Association* assoc_;
};

DcmSCPConfig make_config(const ScpSettings& s) {
  DcmSCPConfig cfg;
  cfg.setAETitle(s.ae_title.c_str());
  cfg.setPort(s.port);
  cfg.setMaxReceivePDULength(s.max_pdu);
  cfg.setACSETimeout(static_cast<Uint32>(s.acse_timeout.count()));
  // Blocking reads (no poll() before every PDU, as storescp); a silent peer is still cut
  // off: DCMTK puts dcmSocketReceiveTimeout (SO_RCVTIMEO, set in start()) on each socket.
  cfg.setDIMSEBlockingMode(DIMSE_BLOCKING);
  cfg.setDIMSETimeout(static_cast<Uint32>(s.dimse_timeout.count()));
  cfg.setHostLookupEnabled(OFFalse);
  // Only C-ECHO here (the profile must not be empty); storage is negotiated by StoreWorker.
  OFList<OFString> plain;
  plain.push_back(UID_LittleEndianExplicitTransferSyntax);
  plain.push_back(UID_LittleEndianImplicitTransferSyntax);
  plain.push_back(UID_BigEndianExplicitTransferSyntax);
  check(cfg.addPresentationContext(UID_VerificationSOPClass, plain), "configuring C-ECHO");
  return cfg;
}

}  // namespace

struct StorageScp::Network {
  T_ASC_Network* net = nullptr;
  DcmSharedSCPConfig shared;
};

struct StorageScp::Worker {
  std::thread thread;
  std::atomic<bool> done{false};
};

StorageScp::StorageScp(DicomStore& store, ScpSettings settings)
    : store_(store), settings_(std::move(settings)) {}

StorageScp::~StorageScp() {
  stop();
}

void StorageScp::start() {
  register_codecs();
  dcmSocketReceiveTimeout.set(static_cast<Sint32>(settings_.dimse_timeout.count()));
  auto* network = new Network{nullptr, DcmSharedSCPConfig(make_config(settings_))};
  OFCondition cond =
      ASC_initializeNetwork(NET_ACCEPTOR, settings_.port,
                            static_cast<int>(settings_.acse_timeout.count()), &network->net);
  if (cond.bad()) {
    delete network;
    throw condition_error(cond, "opening the DICOM port", ErrorCode::kUnavailable);
  }
  sockaddr_in6 addr{};
  socklen_t len = sizeof(addr);
  int fd = static_cast<int>(DUL_networkSocket(network->net->network));
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ASC_dropNetwork(&network->net);
    delete network;
    throw Error(ErrorCode::kUnavailable, "cannot read the bound DICOM port");
  }
  port_ = addr.sin6_family == AF_INET6 ? ntohs(addr.sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  network_ = network;
  stopping_ = false;
  listener_ = std::thread([this] { listen_loop(); });
  log::info("DICOM SCP listening", {.component = "dicom-scp", .port = port_});
}

void StorageScp::reap_finished_locked() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if ((*it)->done) {
      (*it)->thread.join();
      delete *it;
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void StorageScp::listen_loop() {
  while (!stopping_) {
    T_ASC_Association* assoc = nullptr;
    // A one-second poll, so stop() is noticed promptly.
    OFCondition cond = ASC_receiveAssociation(network_->net, &assoc, settings_.max_pdu, nullptr,
                                              nullptr, OFFalse, DUL_NOBLOCK, 1);
    if (cond.bad()) {
      if (cond != DUL_NOASSOCIATIONREQUEST) {
        log::warn("DICOM association request failed",
                  {.component = "dicom-scp", .detail = condition_text(cond)});
        if (assoc)
          ASC_dropAssociation(assoc);
      }
      if (assoc)
        ASC_destroyAssociation(&assoc);
      continue;
    }
    std::lock_guard lock(mutex_);
    reap_finished_locked();
    ++counters_.associations;
    if (workers_.size() >= settings_.max_associations) {
      T_ASC_RejectParameters rej{ASC_RESULT_REJECTEDTRANSIENT,
                                 ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
                                 ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED};
      ASC_rejectAssociation(assoc, &rej);
      ASC_dropAssociation(assoc);
      ASC_destroyAssociation(&assoc);
      log::warn("DICOM association rejected: too many at once", {.component = "dicom-scp"});
      continue;
    }
    auto* worker = new Worker;
    workers_.push_back(worker);
    worker->thread = std::thread([this, worker, assoc] {
      try {
        StoreWorker scp(store_, *this, settings_, assoc);
        scp.setSharedConfig(network_->shared);
        scp.run(assoc);  // negotiates, serves, then drops and destroys the association
      } catch (const std::exception& e) {
        log::error("DICOM association worker failed",
                   {.component = "dicom-scp", .detail = e.what()});
      }
      worker->done = true;
    });
  }
}

void StorageScp::stop() {
  if (!network_)
    return;
  stopping_ = true;
  if (listener_.joinable())
    listener_.join();
  std::list<Worker*> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (Worker* w : workers) {
    w->thread.join();
    delete w;
  }
  ASC_dropNetwork(&network_->net);
  delete network_;
  network_ = nullptr;
  log::info("DICOM SCP stopped", {.component = "dicom-scp"});
}

ScpCounters StorageScp::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void StorageScp::count_stored(bool ok) {
  std::lock_guard lock(mutex_);
  ++(ok ? counters_.stored : counters_.refused);
}

}  // namespace hareyaka::gateway::dicom
