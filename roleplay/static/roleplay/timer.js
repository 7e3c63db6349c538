// A countdown for peer practice; each partner runs their own on their own screen.
(function () {
  "use strict";
  for (const box of document.querySelectorAll("[data-timer]")) {
    const clock = box.querySelector(".clock"), minutes = box.querySelector("[data-minutes]");
    const done = box.querySelector("[data-done]");
    let ends = null, tick = null;
    const show = (ms) => {
      const s = Math.max(0, Math.round(ms / 1000));
      clock.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    };
    const reset = () => {
      clearInterval(tick); ends = null; done.hidden = true;
      show(Number(minutes.value) * 60000);
    };
    box.querySelector("[data-start]").addEventListener("click", () => {
      reset();
      ends = Date.now() + Number(minutes.value) * 60000;
      tick = setInterval(() => {
        const left = ends - Date.now();
        show(left);
        if (left <= 0) { clearInterval(tick); done.hidden = false; }
      }, 250);
    });
    box.querySelector("[data-reset]").addEventListener("click", reset);
    minutes.addEventListener("change", reset);
    reset();
  }
})();
