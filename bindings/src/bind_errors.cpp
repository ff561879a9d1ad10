// C++ errors become the classes of portout.errors, with their id, category and target as
// attributes. The classes live in Python so that each can also be the matching builtin.
#include "bindings.hpp"

#include <portout/errors.hpp>
#include <portout/pin_policy.hpp>
#include <portout/service.hpp>

#include <pybind11/stl.h>

#include <string>

namespace portout::bindings {

namespace {

// Text from the core as a str, whatever bytes it holds: a target may echo invalid UTF-8 that
// a caller sent (a lone surrogate in an order id), and that must not turn into a second error.
py::str lenient(const std::string& text) {
    PyObject* s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
    if (!s) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(s);
}

void set_python_error(const Error& e, py::object violations) {
    try {
        auto from_core = py::module_::import("portout.errors").attr("_from_core");
        py::object exc = from_core(std::string(to_string(e.category())), lenient(e.error_id()),
                                   lenient(e.what()), lenient(e.target()), std::move(violations));
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
        } catch (const ThrottledError& e) {
            set_python_error(e, py::none());
            // How long to wait, as a timedelta (an HTTP answer's Retry-After).
            PyObject *type = nullptr, *value = nullptr, *trace = nullptr;
            PyErr_Fetch(&type, &value, &trace);
            if (value) {
                py::handle exc(value);
                exc.attr("retry_after") = timedelta_from_millis(e.retry_after_ms());
            }
            PyErr_Restore(type, value, trace);
        } catch (const Error& e) {
            set_python_error(e, py::none());
        }
    });
}

}  // namespace portout::bindings
