// Small behaviours of the shell; everything else is server-rendered (htmx).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit")) el.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-toggle-nav]")) document.body.classList.toggle("nav-open");
});
