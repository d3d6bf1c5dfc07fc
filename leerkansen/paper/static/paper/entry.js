// The entry screen of paper questionnaires: after a complete answer, the cursor moves on to
// the next field. Without this script the form works the same, with Tab between fields.
(function () {
  "use strict";
  const form = document.querySelector(".paper-entry");
  if (!form) return;
  const fields = Array.from(form.querySelectorAll(".paper-entry__key, .paper-entry__text, #paper-save"));

  // Complete: one digit where an item has at most nine options, two where it has more
  // (the sector: "01" to "21", "00" for weet niet).
  function complete(input) {
    const value = input.value.trim();
    const max = parseInt(input.dataset.max, 10) || 9;
    if (!/^[0-9]+$/.test(value)) return false;
    return max > 9 ? value.length >= 2 : value.length >= 1;
  }

  // A field with an answer already: the next digit typed replaces it.
  form.addEventListener("focusin", function (event) {
    if (event.target.classList.contains("paper-entry__key")) event.target.select();
  });

  form.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.classList.contains("paper-entry__key") || !complete(input)) return;
    const next = fields[fields.indexOf(input) + 1];
    if (next) {
      next.focus();
      if (next.select) next.select();
    }
  });
  // For the browser tests: typing before this point would not move the cursor on.
  form.dataset.keysReady = "true";
})();
