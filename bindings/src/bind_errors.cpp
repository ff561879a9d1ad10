// C++ errors become the classes of portout.errors, with their id, category and target as
// attributes. The classes live in Python so that each can also be the matching builtin.
#include "bindings.hpp"

#include <portout/errors.hpp>
#include <portout/pin_policy.hpp>

#include <pybind11/stl.h>

#include <sodium.h>

#include <string>

namespace portout::bindings {

namespace {

void set_python_error(const Error& e, py::object violations) {
    try {
        auto from_core = py::module_::import("portout.errors").attr("_from_core");
        py::object exc = from_core(std::string(to_string(e.category())), e.error_id(), e.what(),
                                   e.target(), std::move(violations));
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    } catch (py::error_already_set& failure) {
        failure.restore();
    }
}

}  // namespace

void init_errors(py::module_& /*m*/) {
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const PinPolicyError& e) {
            set_python_error(e, py::cast(e.violations()));
        } catch (const Error& e) {
            set_python_error(e, py::none());
        }
    });
}

Secret pin_from_python(py::handle value, const char* parameter) {
    PyObject* obj = value.ptr();
    if (!PyUnicode_Check(obj)) {
        std::string type_name = obj == Py_None ? "None" : Py_TYPE(obj)->tp_name;
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

}  // namespace portout::bindings
