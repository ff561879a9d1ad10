// Python values into core types. Each conversion refuses what it cannot take exactly, with a
// portout.InvalidTypeError that names the parameter, rather than coercing.
#include "bindings.hpp"

#include <portout/errors.hpp>

#include <sodium.h>

#include <climits>
#include <cmath>
#include <string>

namespace portout::bindings {

namespace {

std::string type_name(py::handle value) {
    return value.is_none() ? "None" : Py_TYPE(value.ptr())->tp_name;
}

// The UTF-8 of a str, lone surrogates kept as (invalid) bytes; `sink` receives the bytes.
template <class Sink>
auto with_utf8(py::handle value, const char* parameter, const char* error_id, Sink sink) {
    PyObject* obj = value.ptr();
    if (!PyUnicode_Check(obj)) {
        const std::string why = PyLong_Check(obj) && !PyBool_Check(obj)
                                    ? " A number would lose leading zeros."
                                : PyBytes_Check(obj) || PyByteArray_Check(obj)
                                    ? " Decode the bytes to text first."
                                    : "";
        throw InvalidTypeError(error_id, std::string("The ") + parameter + " must be a str, not " +
                                             type_name(value) + "." + why);
    }
    Py_ssize_t size = 0;
    if (const char* utf8 = PyUnicode_AsUTF8AndSize(obj, &size)) {
        return sink(std::string_view(utf8, static_cast<std::size_t>(size)));
    }
    PyErr_Clear();
    auto bytes = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(obj, "utf-8", "surrogatepass"));
    if (!bytes) throw py::error_already_set();
    char* data = nullptr;
    if (PyBytes_AsStringAndSize(bytes.ptr(), &data, &size) != 0) throw py::error_already_set();
    auto result = sink(std::string_view(data, static_cast<std::size_t>(size)));
    sodium_memzero(data, static_cast<std::size_t>(size));  // our private copy, refcount one
    return result;
}

}  // namespace

Secret pin_from_python(py::handle value, const char* parameter) {
    // Far longer than any PIN of any policy (the seed's longest has ten characters, a policy's
    // at most fifteen): refused from the str's length, which Python keeps, before its UTF-8 is
    // made or copied, so a PIN of a hundred megabytes costs neither time nor memory.
    if (PyUnicode_Check(value.ptr()) && PyUnicode_GetLength(value.ptr()) > kLongestPinArgument) {
        throw InvalidArgumentError("PinTooLong", std::string("The ") + parameter +
                                                     " is longer than any PIN can be (at most "
                                                     "sixty-four characters are read); it was "
                                                     "refused as it came, and nothing was hashed.");
    }
    return with_utf8(value, parameter, "PinNotString", [](std::string_view s) { return Secret(s); });
}

Secret secret_from_python(py::handle value, const char* parameter, std::size_t max_chars) {
    // Longer than any such secret can be: refused as it came, before its UTF-8 is made.
    if (PyUnicode_Check(value.ptr()) && static_cast<std::size_t>(PyUnicode_GetLength(value.ptr())) > max_chars) {
        return Secret();
    }
    return with_utf8(value, parameter, "ParameterNotString", [](std::string_view s) { return Secret(s); });
}

std::string text_from_python(py::handle value, const char* parameter) {
    return with_utf8(value, parameter, "ParameterNotString",
                     [](std::string_view s) { return std::string(s); });
}

std::optional<std::string> optional_text_from_python(py::handle value, const char* parameter) {
    if (value.is_none()) return std::nullopt;
    return text_from_python(value, parameter);
}

std::int64_t int64_from_python(py::handle value, const char* parameter) {
    // Anything with __index__ (numpy's integers too), but not bool: True is a mistake, not a 1.
    if (PyBool_Check(value.ptr()) || !PyIndex_Check(value.ptr())) {
        throw InvalidTypeError("SettingNotInteger", std::string("The ") + parameter +
                                                        " must be an int, not " +
                                                        type_name(value) + ".");
    }
    auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0) {
        throw InvalidArgumentError("SettingOutOfRange", std::string("The ") + parameter + " is out of range.");
    }
    return static_cast<std::int64_t>(n);
}

std::vector<std::string> blocklist_from_python(py::handle value) {
    if (PyUnicode_Check(value.ptr()) || PyBytes_Check(value.ptr())) {
        throw InvalidTypeError("BlocklistNotIterable",
                               "The blocklist must be a collection of str, not a single string.");
    }
    if (!py::isinstance<py::iterable>(value)) {
        throw InvalidTypeError("BlocklistNotIterable",
                               std::string("The blocklist must be a collection of str, not ") +
                                   type_name(value) + ".");
    }
    std::vector<std::string> out;
    for (py::handle item : py::reinterpret_borrow<py::iterable>(value)) {
        out.emplace_back(pin_from_python(item, "blocklist entry").view());
    }
    return out;
}

