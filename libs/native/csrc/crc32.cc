// CRC-32 for the weights codec (format v2 trailer). With ISA-L (libisal-dev at build time) this
// is crc32_gzip_refl: the gzip/zlib CRC-32, computed with carry-less multiply folding. Without
// it the addon exports no crc32 and the codec keeps node:zlib's.
#include "fold.h"

#ifdef FEDSSD_HAVE_ISAL
#include <isa-l/crc.h>
#endif

namespace fedssd_fold {

#ifdef FEDSSD_HAVE_ISAL
bool haveFastCrc32() { return true; }

// ISA-L's gzip variant inverts the CRC on entry and exit like zlib, so `init` chains the same way.
uint32_t crc32(uint32_t init, const uint8_t* bytes, size_t n) { return crc32_gzip_refl(init, bytes, n); }
#else
bool haveFastCrc32() { return false; }

uint32_t crc32(uint32_t, const uint8_t*, size_t) { return 0; }
#endif

}  // namespace fedssd_fold
