// One init_<area>() per binding file; module.cpp only calls them.
#pragma once

#include <portout/secret.hpp>

#include <pybind11/pybind11.h>

namespace portout::bindings {

namespace py = pybind11;

void init_errors(py::module_& m);
void init_policy(py::module_& m);

// A PIN from Python: a str only (an int would lose leading zeros, bytes have no one encoding),
// copied into a Secret. Anything else raises portout.InvalidTypeError (a TypeError).
Secret pin_from_python(py::handle value, const char* parameter = "PIN");
// An int (not a bool) that fits in an int; else InvalidTypeError or InvalidArgumentError.
int int_from_python(py::handle value, const char* parameter);
// True or False only.
bool bool_from_python(py::handle value, const char* parameter);

}  // namespace portout::bindings
