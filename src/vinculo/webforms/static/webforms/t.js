/* Vínculo site tracking: <script src=".../static/webforms/t.js" data-key="KEY" async></script>
   Keeps a first-party visitor id (localStorage, cookie fallback) and sends a page_viewed event
   (url, title, referrer) to /t/collect with navigator.sendBeacon. No email or name is ever sent:
   visitors are identified only when they submit one of your forms. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute("data-key");
  var endpoint = new URL(script.src).origin + "/t/collect";
  var KEY = "vinculo_vid";

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function visitorId() {
    var id = "";
    try { id = window.localStorage.getItem(KEY) || ""; } catch (e) { /* storage blocked */ }
    if (!id) {
      var m = document.cookie.match(/(?:^|; )vinculo_vid=([A-Za-z0-9_-]+)/);
      id = m ? m[1] : "";
    }
    if (!id) id = randomId();
    try { window.localStorage.setItem(KEY, id); } catch (e) { /* ignore */ }
    document.cookie = "vinculo_vid=" + id + "; path=/; max-age=31536000; SameSite=Lax";
    return id;
  }
  window.vinculoVisitorId = visitorId;

  function send() {
    var body = JSON.stringify({
      key: key,
      visitor_id: visitorId(),
      event_id: randomId(),
      url: window.location.href,
      title: document.title,
      referrer: document.referrer
    });
    // text/plain keeps the request "simple": no CORS preflight, so sendBeacon may send it.
    var blob = new Blob([body], { type: "text/plain" });
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, blob)) return;
    if (window.fetch) {
      fetch(endpoint, { method: "POST", body: body, keepalive: true, credentials: "omit",
                        headers: { "Content-Type": "text/plain" } }).catch(function () {});
    }
  }
  window.vinculoTrack = send;
  send();
  // Single-page sites: count each history navigation too.
  var push = history.pushState;
  history.pushState = function () { push.apply(this, arguments); send(); };
  window.addEventListener("popstate", send);
})();
