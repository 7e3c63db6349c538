// Copy buttons for links people pass on (invitations, peer practice). Without JavaScript the
// buttons stay hidden and the link can still be selected in its field.
(function () {
  "use strict";
  const copied = document.documentElement.dataset.copiedLabel || "Copied";
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector('[data-copied="' + button.dataset.copy + '"]');
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (error) {
        // Older browsers and plain-http pages have no clipboard API: select it instead.
        field.select();
        document.execCommand("copy");
      }
      if (status) status.textContent = copied;
    });
  }
})();
