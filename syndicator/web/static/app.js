// syndicator dashboard: the only script. Forms work without it; it adds live length
// counting on the Queue (measured by the server with the platform's own rule) and
// "select all" for bulk approval.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const csrf = document.querySelector("input[name=csrf]");
  document.querySelectorAll("textarea[data-measure]").forEach((box) => {
    let timer = 0;
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const body = new URLSearchParams({ id: box.dataset.measure, text: box.value, csrf: csrf ? csrf.value : "" });
        const answer = await fetch("/measure", { method: "POST", body, credentials: "same-origin" });
        if (!answer.ok) return;
        const result = await answer.json();
        const line = document.getElementById("length-" + box.dataset.measure);
        if (!line || result.error) return;
        line.querySelector(".count").textContent = result.length;
        line.querySelector(".limit").textContent = result.limit;
        line.querySelector(".over").hidden = result.fits;
        line.classList.toggle("too-long", !result.fits);
      }, 250);
    });
  });
  document.querySelectorAll("input[data-select-all]").forEach((all) => {
    all.addEventListener("change", () => {
      document.querySelectorAll(`input[name=${all.dataset.selectAll}]`).forEach((box) => { box.checked = all.checked; });
    });
  });
});
