// One init_<area>() per binding file; module.cpp only calls them.
#pragma once

#include <portout/secret.hpp>

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace portout::bindings {

namespace py = pybind11;

void init_errors(py::module_& m);
void init_policy(py::module_& m);
void init_records(py::module_& m);
void init_store(py::module_& m);

// More characters than this are no PIN of any policy: refused before they are converted.
inline constexpr Py_ssize_t kLongestPinArgument = 64;
// A PIN from Python: a str only (an int would lose leading zeros, bytes have no one encoding),
// copied into a Secret. Anything else raises portout.InvalidTypeError (a TypeError); a str of
// more than kLongestPinArgument characters raises portout.InvalidArgumentError (PinTooLong)
// before anything is copied.
Secret pin_from_python(py::handle value, const char* parameter = "PIN");
// A secret other than a PIN (a token): empty when longer than `max_chars`.
Secret secret_from_python(py::handle value, const char* parameter, std::size_t max_chars);
// A blocklist: a collection (not a single string) of str entries, each taken as a PIN.
std::vector<std::string> blocklist_from_python(py::handle value);
// An int (not a bool) that fits in an int; else InvalidTypeError or InvalidArgumentError.
int int_from_python(py::handle value, const char* parameter);
std::int64_t int64_from_python(py::handle value, const char* parameter);
// True or False only.
bool bool_from_python(py::handle value, const char* parameter);
// A str only, as UTF-8 (lone surrogates kept as bytes, which every validator refuses).
std::string text_from_python(py::handle value, const char* parameter);
// A str or None.
std::optional<std::string> optional_text_from_python(py::handle value, const char* parameter);

// Times: Python datetimes (naive ones taken as UTC) to and from milliseconds since the epoch.
std::int64_t millis_from_datetime(py::handle value, const char* parameter);
py::object datetime_from_millis(std::int64_t ms);
py::object datetime_from_millis(const std::optional<std::int64_t>& ms);
// Durations: a timedelta, or a number of seconds.
std::int64_t millis_from_duration(py::handle value, const char* parameter);
py::object timedelta_from_millis(std::int64_t ms);

// Gives a bound record type a repr, equality, `_fields` and `to_dict()` from its field names.
void add_record_protocol(py::object cls, const char* name, std::vector<const char*> fields);

}  // namespace portout::bindings
