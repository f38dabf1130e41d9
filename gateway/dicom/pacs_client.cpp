#include "gateway/dicom/pacs_client.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "common/error.hpp"
#include "common/log.hpp"
#include "gateway/dicom/charset.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/condition.hpp"
#include "gateway/dicom/record.hpp"
#include "gateway/dicom/store.hpp"

namespace hareyaka::gateway::dicom {
namespace {

OFList<OFString> plain_syntaxes() {
  OFList<OFString> ts;
  ts.push_back(UID_LittleEndianExplicitTransferSyntax);
  ts.push_back(UID_BigEndianExplicitTransferSyntax);
  ts.push_back(UID_LittleEndianImplicitTransferSyntax);
  return ts;
}

// C-GET delivers the instances as C-STORE requests on our own association; each goes
// through the same validation and placement as the storage SCP's.
class GetScu : public DcmSCU {
 public:
  explicit GetScu(DicomStore& store) : store_(store) {}

 protected:
  OFCondition handleSTORERequest(const T_ASC_PresentationContextID presID, DcmDataset* incoming,
                                 OFBool& continue_session, Uint16& status) override {
    std::unique_ptr<DcmDataset> owned(incoming);
    continue_session = OFTrue;
    status = STATUS_Success;
    if (!incoming)
      return DIMSE_NULLKEY;
    std::filesystem::path tmp = store_.new_incoming_path();
    DcmFileFormat ff(incoming);  // copies
    E_TransferSyntax xfer = incoming->getOriginalXfer();
    if (xfer == EXS_Unknown)
      xfer = EXS_LittleEndianExplicit;
    OFCondition cond = ff.saveFile(tmp.c_str(), xfer);
    try {
      if (cond.bad())
        throw condition_error(cond, "writing a C-GET instance", ErrorCode::kInternal);
      store_.adopt(tmp);
    } catch (const Error& e) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      status = e.code() == ErrorCode::kUnprocessable ? 0xC000 : 0xA700;
      log::warn("C-GET instance refused", {.component = "dicom-qr", .detail = e.internal()});
    }
    return EC_Normal;
  }

 private:
  DicomStore& store_;
};

void configure(DcmSCU& scu, const PacsSettings& s) {
  scu.setAETitle(s.calling_ae.c_str());
  scu.setPeerAETitle(s.called_ae.c_str());
  scu.setPeerHostName(s.host.c_str());
  scu.setPeerPort(s.port);
  scu.setACSETimeout(static_cast<Uint32>(s.timeout.count()));
  scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  scu.setDIMSETimeout(static_cast<Uint32>(s.timeout.count()));
  scu.setConnectionTimeout(static_cast<Sint32>(s.timeout.count()));
  scu.setMaxReceivePDULength(116794);
}

void connect(DcmSCU& scu) {
  check(scu.initNetwork(), "preparing the association to the PACS", ErrorCode::kUnavailable);
  check(scu.negotiateAssociation(), "associating with the PACS", ErrorCode::kUnavailable);
}

T_ASC_PresentationContextID context(DcmSCU& scu, const char* sop_class) {
  T_ASC_PresentationContextID id = scu.findPresentationContextID(sop_class, "");
  if (id == 0)
    throw Error(ErrorCode::kUnavailable,
                "the PACS does not offer the needed query/retrieve service");
  return id;
}

std::string get(DcmDataset& ds, const DcmTagKey& tag) {
  OFString v;
  ds.findAndGetOFStringArray(tag, v);
  return v.c_str();
}

template <typename Response>
void free_all(OFList<Response*>& responses) {
  for (auto* r : responses)
    delete r;
  responses.clear();
}

}  // namespace

PacsClient::PacsClient(PacsSettings settings, DicomStore& store)
    : settings_(std::move(settings)), store_(store) {
  register_codecs();
}

void PacsClient::echo() const {
  DcmSCU scu;
  configure(scu, settings_);
  scu.addPresentationContext(UID_VerificationSOPClass, plain_syntaxes());
  connect(scu);
  OFCondition cond = scu.sendECHORequest(0);
  scu.releaseAssociation();
  check(cond, "C-ECHO to the PACS", ErrorCode::kUnavailable);
}

