#include "bindings.hpp"

#include <portout/version.hpp>

#include <string>

PYBIND11_MODULE(_core, m) {
    m.doc() = "The native core of portout. Import the package `portout`, not this module.";
    m.attr("__version__") = std::string(portout::version());
    portout::bindings::init_errors(m);
    portout::bindings::init_policy(m);
    portout::bindings::init_records(m);
    portout::bindings::init_store(m);
}
