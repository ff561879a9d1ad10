#include "bindings.hpp"

#include <portout/pin_policy.hpp>

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace portout::bindings {

void init_policy(py::module_& m) {
    py::tuple rules(kAllPinRules.size());
    for (std::size_t i = 0; i < kAllPinRules.size(); ++i) rules[i] = py::str(std::string(to_string(kAllPinRules[i])));
    m.attr("PIN_RULES") = rules;
    py::tuple common(weak::common_pins().size());
    for (std::size_t i = 0; i < weak::common_pins().size(); ++i) common[i] = py::str(std::string(weak::common_pins()[i]));
    m.attr("COMMON_PINS") = common;

    py::class_<Violation>(m, "Violation",
                          "One rule a PIN failed: a stable rule id and a message without the PIN.")
        .def_property_readonly("rule", [](const Violation& v) { return std::string(to_string(v.rule)); })
        .def_readonly("message", &Violation::message)
        .def("__eq__", [](const Violation& a, const Violation& b) { return a == b; }, py::is_operator())
        .def("__hash__", [](const Violation& v) {
            return py::hash(py::make_tuple(std::string(to_string(v.rule)), v.message));
        })
        .def(py::pickle(
            [](const Violation& v) { return py::make_tuple(std::string(to_string(v.rule)), v.message); },
            [](const py::tuple& state) {
                auto rule = parse_pin_rule(state[0].cast<std::string>());
                if (!rule) throw InvalidArgumentError("UnknownPinRule", "Unknown PIN rule id.");
                return Violation{*rule, state[1].cast<std::string>()};
            }))
        .def("__repr__", [](const Violation& v) {
            return "Violation(rule=" + std::string(py::repr(py::str(std::string(to_string(v.rule))))) +
                   ", message=" + std::string(py::repr(py::str(v.message))) + ")";
        });

    py::class_<PinPolicy>(m, "PinPolicy", "The rules a port-out PIN must meet.")
        .def(py::init([](py::handle min_length, py::handle max_length, py::handle block_weak,
                         py::handle blocklist) {
                 return PinPolicy(int_from_python(min_length, "min_length"),
                                  int_from_python(max_length, "max_length"),
                                  bool_from_python(block_weak, "block_weak"),
                                  blocklist_from_python(blocklist));
             }),
             py::arg("min_length") = PinPolicy::kDefaultMinLength,
             py::arg("max_length") = PinPolicy::kDefaultMaxLength,
             py::arg("block_weak") = true, py::arg("blocklist") = py::tuple())
        .def_property_readonly("min_length", &PinPolicy::min_length)
        .def_property_readonly("max_length", &PinPolicy::max_length)
        .def_property_readonly("block_weak", &PinPolicy::block_weak)
        .def_property_readonly("blocklist", [](const PinPolicy& p) {
            py::tuple out(p.blocklist().size());
            for (std::size_t i = 0; i < p.blocklist().size(); ++i) out[i] = py::str(p.blocklist()[i]);
            return out;
        })
        .def("validate",
             [](const PinPolicy& p, py::handle pin) { return p.validate(pin_from_python(pin).view()); },
             py::arg("pin"), "Every rule the PIN fails, in rule order; empty when acceptable.")
        .def("check",
             [](const PinPolicy& p, py::handle pin) { p.check(pin_from_python(pin).view()); },
             py::arg("pin"), "Raise PinPolicyError listing every rule the PIN fails.")
        .def("is_valid",
             [](const PinPolicy& p, py::handle pin) { return p.validate(pin_from_python(pin).view()).empty(); },
             py::arg("pin"), "True when the PIN meets every rule.")
        .def("__eq__", [](const PinPolicy& a, const PinPolicy& b) { return a == b; }, py::is_operator())
        .def("__repr__", [](const PinPolicy& p) {
            // The blocklist's entries are PIN-like; the repr shows how many, not which.
            return "PinPolicy(min_length=" + std::to_string(p.min_length()) +
                   ", max_length=" + std::to_string(p.max_length()) +
                   ", block_weak=" + (p.block_weak() ? "True" : "False") + ", blocklist=<" +
                   std::to_string(p.blocklist().size()) + " entries>)";
        });
}

}  // namespace portout::bindings
