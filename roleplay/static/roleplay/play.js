// The practice screen. It talks only to the JSON API (/api/roleplay/); every text from the
// server is inserted with textContent, never as HTML.
(function () {
  "use strict";
  const root = document.getElementById("roleplay");
  if (!root) return;
  const labels = JSON.parse(document.getElementById("labels").textContent);
  const base = root.dataset.api.replace(/\/$/, "");
  const el = (id) => document.getElementById(id);
  const transcript = el("transcript"), choicesBox = el("choices"), notice = el("notice");
  const form = el("say"), textarea = el("say-text"), stateBox = el("state");
  let session = null, busy = false;

  function csrf() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function make(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function speakerName(turn) {
    return turn.speaker === "learner" ? labels.you : session.persona.name;
  }

  function turnItem(turn) {
    const li = make("li", "turn " + turn.speaker);
    li.appendChild(make("span", "who", speakerName(turn)));
    li.appendChild(make("p", "said", turn.text));
    if (turn.pending) {
      li.classList.add("pending");
      // A reply cut off after its first words keeps them; the note says it is unfinished.
      const note = turn.error === "incomplete" ? labels.incomplete : labels.pending;
      li.appendChild(make("p", "meta", note));
      const button = make("button", "secondary", labels.retry);
      button.type = "button";
      button.addEventListener("click", () => send(base + "/retry", null, li));
      li.appendChild(button);
    }
    return li;
  }

  function showState(state) {
    stateBox.replaceChildren();
    for (const v of session.variables) {
      const wrap = make("div", "meter");
      const id = "meter-" + v.key;
      wrap.appendChild(make("label", "", v.label)).htmlFor = id;
      const meter = make("meter");
      meter.id = id; meter.min = v.min; meter.max = v.max; meter.value = state[v.key];
      wrap.appendChild(meter);
      stateBox.appendChild(wrap);
    }
  }

  function showChoices(choices) {
    choicesBox.replaceChildren();
    for (const c of choices || []) {
      const button = make("button", "choice", c.text);
      button.type = "button";
      button.addEventListener("click", () => send(base + "/turns", { choice: c.id }));
      choicesBox.appendChild(button);
    }
  }

  function finish() {
    form.hidden = true; choicesBox.replaceChildren(); el("end-form").hidden = true;
    const p = make("p", "ended");
    p.appendChild(make("span", "", labels.ended + " "));
    const a = make("a", "button", labels.feedback);
    a.href = root.dataset.debrief;
    p.appendChild(a);
    transcript.after(p);
  }

  function say(message) {
    notice.textContent = message || "";
    notice.hidden = !message;
  }

  function setBusy(value) {
    busy = value;
    for (const b of root.querySelectorAll("button")) b.disabled = value;
    root.setAttribute("aria-busy", value ? "true" : "false");
  }

  async function send(url, body, replacing) {
    if (busy) return;
    setBusy(true);
    say("");
    let live = null;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRFToken": csrf() },
        body: body ? JSON.stringify(body) : "{}",
        credentials: "same-origin",
      });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        failed(problem.detail || labels.failed);
        return;
      }
      if (replacing) replacing.remove();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const raw = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = (raw.match(/^event: (.*)$/m) || [])[1];
          const data = JSON.parse((raw.match(/^data: (.*)$/m) || [])[1] || "{}");
          live = handle(event, data, live);
        }
      }
      if (body && body.text !== undefined) textarea.value = "";
    } catch (error) {
      failed(labels.failed);
    } finally {
      setBusy(false);
    }
  }

  // While a turn is sent every button is disabled, so the one that had focus (a choice, "Say
  // it", "Ask again") loses it; afterwards focus goes to the new content — the reply, or the
  // notice of a failure — so keyboard and screen-reader users continue from there.
  function focusOn(node) {
    node.tabIndex = -1;
    node.focus();
  }

  function failed(message) {
    say(message);
    focusOn(notice);
  }

  function handle(event, data, live) {
    if (event === "learner") {
      const item = turnItem(data.turn);
      transcript.appendChild(item);
      if (data.notice) say(data.notice);
      return null;
    }
    if (event === "delta") {
      if (!live) {
        live = turnItem({ speaker: "persona", text: "" });
        transcript.appendChild(live);
      }
      live.querySelector(".said").textContent += data.text;
      return live;
    }
    if (event === "reply") {
      if (live) live.remove();
      if (data.matched) {
        const last = transcript.querySelector("li.learner:last-of-type");
        if (last) last.appendChild(make("p", "meta", labels.chose + " " + data.matched.text));
      }
      const reply = turnItem(data.turn);
      transcript.appendChild(reply);
      showState(data.state);
      showChoices(data.choices);
      if (data.status === "ended") finish();
      focusOn(reply);
    }
    return null;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (text) send(base + "/turns", { text: text });
  });

  el("end-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!window.confirm(labels.confirm_end)) return;
    setBusy(true);
    const response = await fetch(base + "/end", {
      method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
    });
    if (response.ok) window.location.href = root.dataset.debrief;
    else { setBusy(false); failed(labels.failed); }
  });

  fetch(root.dataset.api, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      session = data;
      for (const turn of data.turns) transcript.appendChild(turnItem(turn));
      showState(data.state);
      showChoices(data.choices);
      if (data.status === "ended") finish();
    })
    .catch(() => say(labels.failed));
})();
