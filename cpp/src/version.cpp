#include <portout/version.hpp>

namespace portout {

std::string_view version() noexcept { return PORTOUT_VERSION; }

}  // namespace portout