int int_from_python(py::handle value, const char* parameter) {
    const auto n = int64_from_python(value, parameter);
    if (n < INT_MIN || n > INT_MAX) {
        throw InvalidArgumentError("SettingOutOfRange", std::string("The ") + parameter + " is out of range.");
    }
    return static_cast<int>(n);
}

namespace {

py::module_ datetime_module() { return py::module_::import("datetime"); }

py::object utc() { return datetime_module().attr("timezone").attr("utc"); }

py::object epoch() {
    return datetime_module().attr("datetime")(1970, 1, 1, py::arg("tzinfo") = utc());
}

py::object one_millisecond() {
    return datetime_module().attr("timedelta")(py::arg("milliseconds") = 1);
}

}  // namespace

std::int64_t millis_from_datetime(py::handle value, const char* parameter) {
    auto dt = datetime_module().attr("datetime");
    if (!py::isinstance(value, dt)) {
        throw InvalidTypeError("ParameterNotDateTime", std::string("The ") + parameter +
                                                           " must be a datetime, not " +
                                                           type_name(value) + ".");
    }
    py::object aware = py::reinterpret_borrow<py::object>(value);
    if (aware.attr("tzinfo").is_none() || aware.attr("utcoffset")().is_none()) {
        aware = aware.attr("replace")(py::arg("tzinfo") = utc());  // naive: taken as UTC
    }
    py::object delta = aware - epoch();
    return int64_from_python(delta.attr("__floordiv__")(one_millisecond()), parameter);
}

py::object datetime_from_millis(std::int64_t ms) {
    return epoch() + datetime_module().attr("timedelta")(py::arg("milliseconds") = ms);
}

py::object datetime_from_millis(const std::optional<std::int64_t>& ms) {
    return ms ? datetime_from_millis(*ms) : py::none();
}

std::int64_t millis_from_duration(py::handle value, const char* parameter) {
    if (py::isinstance(value, datetime_module().attr("timedelta"))) {
        py::object ms = value.attr("__floordiv__")(one_millisecond());
        return int64_from_python(ms, parameter);
    }
    if (PyBool_Check(value.ptr()) || !(PyLong_Check(value.ptr()) || PyFloat_Check(value.ptr()))) {
        throw InvalidTypeError("ParameterNotDuration", std::string("The ") + parameter +
                                                           " must be a timedelta or a number of "
                                                           "seconds, not " +
                                                           type_name(value) + ".");
    }
    const double seconds = value.cast<double>();
    if (!(seconds >= -1e9 && seconds <= 1e9)) {  // also refuses NaN
        throw InvalidArgumentError("SettingOutOfRange", std::string("The ") + parameter + " is out of range.");
    }
    return static_cast<std::int64_t>(seconds * 1000.0);
}

py::object timedelta_from_millis(std::int64_t ms) {
    return datetime_module().attr("timedelta")(py::arg("milliseconds") = ms);
}

void add_record_protocol(py::object cls, const char* name, std::vector<const char*> fields) {
    py::tuple names(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) names[i] = py::str(fields[i]);
    cls.attr("_fields") = names;
    const std::string type_name_copy = name;
    cls.attr("__repr__") = py::cpp_function(
        [type_name_copy, names](py::handle self) {
            std::string out = type_name_copy + "(";
            for (std::size_t i = 0; i < names.size(); ++i) {
                if (i) out += ", ";
                out += names[i].cast<std::string>() + "=" +
                       py::repr(self.attr(names[i])).cast<std::string>();
            }
            return out + ")";
        },
        py::is_method(cls));
    cls.attr("__eq__") = py::cpp_function(
        [names](py::handle self, py::handle other) -> py::object {
            if (!py::type::of(self).is(py::type::of(other))) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            for (auto n : names) {
                if (!self.attr(n).equal(other.attr(n))) return py::bool_(false);
            }
            return py::bool_(true);
        },
        py::is_method(cls));
    cls.attr("__hash__") = py::none();
    cls.attr("to_dict") = py::cpp_function(
        [names](py::handle self) {
            py::dict d;
            for (auto n : names) d[n] = self.attr(n);
            return d;
        },
        py::is_method(cls), "The fields as a dict, in declaration order.");
}

bool bool_from_python(py::handle value, const char* parameter) {
    if (!PyBool_Check(value.ptr())) {
        throw InvalidTypeError("SettingNotBoolean", std::string("The ") + parameter +
                                                        " must be True or False, not " +
                                                        type_name(value) + ".");
    }
    return value.ptr() == Py_True;
}

}  // namespace portout::bindings
