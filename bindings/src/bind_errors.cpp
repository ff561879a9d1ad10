// C++ errors become the classes of portout.errors, with their id, category and target as
// attributes. The classes live in Python so that each can also be the matching builtin.
#include "bindings.hpp"

#include <portout/errors.hpp>
#include <portout/pin_policy.hpp>

#include <pybind11/stl.h>

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

}  // namespace portout::bindings
