// Table views (people, companies, deals): saved-view forms carry the toolbar's current state,
// "columns" travels as columns=a,b,c, the bulk bar counts the selection and confirms moves to
// the bin. Everything works without it, less comfortably.
(() => {
  "use strict";
  const toolbar = () => document.querySelector("form[data-table-toolbar]");

  // A saved-view form (Save view / Save as…) takes the table's state at the moment it is sent.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented) return; // app.js: the user cancelled a data-confirm form
    if (form.matches("[data-view-form]") && toolbar()) {
      form.querySelectorAll("[data-state]").forEach((node) => node.remove());
      const data = new FormData(toolbar());
      const columns = data.getAll("columns");
      for (const [key, value] of data.entries()) {
        if (key === "view" || key === "columns") continue;
        form.append(Object.assign(document.createElement("input"), { type: "hidden", name: key, value }));
      }
      form.append(Object.assign(document.createElement("input"), { type: "hidden", name: "columns", value: columns.join(",") }));
    }
    if (form.matches("[data-bulk-form]")) {
      const bar = form.querySelector("[data-bulk]");
      const action = form.querySelector("select[name=action]");
      if (bar && action && action.value === "delete" && !window.confirm(`${bar.dataset.confirmDelete} (${count(form)})`)) {
        event.preventDefault();
      }
    }
  }, true);

  // columns=a&columns=b becomes columns=a,b in the address.
  document.addEventListener("htmx:configRequest", (event) => {
    const data = event.detail.formData;
    if (!data || !data.has || !data.has("columns")) return;
    const joined = data.getAll("columns").join(",");
    data.delete("columns");
    data.set("columns", joined);
  });

  function count(form) {
    const bar = form.querySelector("[data-bulk]");
    const all = form.querySelector("[data-bulk-all]");
    const n = form.querySelectorAll("input[name=ids]:checked").length;
    if (all && all.checked) return bar.dataset.textAll;
    if (!n) return bar.dataset.textNone;
    return bar.dataset.textSome.replace("%(n)s", n.toLocaleString());
  }

  function recount(form) {
    const label = form && form.querySelector("[data-bulk-count]");
    if (label) label.textContent = count(form);
  }

  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-bulk-form]");
    if (!form) return;
    if (event.target.matches("[data-bulk-all]") && event.target.checked) {
      form.querySelectorAll("input[name=ids], [data-check-all]").forEach((box) => { box.checked = true; });
    } else if (event.target.matches("input[name=ids], [data-check-all]") && !event.target.checked) {
      const all = form.querySelector("[data-bulk-all]");
      if (all) all.checked = false;
    }
    recount(form);
  });
  document.addEventListener("htmx:afterSwap", () => document.querySelectorAll("form[data-bulk-form]").forEach(recount));
})();
