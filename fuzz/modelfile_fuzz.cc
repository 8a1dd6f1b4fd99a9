// libFuzzer target for the Modelfile parser (CONVENTIONS.md C12): `olla create` and /api/create
// read Modelfiles from users. Parse must refuse bad bytes with a Status (with a message), never
// crash or hang; whatever it accepts must render (Modelfile::ToString) to text that parses back to
// the same commands, and must go through BuildCreateRequest (a Status or a request) without
// crashing. Build and run: scripts/fuzz.sh SECONDS.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "modelfile/create_request.h"
#include "modelfile/modelfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace olla::modelfile;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const olla::Result<Modelfile> mf = Parse(bytes);
  if (!mf.ok()) {
    OLLA_CHECK(!mf.status().message().empty());
    return 0;
  }
  const std::string text = mf->ToString();
  const olla::Result<Modelfile> again = Parse(text);
  OLLA_CHECK(again.ok());
  OLLA_CHECK(*again == *mf);
  (void)ShowModelfileText("m", *mf);
  (void)BuildCreateRequest(*mf);  // a Status or a request: both are fine
  return 0;
}
