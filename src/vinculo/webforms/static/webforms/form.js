/* Vínculo web forms: the small enhancement of <form data-vinculo-form>.
   Without this script the form is a plain HTML post and still works. With it: a fresh render
   token, the visitor id the tracking snippet keeps (so a submit links earlier page views), and a
   fetch submit that shows the success message or the errors next to each field. */
(function () {
  "use strict";
  var KEY = "vinculo_vid";

  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function visitorId() {
    var id = "";
    try { id = window.localStorage.getItem(KEY) || ""; } catch (e) { /* storage blocked */ }
    if (!id) {
      var m = document.cookie.match(/(?:^|; )vinculo_vid=([A-Za-z0-9_-]+)/);
      id = m ? m[1] : "";
    }
    if (!id) {
      id = randomId();
      try { window.localStorage.setItem(KEY, id); } catch (e) { /* ignore */ }
      document.cookie = "vinculo_vid=" + id + "; path=/; max-age=31536000; SameSite=Lax";
    }
    return id;
  }
  window.vinculoVisitorId = window.vinculoVisitorId || visitorId;

  function field(form, name) { return form.querySelector('[name="' + name + '"]'); }

  function showErrors(form, problem) {
    var boxes = form.querySelectorAll("[data-error-for]");
    Array.prototype.forEach.call(boxes, function (box) { box.textContent = ""; box.hidden = true; });
    var general = form.querySelector('[data-error-for=""]');
    var errors = (problem && problem.errors) || [];
    if (!errors.length) errors = [{ field: "", message: (problem && problem.detail) || "Error" }];
    errors.forEach(function (err) {
      var box = form.querySelector('[data-error-for="' + (err.field || "").replace(/"/g, "") + '"]') || general;
      if (!box) return;
      box.textContent = (box.textContent ? box.textContent + " " : "") + err.message;
      box.hidden = false;
    });
  }

  function enhance(form) {
    if (form.dataset.vinculoReady) return;
    form.dataset.vinculoReady = "1";
    var vid = field(form, "_vid");
    if (vid) vid.value = visitorId();
    var page = field(form, "_page");
    if (page) page.value = window.location.href;
    var token = field(form, "_vt");
    if (token && !token.value && window.fetch) {
      fetch(form.action.replace(/\/submit$/, "/token"), { credentials: "omit" })
        .then(function (r) { return r.json(); })
        .then(function (body) { if (body.token) token.value = body.token; })
        .catch(function () { /* the server will ask to confirm */ });
    }
    if (!window.fetch || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "omit"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (button) button.disabled = false;
        if (!result.ok) { showErrors(form, result.body); return; }
        if (result.body.redirect_url) { window.location.assign(result.body.redirect_url); return; }
        var done = document.createElement("p");
        done.className = "message success vinculo-success";
        done.setAttribute("role", "status");
        done.id = "form-success";
        done.textContent = result.body.message;
        form.parentNode.replaceChild(done, form);
      }).catch(function () {
        if (button) button.disabled = false;
        form.submit();
      });
    });
  }

  // The honeypot field stays off-screen. On our hosted page webforms.css does it; a snippet pasted
  // into another site has no stylesheet of ours, so set it here through the CSSOM (allowed by a
  // Content-Security-Policy, unlike a style="" attribute).
  function hideHoneypot(box) {
    var s = box.style;
    s.position = "absolute"; s.left = "-10000px"; s.top = "auto";
    s.width = "1px"; s.height = "1px"; s.overflow = "hidden";
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-vinculo-form] [data-vinculo-hp]"), hideHoneypot);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-vinculo-form]"), enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
