// Buttons that print a frame (the receipt): wired here, since the CSP allows no inline handlers.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print-frame]") : null;
  if (!button) { return; }
  var frame = document.getElementById(button.getAttribute("data-print-frame"));
  if (frame) { frame.contentWindow.print(); }
});
// Small enhancements for the web desk; every page works without them.
// Registration form: show the receipt-date rule and the confirmation field for the chosen channel,
// and the organisation kind only for an organisation.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("register-form");
  if (!form) { return; }
  var channel = form.querySelector("[name=channel]");
  var confirm = document.getElementById("confirmed-on-field");
  var rules = JSON.parse(form.getAttribute("data-rules") || "{}");
  var needs = JSON.parse(form.getAttribute("data-needs-confirmation") || "[]");
  var rule = document.getElementById("channel-rule");
  function syncChannel() {
    if (rule) { rule.textContent = rules[channel.value] || ""; }
    if (confirm) { confirm.hidden = needs.indexOf(channel.value) < 0; }
  }
  var kinds = form.querySelectorAll("[name='applicant.kind']");
  var org = document.getElementById("org-kind-field");
  function syncKind() {
    var checked = form.querySelector("[name='applicant.kind']:checked");
    if (org) { org.hidden = !checked || checked.value !== "organisation"; }
  }
  channel.addEventListener("change", syncChannel);
  kinds.forEach(function (k) { k.addEventListener("change", syncKind); });
  syncChannel();
  syncKind();
});
