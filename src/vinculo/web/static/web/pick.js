// Record pickers (web/_record_pick.html): type two letters, htmx lists the matches, arrows +
// Enter or a click choose one (its id goes in the hidden input), Escape closes. Emptying the
// box unlinks; leaving it without choosing shows the chosen record's name again.
(() => {
  const parts = (root) => ({
    root,
    input: root.querySelector("input[role=combobox]"),
    hidden: root.querySelector("[data-pick-value]"),
    list: root.querySelector("[role=listbox]"),
  });
  const options = (p) => Array.from(p.list.querySelectorAll("[role=option]"));
  const activeIndex = (p) => options(p).findIndex((o) => o.classList.contains("active"));
  const setActive = (p, index) => {
    options(p).forEach((o, i) => {
      o.classList.toggle("active", i === index);
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    const chosen = options(p)[index];
    if (chosen) {
      p.input.setAttribute("aria-activedescendant", chosen.id);
      chosen.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  };
  const open = (p) => {
    const has = p.list.children.length > 0;
    p.list.hidden = !has;
    p.input.setAttribute("aria-expanded", has ? "true" : "false");
  };
  const close = (p) => {
    p.list.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    setActive(p, -1);
  };
  const choose = (p, option) => {
    p.hidden.value = option.dataset.value;
    p.input.value = option.dataset.label;
    p.input.dataset.label = option.dataset.label;
    p.list.innerHTML = "";
    close(p);
    p.hidden.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const pickerOf = (el) => {
    const root = el && el.closest ? el.closest("[data-record-pick]") : null;
    return root ? parts(root) : null;
  };

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const p = pickerOf(event.detail.target);
    if (!p || event.detail.target !== p.list) return;
    options(p).forEach((o, i) => { o.id = `${p.input.id}-option-${i}`; });
    setActive(p, -1);
    if (document.activeElement === p.input) open(p); else close(p);
  });
  document.addEventListener("input", (event) => {
    const p = pickerOf(event.target);
    if (!p || event.target !== p.input) return;
    const text = p.input.value.trim();
    if (text === "") {
      p.hidden.value = "";
      p.input.dataset.label = "";
      p.hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (text.length < 2) { p.list.innerHTML = ""; close(p); }
  });
  document.addEventListener("keydown", (event) => {
    const p = pickerOf(event.target);
    if (!p || event.target !== p.input) return;
    const all = options(p);
    const index = activeIndex(p);
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      open(p);
      setActive(p, index < all.length - 1 ? index + 1 : 0);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      open(p);
      setActive(p, index > 0 ? index - 1 : all.length - 1);
    } else if (event.key === "Enter" && !p.list.hidden) {
      event.preventDefault(); // never submit the form while choosing
      if (all[index]) choose(p, all[index]); else if (all.length === 1) choose(p, all[0]);
    } else if (event.key === "Escape" && !p.list.hidden) {
      event.preventDefault();
      close(p);
    }
  });
  // mousedown, not click: the box keeps the focus, so leaving it does not undo the choice.
  document.addEventListener("mousedown", (event) => {
    const option = event.target.closest ? event.target.closest("[data-record-pick] [role=option]") : null;
    if (!option) return;
    event.preventDefault();
    choose(pickerOf(option), option);
  });
  document.addEventListener("focusout", (event) => {
    const p = pickerOf(event.target);
    if (!p || event.target !== p.input) return;
    close(p);
    if (p.input.value.trim() !== "") p.input.value = p.input.dataset.label || "";
  });
})();
