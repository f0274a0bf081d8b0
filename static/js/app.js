// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = button && button.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  // A second click while the first submission is on its way must not send the form twice.
  var form = event.target;
  if (form.method.toLowerCase() === "post") {
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    window.setTimeout(function () { form.dataset.submitting = ""; }, 8000);
  }
});
