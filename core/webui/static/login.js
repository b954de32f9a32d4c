// Opens the console at once when scripts run; the button does the same without them. A link
// preview (which runs no script and does not press buttons) therefore cannot use up the link.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("open");
  if (form) { form.submit(); }
});
