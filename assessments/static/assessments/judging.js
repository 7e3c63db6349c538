// A debrief waiting for the AI judge: ask every few seconds whether its judgement has landed,
// and reload the page once it has (or has failed), so the learner sees it without a tap.
(function () {
  "use strict";
  const box = document.getElementById("judging");
  if (!box) return;
  const EVERY_MS = 4000;
  async function check() {
    try {
      const response = await fetch(box.dataset.status, { credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        if (data.status !== "pending") {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // Offline for a moment: try again at the next tick.
    }
    window.setTimeout(check, EVERY_MS);
  }
  window.setTimeout(check, EVERY_MS);
})();
