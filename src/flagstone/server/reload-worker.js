// flagstone serve: one long poll shared by every open page of the preview; each server answer is passed
// to every page, which decides for itself whether to reload (see reload.js).
"use strict";
const ports = new Set();
let since = -1;
let instance = "";
let polling = false;

async function poll() {
  for (;;) {
    try {
      const query = `since=${since}&instance=${encodeURIComponent(instance)}`;
      const response = await fetch(`/__flagstone/livereload?${query}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const state = await response.json();
      since = state.generation;
      instance = state.instance;
      for (const port of ports) port.postMessage(state);
    } catch (_) {
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the server is restarting or gone
    }
  }
}

onconnect = (event) => {
  const port = event.ports[0];
  ports.add(port);
  port.onmessage = (message) => {
    if (message.data === "bye") {
      ports.delete(port);
      return;
    }
    if (!polling) {
      polling = true;
      since = message.data.generation;
      instance = message.data.instance;
      poll();
    }
  };
  port.start();
};
