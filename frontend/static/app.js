// civichub page enhancements. Every page works without this module; it only
// adds niceties on top of the server-rendered HTML. The live boxes on the
// home page (data-live) are filled by a later version over WebSocket.

// After a refused form, move focus to the list of problems, so that screen
// reader and keyboard users start there.
const summary = document.querySelector(".error-summary");
if (summary) {
  summary.focus();
}

// A link in the list of problems focuses its input and shows its label,
// instead of only scrolling the input to the top edge.
for (const link of document.querySelectorAll(".error-summary a[href^='#']")) {
  link.addEventListener("click", (event) => {
    const input = document.getElementById(link.hash.slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    (label ?? input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
}

// Ask before sending a form that cannot be undone (data-confirm holds the
// question in the page's language).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
}
