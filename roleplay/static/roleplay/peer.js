// The learner's peer-practice screen: ask every few seconds whether the observer's scores have
// arrived, and open the feedback when they have.
(function () {
  "use strict";
  const root = document.getElementById("peer");
  if (!root || root.dataset.state !== "active") return;
  const EVERY_MS = 5000;
  async function check() {
    try {
      const response = await fetch(root.dataset.status, { credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        if (data.status === "ended") {
          window.location.href = data.debrief;
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
