// Small behaviours of the shell; everything else is server-rendered (htmx).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit")) el.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-toggle-nav]")) document.body.classList.toggle("nav-open");
  if (event.target.closest("[data-toggle-account]")) document.body.classList.toggle("account-open");
});
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-check-all]");
  if (all) {
    all.closest("form").querySelectorAll("input[name=ids]").forEach((box) => { box.checked = all.checked; });
  }
});
// A destructive form asks first: <form data-confirm="Delete …?"> (no inline onsubmit handlers:
// the Content-Security-Policy refuses them).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
// Keyboard shortcuts: "/" focuses search, "n" opens the "new" form of the page, "c" the create
// menu. The page's own shortcut wins over the top bar's (the people list's "/" searches people).
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select, [contenteditable]");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const selector = `[data-shortcut="${CSS.escape(event.key)}"]`;
  const target = document.querySelector(`#content ${selector}`) || document.querySelector(selector);
  if (!target) return;
  event.preventDefault();
  if (target.tagName === "A") window.location = target.href;
  else if (target.tagName === "SUMMARY") {
    target.parentElement.open = true;
    const first = target.parentElement.querySelector("a, button");
    (first || target).focus();
  } else target.focus();
});
// Forms answer 422 with the fields' errors: swap them in like a success.
if (window.htmx) {
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true },
    { code: "[45]..", swap: false, error: true },
  ];
}
