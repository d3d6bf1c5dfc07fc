// The entry screen of paper questionnaires: after a complete answer, the cursor moves on to
// the next field. Without this script the form works the same, with Tab between fields.
(function () {
  "use strict";
  const form = document.querySelector(".paper-entry");
  if (!form) return;
  const fields = Array.from(form.querySelectorAll(".paper-entry__key, .paper-entry__text, #paper-save"));

  // Complete: "0" (weet niet), two digits, or a digit no second digit could follow
  // (3 with at most 21 options may still become 21; 3 with 5 options cannot).
  function complete(input) {
    const value = input.value.trim();
    const max = parseInt(input.dataset.max, 10) || 9;
    if (!/^[0-9]+$/.test(value)) return false;
    return value === "0" || value.length >= 2 || parseInt(value, 10) * 10 > max;
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
})();