std::vector<RemoteStudy> PacsClient::find_studies(const std::string& patient_id) const {
  if (patient_id.empty() || patient_id.size() > 64 ||
      patient_id.find_first_of("*?\\") != std::string::npos)
    throw Error(ErrorCode::kBadRequest, "patient id must be 1..64 characters without wildcards");
  DcmSCU scu;
  configure(scu, settings_);
  scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, plain_syntaxes());
  connect(scu);
  DcmDataset query;
  query.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
  query.putAndInsertString(DCM_PatientID, patient_id.c_str());
  // Asks for UTF-8 answers (a PACS that cannot still says which set it used).
  query.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  for (const DcmTagKey& key :
       {DCM_StudyInstanceUID, DCM_PatientName, DCM_StudyDate, DCM_StudyTime, DCM_StudyDescription,
        DCM_AccessionNumber, DCM_ModalitiesInStudy, DCM_NumberOfStudyRelatedInstances})
    query.insertEmptyElement(key);
  OFList<QRResponse*> responses;
  OFCondition cond = scu.sendFINDRequest(
      context(scu, UID_FINDStudyRootQueryRetrieveInformationModel), &query, &responses);
  scu.releaseAssociation();
  std::vector<RemoteStudy> out;
  for (QRResponse* r : responses) {
    if (!r->m_dataset || out.size() >= settings_.max_results)
      continue;
    DcmDataset& ds = *r->m_dataset;
    TextDecoder text(get(ds, DCM_SpecificCharacterSet));
    RemoteStudy s;
    s.study_uid = get(ds, DCM_StudyInstanceUID);
    if (!valid_uid(s.study_uid))
      continue;  // a PACS answer we could not act on
    s.patient_id = text.to_utf8(get(ds, DCM_PatientID), false);
    s.patient_name = text.to_utf8(get(ds, DCM_PatientName), true);
    s.study_date = get(ds, DCM_StudyDate);
    s.study_time = get(ds, DCM_StudyTime);
    s.study_description = text.to_utf8(get(ds, DCM_StudyDescription), false);
    s.accession_number = text.to_utf8(get(ds, DCM_AccessionNumber), false);
    s.modalities = get(ds, DCM_ModalitiesInStudy);
    Sint32 n = 0;
    if (ds.findAndGetSint32(DCM_NumberOfStudyRelatedInstances, n).good() && n > 0)
      s.instances = n;
    out.push_back(std::move(s));
  }
  free_all(responses);
  check(cond, "C-FIND at the PACS", ErrorCode::kUnavailable);
  return out;
}

RetrieveResult PacsClient::retrieve_study(const std::string& study_uid) const {
  if (!valid_uid(study_uid))
    throw Error(ErrorCode::kBadRequest, "not a valid study instance UID");
  DcmDataset query;
  query.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
  query.putAndInsertString(DCM_StudyInstanceUID, study_uid.c_str());
  OFList<RetrieveResponse*> responses;
  OFCondition cond;
  if (settings_.retrieve == RetrieveMethod::kMove) {
    DcmSCU scu;
    configure(scu, settings_);
    scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, plain_syntaxes());
    connect(scu);
    cond = scu.sendMOVERequest(context(scu, UID_MOVEStudyRootQueryRetrieveInformationModel),
                               settings_.move_destination_ae.c_str(), &query, &responses);
    scu.releaseAssociation();
  } else {
    GetScu scu(store_);
    configure(scu, settings_);
    scu.setStorageMode(DCMSCU_STORAGE_DISK);  // routes C-STOREs to handleSTORERequest
    scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, plain_syntaxes());
    // The storage SOP classes we take over C-GET (as SCP role); an association holds at
    // most 128 presentation contexts, so the common image classes, uncompressed or as stored.
    OFList<OFString> syntaxes = plain_syntaxes();
    for (const char* ts : {UID_JPEGProcess1TransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
                           UID_JPEGLSLosslessTransferSyntax, UID_RLELosslessTransferSyntax,
                           UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax})
      syntaxes.push_back(ts);
    for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs && i < 120; ++i)
      scu.addPresentationContext(dcmLongSCUStorageSOPClassUIDs[i], syntaxes, ASC_SC_ROLE_SCP);
    connect(scu);
    cond = scu.sendCGETRequest(context(scu, UID_GETStudyRootQueryRetrieveInformationModel), &query,
                               &responses);
    scu.releaseAssociation();
  }
  RetrieveResult result;
  if (!responses.empty()) {
    RetrieveResponse* last = responses.back();
    result.completed = last->m_numberOfCompletedSubops;
    result.failed = last->m_numberOfFailedSubops;
    result.warning = last->m_numberOfWarningSubops;
    Uint16 status = last->m_status;
    free_all(responses);
    if (cond.good() && status != STATUS_Success && status != 0xB000 /*warning: some failed*/) {
      throw Error(
          ErrorCode::kUnavailable, "the PACS refused the retrieve (status 0x" + [&] {
            char b[8];
            std::snprintf(b, sizeof b, "%04x", status);
            return std::string(b);
          }() + ")");
    }
  }
  check(cond,
        settings_.retrieve == RetrieveMethod::kMove ? "C-MOVE at the PACS" : "C-GET at the PACS",
        ErrorCode::kUnavailable);
  return result;
}

}  // namespace hareyaka::gateway::dicom
