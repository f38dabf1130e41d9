// The dev-HPKI of deploy/dev-hpki, generated once per test binary into a temp dir.
#pragma once

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <string>

#include "tests/support/process.hpp"

namespace hareyaka::testing {

class DevHpki {
 public:
  static const DevHpki& get() {
    static DevHpki pki;
    return pki;
  }
  std::string path(const std::string& file) const { return dir_.path() + "/" + file; }
  std::string read(const std::string& file) const { return read_file(path(file)); }
  // The certificate in DER.
  std::string der(const std::string& file) const {
    X509* x = load(file);
    unsigned char* out = nullptr;
    const int n = i2d_X509(x, &out);
    std::string s(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    X509_free(x);
    return s;
  }
  // The DER value of the certificate's subjectDirectoryAttributes extension.
  std::string extension_der(const std::string& file) const {
    X509* x = load(file);
    X509_EXTENSION* ext =
        X509_get_ext(x, X509_get_ext_by_NID(x, NID_subject_directory_attributes, -1));
    const ASN1_OCTET_STRING* d = X509_EXTENSION_get_data(ext);
    std::string s(reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)),
                  static_cast<std::size_t>(ASN1_STRING_length(d)));
    X509_free(x);
    return s;
  }

 private:
  DevHpki() { run_checked({HAREYAKA_DEV_HPKI, dir_.path()}); }
  X509* load(const std::string& file) const {
    const std::string pem = read(file);
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!x)
      throw std::runtime_error("cannot read " + file);
    return x;
  }
  TempDir dir_;
};

}  // namespace hareyaka::testing
