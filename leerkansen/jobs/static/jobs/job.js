// Live progress on a job's page; without this file the page shows the state when refreshed.
document.addEventListener("DOMContentLoaded", () => {
  const page = document.getElementById("job");
  if (!page || !["queued", "running"].includes(page.dataset.status)) return;
  const bar = document.getElementById("job-bar");
  const label = document.getElementById("job-status-label");
  const count = document.getElementById("job-count");
  const percent = document.getElementById("job-percent");
  let status = page.dataset.status;
  const poll = async () => {
    try {
      const response = await fetch(page.dataset.stateUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return setTimeout(poll, 5000);
      const state = await response.json();
      if (!["queued", "running"].includes(state.status)) return location.reload();
      if (state.status !== status) label.textContent = state.status_label;
      status = state.status;
      if (state.percent !== null) {
        bar.value = state.percent;
        bar.textContent = `${state.percent}%`;
        percent.textContent = `: ${state.percent}%`;
      }
      if (state.total) {
        count.textContent = count.dataset.template
          .replace("{done}", state.done.toLocaleString("nl-BE"))
          .replace("{total}", state.total.toLocaleString("nl-BE"));
      }
    } catch (error) {
      return setTimeout(poll, 5000);
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});
