// The deal board: drag a card to another column (HTML5 drag and drop) or use the card's
// "Move to…" form (keyboard, and without JavaScript a plain POST). A lost stage asks for the
// reason first. The server answers the re-rendered board (200, or 422 with the service's
// message and the card back where it was); any other failure puts the card back here.
// After a move the board carries a toast "Moved to <stage> · Undo": it is shown in the page's
// toast region, and its Undo posts the move back through the same view.
(() => {
  let dragged = null;

  const boardEl = () => document.getElementById("board");
  const status = (text) => {
    const el = document.getElementById("board-status");
    if (el) el.textContent = text || "";
  };
  const clearTargets = () => {
    document.querySelectorAll(".board-column.drop-target").forEach((c) => c.classList.remove("drop-target"));
  };

  // The lost reason ({id, note}) from the dialog, offering the reasons of the card's pipeline
  // (copied from its "Move to…" form); null when cancelled. "Other" makes the note required.
  function askReason(stageName, form) {
    const dialog = document.getElementById("lost-dialog");
    const source = document.querySelector("#board select[name=lost_reason_id]") || (form && form.querySelector("select[name=lost_reason_id]"));
    const listed = source ? [...source.querySelectorAll("option")].filter((o) => o.value) : [];
    if (!dialog || typeof dialog.showModal !== "function") {
      const answer = window.prompt(stageName);
      return Promise.resolve(answer === null ? null : { id: "", note: answer.trim() });
    }
    const select = dialog.querySelector("select[name=lost_reason_id]");
    const note = dialog.querySelector("input[name=lost_note]");
    const label = dialog.querySelector("[data-lost-stage]");
    if (label) label.textContent = stageName;
    select.replaceChildren(select.options[0], ...listed.map((o) => o.cloneNode(true)));
    select.value = "";
    select.required = listed.length > 0;
    dialog.querySelector("[data-lost-reasons]").hidden = listed.length === 0;
    const noteRule = () => {
      const option = select.selectedOptions[0];
      note.required = !listed.length || Boolean(option && option.dataset.needsNote);
    };
    select.onchange = noteRule;
    noteRule();
    note.value = "";
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => resolve(dialog.returnValue === "ok" ? { id: select.value, note: note.value.trim() } : null),
        { once: true },
      );
      dialog.returnValue = "";
      dialog.showModal();
      (listed.length ? select : note).focus();
    });
  }

  let toastTimer = null;
  function showToast(toast) {
    const region = document.getElementById("board-toast");
    if (!region) return;
    window.clearTimeout(toastTimer);
    region.replaceChildren();
    if (!toast) return;
    region.appendChild(toast);
    toastTimer = window.setTimeout(() => region.replaceChildren(), 15000);
  }

  // The moved card, in the fresh board: brought into sight and marked for a moment.
  function showMoved(dealId) {
    const card = dealId && boardEl() && boardEl().querySelector(`.deal-card[data-deal-id="${dealId}"]`);
    if (!card) return;
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
    card.classList.add("just-moved");
    window.setTimeout(() => card.classList.remove("just-moved"), 2000);
  }

  function swapBoard(html) {
    const current = boardEl();
    if (!current) return;
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("#board");
    if (!fresh) return;
    const toast = fresh.querySelector("[data-toast]");
    if (toast) toast.remove();
    current.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    showToast(toast);
  }

  async function move(card, origin, stageId, kind, stageName, given, via) {
    const putBack = () => card && origin.parent.insertBefore(card, origin.next);
    const form = via || (card && card.querySelector("form.move-form"));
    if (!form) return putBack();
    showToast(null);
    // Pending from the moment it leaves its column (also while the lost dialog asks why), so
    // a card out of "moving" is always one the server has answered for.
    if (card) card.classList.add("moving");
    let lost = given && (given.id || given.note) ? given : null;
    if (kind === "lost" && !lost) {
      lost = await askReason(stageName, form);
      if (lost === null) {
        if (card) card.classList.remove("moving");
        putBack();
        return;
      }
    }
    const body = new FormData();
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    body.set("csrfmiddlewaretoken", token ? token.value : "");
    body.set("stage_id", stageId);
    body.set("lost_reason_id", lost ? lost.id : "");
    body.set("lost_note", lost ? lost.note : "");
    status("");
    let response;
    try {
      response = await fetch(form.action + window.location.search, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": token ? token.value : "" },
      });
    } catch (error) {
      response = null;
    }
    if (card) card.classList.remove("moving");
    if (response && (response.ok || response.status === 422)) {
      swapBoard(await response.text()); // a refusal shows inside the board (role=alert)
      if (response.ok) showMoved(card ? card.dataset.dealId : form.dataset.dealId);
      return;
    }
    putBack();
    status(boardEl() ? boardEl().dataset.moveError : "");
  }

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".deal-card[draggable=true]");
    if (!card) return;
    dragged = { card, origin: { parent: card.parentNode, next: card.nextSibling } };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.dealId);
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.card.classList.remove("dragging");
    clearTargets();
  });

  document.addEventListener("dragover", (event) => {
    const column = dragged && event.target.closest && event.target.closest(".board-column");
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("drop-target")) {
      clearTargets();
      column.classList.add("drop-target");
    }
  });

  document.addEventListener("drop", (event) => {
    const column = dragged && event.target.closest && event.target.closest(".board-column");
    if (!column) return;
    event.preventDefault();
    clearTargets();
    const { card, origin } = dragged;
    dragged = null;
    card.classList.remove("dragging");
    if (column.dataset.stageId === card.dataset.stageId) return;
    column.querySelector(".board-cards").appendChild(card);
    move(card, origin, column.dataset.stageId, column.dataset.stageKind, column.dataset.stageName, null);
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("[data-toast-close]")) showToast(null);
  });

  // The toast's Undo: the card goes back to the column it came from, through the same move.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form.undo-form");
    if (!form || !boardEl()) return;
    event.preventDefault();
    const stageId = form.querySelector("input[name=stage_id]").value;
    const reason = {
      id: form.querySelector("input[name=lost_reason_id]").value,
      note: form.querySelector("input[name=lost_note]").value,
    };
    const column = boardEl().querySelector(`.board-column[data-stage-id="${stageId}"]`);
    const card = boardEl().querySelector(`.deal-card[data-deal-id="${form.dataset.dealId}"]`);
    const origin = card ? { parent: card.parentNode, next: card.nextSibling } : null;
    if (card && column) column.querySelector(".board-cards").appendChild(card);
    const { stageKind, stageName } = column ? column.dataset : {};
    move(card, origin, stageId, stageKind, stageName, reason, form);
  });

  // The card's "Move to…" form: same request, so the board updates in place.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form.move-form");
    if (!form || !boardEl() || !boardEl().contains(form)) return;
    event.preventDefault();
    const card = form.closest(".deal-card");
    const select = form.querySelector("select[name=stage_id]");
    const option = select.selectedOptions[0];
    if (!option || select.value === card.dataset.stageId) return;
    const origin = { parent: card.parentNode, next: card.nextSibling };
    const column = boardEl().querySelector(`.board-column[data-stage-id="${select.value}"] .board-cards`);
    if (column) column.appendChild(card);
    const reason = form.querySelector("select[name=lost_reason_id]");
    const note = form.querySelector("input[name=lost_note]");
    const lost = { id: reason ? reason.value : "", note: note ? note.value.trim() : "" };
    move(card, origin, select.value, option.dataset.kind, option.textContent.trim(), lost);
  });
})();
