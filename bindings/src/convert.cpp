// Python values into core types. Each conversion refuses what it cannot take exactly, with a
// portout.InvalidTypeError that names the parameter, rather than coercing.
#include "bindings.hpp"

#include <portout/errors.hpp>

#include <sodium.h>

#include <climits>
#include <string>

namespace portout::bindings {

namespace {

std::string type_name(py::handle value) {
    return value.is_none() ? "None" : Py_TYPE(value.ptr())->tp_name;
}

}  // namespace

Secret pin_from_python(py::handle value, const char* parameter) {
    PyObject* obj = value.ptr();
    if (!PyUnicode_Check(obj)) {
        const std::string type_name = bindings::type_name(value);
        std::string why = PyLong_Check(obj) ? " A number would lose the PIN's leading zeros."
                          : PyBytes_Check(obj) || PyByteArray_Check(obj)
                              ? " Decode the bytes to text first."
                              : "";
        throw InvalidTypeError("PinNotString", std::string("The ") + parameter +
                                                   " must be a str, not " + type_name + "." + why);
    }
    Py_ssize_t size = 0;
    if (const char* utf8 = PyUnicode_AsUTF8AndSize(obj, &size)) {
        return Secret(std::string_view(utf8, static_cast<std::size_t>(size)));
    }
    // Lone surrogates have no UTF-8 form: keep them as bytes, which the policy refuses.
    PyErr_Clear();
    auto bytes = py::reinterpret_steal<py::object>(
        PyUnicode_AsEncodedString(obj, "utf-8", "surrogatepass"));
    if (!bytes) throw py::error_already_set();
    char* data = nullptr;
    if (PyBytes_AsStringAndSize(bytes.ptr(), &data, &size) != 0) throw py::error_already_set();
    Secret pin(std::string_view(data, static_cast<std::size_t>(size)));
    sodium_memzero(data, static_cast<std::size_t>(size));  // our private copy, refcount one
    return pin;
}

int int_from_python(py::handle value, const char* parameter) {
    // Anything with __index__ (numpy's integers too), but not bool: True is a mistake, not a 1.
    if (PyBool_Check(value.ptr()) || !PyIndex_Check(value.ptr())) {
        throw InvalidTypeError("SettingNotInteger", std::string("The ") + parameter +
                                                        " must be an int, not " +
                                                        type_name(value) + ".");
    }
    auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long n = PyLong_AsLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0 || n < INT_MIN || n > INT_MAX) {
        throw InvalidArgumentError("SettingOutOfRange",
                                   std::string("The ") + parameter + " is out of range.");
    }
    return static_cast<int>(n);
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
