// Saves each answer as the learner gives it, so a closed tab or a lost signal loses nothing.
// Without JavaScript every question's own save button posts the same form.
(function () {
  "use strict";
  const forms = document.querySelectorAll("form[data-answer]");
  const unsent = new Set();
  const typing = new Map(); // form → timer of a written answer not sent yet
  const inflight = new Set();
  document.body.classList.add("js-saving");

  function show(form, text) {
    form.querySelector("[data-status]").textContent = text;
  }

  async function send(form) {
    unsent.delete(form);
    clearTimeout(typing.get(form));
    typing.delete(form);
    show(form, form.dataset.saving);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      unsent.add(form);
      show(form, form.dataset.offline);
      return;
    }
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      show(form, form.dataset.saved);
    } else if (response.status === 409) {
      // Time is up or the attempt was submitted elsewhere: the server has the final word.
      show(form, data.message || "");
      window.location.reload();
    } else {
      show(form, data.message || "");
    }
  }

  function save(form) {
    const sending = send(form);
    inflight.add(sending);
    sending.finally(() => inflight.delete(sending));
    return sending;
  }

  for (const form of forms) {
    form.addEventListener("change", () => save(form));
    form.addEventListener("input", (event) => {
      if (event.target.tagName !== "TEXTAREA") return;
      clearTimeout(typing.get(form));
      typing.set(form, setTimeout(() => save(form), 1500));
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save(form);
    });
  }
  window.addEventListener("online", () => unsent.forEach(save));
  setInterval(() => unsent.forEach(save), 15000);

  const submitForm = document.getElementById("submit-attempt");
  if (submitForm) {
    submitForm.addEventListener("submit", (event) => {
      if (!submitForm.dataset.auto && !window.confirm(submitForm.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      if (typing.size || inflight.size) {
        // Send what is still being typed or on its way before the attempt closes.
        event.preventDefault();
        const pending = [...typing.keys()].map(save);
        Promise.allSettled([...inflight, ...pending]).then(() => {
          submitForm.dataset.auto = "1";
          submitForm.requestSubmit();
        });
      }
    });
  }

  const clock = document.querySelector("[data-seconds-left]");
  if (clock && submitForm) {
    const ends = Date.now() + Number(clock.dataset.secondsLeft) * 1000;
    const face = clock.querySelector("[data-clock]");
    const tick = () => {
      const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      face.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0) {
        clearInterval(timer);
        submitForm.dataset.auto = "1";
        submitForm.requestSubmit();
      }
    };
    const timer = setInterval(tick, 1000);
    tick();
  }
})();
