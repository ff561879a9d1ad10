// The admin center's only script, and none of it is needed to use a page: times in the
// viewer's own time zone, and the PIN form's checks before it is sent (the server checks
// again, and alone decides).
(function () {
  "use strict";

  function localTimes() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    var format = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    document.querySelectorAll("time[datetime]").forEach(function (t) {
      var when = new Date(t.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        t.setAttribute("title", t.textContent);
        t.textContent = format.format(when);
      }
    });
    document.querySelectorAll("[data-time-zone]").forEach(function (z) { z.textContent = "your time zone, " + zone; });
  }

  // The rules a browser can check alone; the weak-PIN rules are the server's.
  function pinProblem(pin, min, max) {
    if (pin.length === 0) return "The PIN cannot be blank: enter " + min + " to " + max + " digits. (Empty)";
    if (!/^[0-9]*$/.test(pin)) return "The PIN may contain only the digits 0 to 9: no letters, spaces or other characters. (NotDigits)";
    if (pin.length < min) return "The PIN is too short: it must have at least " + min + " digits. (TooShort)";
    if (pin.length > max) return "The PIN is too long: it must have at most " + max + " digits. (TooLong)";
    return "";
  }

  function show(input, messageId, text) {
    var message = document.getElementById(messageId);
    if (message) message.textContent = text;
    if (text) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }

  function pinForms() {
    document.querySelectorAll("form[data-pin-form]").forEach(function (form) {
      var min = parseInt(form.getAttribute("data-min"), 10) || 6;
      var max = parseInt(form.getAttribute("data-max"), 10) || 10;
      var pin = form.querySelector("#pin");
      var again = form.querySelector("#pin_confirmation");
      if (!pin || !again) return;
      form.addEventListener("submit", function (event) {
        var problem = pinProblem(pin.value, min, max);
        var mismatch = !problem && pin.value !== again.value
          ? "The PIN and its confirmation differ: enter the same PIN in both fields. (ConfirmationMismatch)" : "";
        show(pin, "pin-check", problem);
        show(again, "pin-confirmation-check", mismatch);
        if (problem || mismatch) {
          event.preventDefault();
          (problem ? pin : again).focus();
        }
      });
      pin.addEventListener("input", function () {
        if (pin.getAttribute("aria-invalid") === "true") show(pin, "pin-check", pinProblem(pin.value, min, max));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes();
    pinForms();
  });
}());
