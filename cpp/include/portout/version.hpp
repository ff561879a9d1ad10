#pragma once

#include <string_view>

namespace portout {

// The version CMake's project() declares; the Python package reports the same one.
std::string_view version() noexcept;

}  // namespace portout
