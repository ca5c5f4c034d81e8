// The top bar: global search as you type (htmx fills the dropdown; arrows + Enter pick a
// result, Escape closes) and the "+ New" menu (closes on Escape or a click elsewhere).
(() => {
  const input = document.getElementById("global-search");
  const panel = document.getElementById("global-search-results");
  if (input && panel) {
    let active = -1;
    const options = () => Array.from(panel.querySelectorAll("[role=option]"));
    const setActive = (index) => {
      const all = options();
      all.forEach((el) => el.classList.remove("active"));
      active = index;
      if (index < 0 || !all[index]) { input.removeAttribute("aria-activedescendant"); return; }
      all[index].classList.add("active");
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    };
    const open = () => {
      const has = options().length > 0 || panel.textContent.trim() !== "";
      panel.hidden = !has;
      input.setAttribute("aria-expanded", has ? "true" : "false");
    };
    const close = () => {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    };
    document.body.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target !== panel) return;
      setActive(-1);
      if (document.activeElement === input) open(); else close();
    });
    input.addEventListener("input", () => {
      if (input.value.trim().length < 2) { panel.innerHTML = ""; close(); }
    });
    input.addEventListener("focus", open);
    input.addEventListener("keydown", (event) => {
      const all = options();
      if (event.key === "ArrowDown" && all.length) {
        event.preventDefault();
        open();
        setActive(active < all.length - 1 ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && all.length) {
        event.preventDefault();
        open();
        setActive(active > 0 ? active - 1 : all.length - 1);
      } else if (event.key === "Enter" && !panel.hidden && all[active]) {
        event.preventDefault();
        window.location = all[active].href;
      } else if (event.key === "Escape") {
        if (!panel.hidden) close(); else input.blur();
      }
    });
    panel.addEventListener("mousemove", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) setActive(options().indexOf(option));
    });
    document.addEventListener("click", (event) => {
      if (!event.target.closest(".global-search")) close();
    });
  }
  const menus = () => document.querySelectorAll("details.quick-create[open]");
  document.addEventListener("click", (event) => {
    menus().forEach((menu) => { if (!menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    menus().forEach((menu) => { menu.open = false; menu.querySelector("summary").focus(); });
  });
})();
