// Drag-and-drop reordering for lists marked [data-sortable] (HTML5 drag and drop, no library).
// Items are the list's children with data-id; a [data-drag-handle] inside starts the drag.
// After a drop the position inputs ([data-position]) are renumbered and the list's order form
// (data-sortable-form="<form id>") is posted with the new order as repeated "ids".
// Without JavaScript the same form works by hand: type the positions and save.
(() => {
  let dragged = null;

  const itemOf = (el) => {
    const item = el instanceof Element ? el.closest("[data-sortable] > [data-id]") : null;
    return item;
  };

  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest("[data-drag-handle]");
    const item = handle && itemOf(handle);
    if (item) item.setAttribute("draggable", "true");
  });

  document.addEventListener("dragstart", (event) => {
    const item = itemOf(event.target);
    if (!item || item.getAttribute("draggable") !== "true") return;
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.id);
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const over = itemOf(event.target);
    if (!over || over.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    if (over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", () => {
    if (!dragged) return;
    const list = dragged.parentElement;
    dragged.classList.remove("dragging");
    dragged.removeAttribute("draggable");
    dragged = null;
    save(list);
  });

  async function save(list) {
    const items = [...list.children].filter((el) => el.dataset.id);
    items.forEach((item, i) => {
      const input = item.querySelector("[data-position]");
      if (input) input.value = i + 1;
    });
    const form = document.getElementById(list.dataset.sortableForm);
    if (!form) return;
    const body = new FormData(form);
    items.forEach((item) => body.append("ids", item.dataset.id));
    const status = list.parentElement.querySelector("[data-sortable-status]");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { "X-Sortable": "1" },
        credentials: "same-origin",
      });
      if (response.ok) {
        if (status) status.textContent = status.dataset.saved || "✓";
        return;
      }
      const plain = (response.headers.get("Content-Type") || "").startsWith("text/plain");
      window.alert(plain ? await response.text() : status?.dataset.error || response.statusText);
    } catch {
      window.alert(status?.dataset.error || "Network error");
    }
    window.location.reload();
  }
})();
