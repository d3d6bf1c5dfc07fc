// Questionnaire enhancements; every page works without this file.
// 1. Save a page on every change (the buttons still save too).
// 2. Copy the private resume link with one click.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosave]")) {
    const status = form.querySelector(".autosave-status");
    let timer = null;
    let pending = Promise.resolve();
    const say = (name) => {
      if (status) status.textContent = status.dataset[name] || "";
    };
    const save = () => {
      const body = new FormData(form);
      say("savingText");
      // One save at a time, in order, so an older page state never overwrites a newer one.
      pending = pending
        .then(() =>
          fetch(form.action, {
            method: "POST",
            body,
            headers: { "X-Autosave": "1" },
            credentials: "same-origin",
          })
        )
        .then((response) => say(response.ok ? "savedText" : "errorText"))
        .catch(() => say("offlineText"));
    };
    form.addEventListener("change", () => {
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    });
  }

  for (const button of document.querySelectorAll("[data-copy]")) {
    const input = document.getElementById(button.dataset.copy);
    if (!input || !navigator.clipboard) continue;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(input.value).then(() => {
        button.textContent = button.dataset.copiedText || label;
        setTimeout(() => {
          button.textContent = label;
        }, 2500);
      });
    });
  }

  for (const input of document.querySelectorAll("[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
});
