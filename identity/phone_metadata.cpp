#include "identity/phone_metadata.h"

// libphonenumber 8.12 exports its compiled-in metadata (a serialized
// PhoneMetadataCollection, the one its PhoneNumberUtil loads) without
// installing the header that declares it: declared here exactly as in its
// cpp/src/phonenumbers/metadata.h (v8.12.57, Debian 12). Later versions
// renamed it (GetMetadata), which fails at link time, not silently.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace leakwatch::identity::detail {

bool read_phone_metadata(i18n::phonenumbers::PhoneMetadataCollection* collection) {
  return collection->ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size());
}

}  // namespace leakwatch::identity::detail
