// libphonenumber's compiled-in metadata, read as the protocol buffer its
// PhoneNumberUtil loads (for tables derived from it: calling_codes.h,
// phone_screen.h). Internal to identity/.
#pragma once

#include <phonenumbers/phonemetadata.pb.h>

namespace leakwatch::identity::detail {

// Fills `collection` with every region's and non-geographic entity's
// metadata; false when it cannot be read (callers then know nothing).
bool read_phone_metadata(i18n::phonenumbers::PhoneMetadataCollection* collection);

}  // namespace leakwatch::identity::detail
