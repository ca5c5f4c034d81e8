// The visual filter builder (web/_filter_builder.html): rows of field / operator / value built
// from the filter language's describe() output embedded in the page. It writes the JSON
// condition tree into the table's filter box (textarea[name=filter], also editable by hand under
// "Advanced"); the toolbar form then refreshes the table through htmx.
(() => {
  "use strict";
  const UNARY = new Set(["is_empty", "is_not_empty", "is_true", "is_false", "exists", "not_exists"]);
  const MULTI = new Set(["in", "not_in", "has_any", "has_all", "has_none"]);
  const DAYS = new Set(["in_last_days", "in_next_days", "more_than_days_ago"]);
  const NUMBER_TYPES = new Set(["number", "money", "decimal"]);
  const DATE_TYPES = new Set(["date", "datetime"]);
  const GROUPS = { and: "and", all: "and", or: "or", any: "or" };

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function refresh(form) {
    // The toolbar form listens to "change" (hx-trigger); without htmx, submit it.
    if (window.htmx) window.htmx.trigger(form, "change");
    else form.requestSubmit();
  }

  function init(root) {
    if (root.dataset.ready === "1") return;
    root.dataset.ready = "1";
    const form = root.closest("form");
    const box = form.querySelector("textarea[name=filter]");
    const config = JSON.parse(document.getElementById(root.dataset.config).textContent);
    const T = config.texts;
    const fields = new Map(config.fields.map((f) => [f.field, f]));
    const rows = root.querySelector(".fb-rows");
    const match = root.querySelector(".fb-match");
    const note = root.querySelector(".fb-note");
    const add = root.querySelector(".fb-add");
    const tagsId = `fb-tags-${Math.random().toString(36).slice(2, 8)}`;
    root.append(el("datalist", { id: tagsId }, config.tags.map((t) => el("option", { value: t }))));

    function choicesOf(f) {
      const choices = (f.choices || []).map((c) => ({ value: String(c.value), label: c.label }));
      if (f.type === "user") choices.unshift({ value: "me", label: T.me });
      return choices;
    }

    function fieldSelect(selected) {
      const select = el("select", { class: "fb-field", "aria-label": T.field }, [
        el("option", { value: "", text: T.choose }),
      ]);
      const groups = [
        [T.standard, config.fields.filter((f) => !f.custom && f.type !== "relation")],
        [T.custom, config.fields.filter((f) => f.custom)],
        [T.related, config.fields.filter((f) => f.type === "relation")],
      ];
      for (const [label, list] of groups) {
        if (!list.length) continue;
        select.append(el("optgroup", { label }, list.map((f) => el("option", { value: f.field, text: f.label }))));
      }
      select.value = selected || "";
      return select;
    }

    function opSelect(f, selected) {
      const select = el("select", { class: "fb-op", "aria-label": T.operator });
      for (const op of f ? f.operators : []) {
        select.append(el("option", { value: op, text: config.ops[op] || op }));
      }
      if (selected && f && f.operators.includes(selected)) select.value = selected;
      select.disabled = !f;
      return select;
    }

    function input(f, value, extra = {}) {
      let type = "text";
      if (DATE_TYPES.has(f.type)) type = "date";
      else if (NUMBER_TYPES.has(f.type)) type = "number";
      const attrs = { class: "fb-input", type, "aria-label": T.value, ...extra };
      if (type === "number") attrs.step = "any";
      const node = el("input", attrs);
      if (value !== undefined && value !== null) node.value = String(value).slice(0, type === "date" ? 10 : undefined);
      return node;
    }

    function valueEditor(f, op, value) {
      const span = el("span", { class: "fb-value" });
      if (!f || UNARY.has(op)) return span;
      if (op === "between") {
        const pair = Array.isArray(value) ? value : [];
        span.append(input(f, pair[0]), el("span", { class: "muted", text: T.and }), input(f, pair[1]));
      } else if (DAYS.has(op)) {
        const days = el("input", { class: "fb-input", type: "number", min: "0", step: "1", "aria-label": T.days });
        if (value !== undefined && value !== null) days.value = String(value);
        span.append(days, el("span", { class: "muted", text: T.days }));
      } else if (["choice", "user", "multi_choice"].includes(f.type)) {
        const multiple = MULTI.has(op);
        const select = el("select", { class: "fb-input", "aria-label": T.value, multiple }, []);
        if (!multiple) select.append(el("option", { value: "", text: T.choose }));
        for (const c of choicesOf(f)) select.append(el("option", { value: c.value, text: c.label }));
        const wanted = (Array.isArray(value) ? value : [value]).map((v) => String(v ?? "").toLowerCase());
        for (const option of select.options) {
          if (option.value && wanted.includes(option.value.toLowerCase())) option.selected = true;
        }
        span.append(select);
      } else {
        const list = Array.isArray(value) ? value.join(", ") : value;
        const node = MULTI.has(op)
          ? el("input", { class: "fb-input", type: "text", "aria-label": T.value, title: T.separator, placeholder: T.separator })
          : input(f, list);
        if (MULTI.has(op) && list !== undefined && list !== null) node.value = String(list);
        if (f.type === "tags") node.setAttribute("list", tagsId);
        span.append(node);
      }
      return span;
    }

    function addRow(condition = {}) {
      const f = fields.get(condition.field);
      const field = fieldSelect(f ? f.field : "");
      const op = opSelect(f, condition.op);
      const remove = el("button", { type: "button", class: "icon-button fb-remove", "aria-label": T.remove, title: T.remove, text: "×" });
      const row = el("li", { class: "fb-row" }, [field, op, valueEditor(f, op.value, condition.value), remove]);
      rows.append(row);
      return row;
    }

    function readCondition(row) {
      const f = fields.get(row.querySelector(".fb-field").value);
      if (!f) return null;
      const op = row.querySelector(".fb-op").value;
      const condition = { field: f.field, op };
      if (UNARY.has(op)) return condition;
      const inputs = [...row.querySelectorAll(".fb-input")];
      if (op === "between") {
        const pair = inputs.map((i) => i.value.trim());
        if (pair.some((v) => v === "")) return null;
        condition.value = pair;
      } else if (inputs[0] instanceof HTMLSelectElement && inputs[0].multiple) {
        const values = [...inputs[0].selectedOptions].map((o) => o.value);
        if (!values.length) return null;
        condition.value = values;
      } else if (MULTI.has(op)) {
        const values = inputs[0].value.split(",").map((v) => v.trim()).filter(Boolean);
        if (!values.length) return null;
        condition.value = values;
      } else {
        const value = inputs[0] ? inputs[0].value.trim() : "";
        if (value === "") return null;
        condition.value = value;
      }
      return condition;
    }

    function write() {
      const conditions = [...rows.children].map(readCondition).filter(Boolean);
      box.value = conditions.length ? JSON.stringify({ [match.value]: conditions }) : "";
    }

    function representable(tree) {
      if (!tree) return { group: "and", conditions: [] };
      if (typeof tree !== "object" || Array.isArray(tree)) return null;
      let group = "and";
      let conditions = [tree];
      const keys = Object.keys(tree);
      if (keys.length === 1 && GROUPS[keys[0]] && Array.isArray(tree[keys[0]])) {
        group = GROUPS[keys[0]];
        conditions = tree[keys[0]];
      }
      for (const c of conditions) {
        if (!c || typeof c !== "object" || typeof c.field !== "string") return null;
        const f = fields.get(c.field);
        if (!f || !f.operators.includes(c.op)) return null;
        if (f.type === "relation" && c.value !== undefined && c.value !== null && JSON.stringify(c.value) !== "{}") return null;
        if (typeof c.value === "object" && c.value !== null && !Array.isArray(c.value)) return null;
      }
      return { group, conditions };
    }

    function load() {
      let tree = null;
      const text = box.value.trim();
      if (text) {
        try { tree = JSON.parse(text); } catch (error) { tree = undefined; }
      }
      const parsed = tree === undefined ? null : representable(tree);
      rows.replaceChildren();
      note.hidden = parsed !== null;
      note.textContent = parsed === null ? T.complex : "";
      add.disabled = parsed === null;
      match.disabled = parsed === null;
      if (parsed === null) return;
      match.value = parsed.group;
      parsed.conditions.forEach((c) => addRow(c));
    }

    root.addEventListener("change", (event) => {
      const row = event.target.closest(".fb-row");
      if (row && event.target.classList.contains("fb-field")) {
        const f = fields.get(event.target.value);
        const op = opSelect(f);
        row.querySelector(".fb-op").replaceWith(op);
        row.querySelector(".fb-value").replaceWith(valueEditor(f, op.value));
      } else if (row && event.target.classList.contains("fb-op")) {
        const f = fields.get(row.querySelector(".fb-field").value);
        row.querySelector(".fb-value").replaceWith(valueEditor(f, event.target.value));
      }
      write();  // the event goes on to the form, which refreshes the table
    });
    root.addEventListener("input", () => write());
    root.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.classList.contains("fb-input")) {
        event.preventDefault();
        event.target.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    root.addEventListener("click", (event) => {
      if (event.target.closest(".fb-add")) {
        addRow().querySelector(".fb-field").focus();
      } else if (event.target.closest(".fb-remove")) {
        event.target.closest(".fb-row").remove();
        write();
        refresh(form);
      } else if (event.target.closest(".fb-clear")) {
        box.value = "";
        load();
        refresh(form);
      }
    });
    box.addEventListener("change", load);
    load();
    root.hidden = false;
  }

  function initAll() {
    document.querySelectorAll("[data-filter-builder]").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
  document.addEventListener("htmx:historyRestore", () => {
    document.querySelectorAll("[data-filter-builder]").forEach((root) => { root.dataset.ready = ""; });
    initAll();
  });
})();
