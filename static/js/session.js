// The idle warning, as progressive enhancement. The server ends a session after 15 minutes
// (data-limit-seconds, from portal/access/rules.py's IDLE_LIMIT) without a request; the words
// that say how long take it from there. Without JavaScript nothing here runs, and "Blijf ingelogd"
// is an ordinary form that posts and comes back to the page.
//
// With JavaScript:
// - the warning shows two minutes before the end (data-warning-seconds after the last contact
//   with the server), is read out through the live region #session-status, and the focus moves
//   to its button; where the focus was comes back afterwards;
// - "Blijf ingelogd" renews the session with fetch, so the page stays as it is and nothing typed
//   is lost; the answer carries a fresh CSRF token for every form on the page;
// - typing, clicking or pressing keys counts as activity: at most once a minute that renews the
//   session too, so someone filling in a long hour sheet is not logged out;
// - another script that talks to the server (claims.js' live totals) sends the event
//   "portal:server-contact" on document, which restarts the clock; so do other tabs of the portal
//   (through localStorage);
// - when the time is up, the warning says so and links to the login page.
// The attributes are read each time the clock restarts (a test may shorten data-warning-seconds).
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  var status = document.getElementById("session-status");
  if (!box || !status || !window.fetch || !window.FormData) { return; }
  var form = box.querySelector("form");
  var button = form.querySelector("button");
  var title = document.getElementById("idle-warning-title");
  var text = document.getElementById("idle-warning-text");
  var again = document.getElementById("idle-warning-login");
  var KEY = "pgb-portaal:last-contact";
  var ACTIVITY_RENEW_MS = 60 * 1000;
  var lastContact = Date.now();
  var warnTimer = null;
  var endTimer = null;
  var pending = null;
  var returnFocus = null;
  var ended = false;

  function seconds(name) { return parseInt(box.getAttribute(name), 10); }
  function millis(name) { return seconds(name) * 1000; }

  function minutes(total) {  // 900 seconds -> "15 minuten"
    var count = Math.max(1, Math.round(total / 60));
    return count === 1 ? "1 minuut" : count + " minuten";
  }

  function announce(message) {
    // Empty first, so the same words are read again when they come back.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 100);
  }

  function sharedContact() {
    try { return parseInt(window.localStorage.getItem(KEY), 10) || 0; } catch (e) { return 0; }
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    var wait = millis("data-warning-seconds") - (Date.now() - lastContact);
    warnTimer = window.setTimeout(warn, Math.max(wait, 0));
  }

  function contact(share) {
    if (ended) { return; }
    lastContact = Date.now();
    if (share) {
      try { window.localStorage.setItem(KEY, String(lastContact)); } catch (e) { /* private mode */ }
    }
    schedule();
    hide("U blijft ingelogd.");
  }

  function warn() {
    var other = sharedContact();
    if (other > lastContact) { lastContact = other; schedule(); return; }  // another tab was active
    if (!box.hidden) { return; }
    returnFocus = document.activeElement;
    box.hidden = false;
    announce(title.textContent + ". " + text.textContent);
    button.focus();
    var left = millis("data-limit-seconds") - (Date.now() - lastContact);
    endTimer = window.setTimeout(end, Math.max(left, 0));
  }

  function hide(message) {
    if (box.hidden) { return; }
    var hadFocus = box.contains(document.activeElement);
    box.hidden = true;
    if (hadFocus) {
      var back = returnFocus && returnFocus !== document.body && document.contains(returnFocus)
        ? returnFocus : document.getElementById("inhoud");
      if (back) { back.focus(); }
    }
    returnFocus = null;
    announce(message);
  }

  function end() {
    ended = true;
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    title.textContent = "U bent uitgelogd";
    text.textContent = "U was " + minutes(seconds("data-limit-seconds")) + " niet actief. " +
      "Voor uw veiligheid bent u uitgelogd. " +
      "Wat u nog niet had opgeslagen, is niet bewaard. Log opnieuw in om verder te gaan.";
    form.hidden = true;
    again.hidden = false;
    box.hidden = false;
    announce(title.textContent + ". " + text.textContent);
    again.querySelector("a").focus();
  }

  function refreshTokens(token) {
    if (!token) { return; }
    var inputs = document.querySelectorAll('input[name="csrf_token"]');
    for (var i = 0; i < inputs.length; i++) { inputs[i].value = token; }
  }

  function renew() {
    if (pending || ended) { return pending; }
    pending = fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.ok && type.indexOf("application/json") === -1) {
        end();  // sent to the login page: the server had already ended the session
        return;
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json().then(function (data) {
        refreshTokens(data.csrf_token);
        contact(true);
      });
    }).then(function () { pending = null; }, function () {
      pending = null;
      if (!box.hidden) { announce("Dat lukte niet. Probeer het opnieuw."); }
    });
    return pending;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    renew();
  });

  function activity() {
    if (!ended && Date.now() - lastContact >= ACTIVITY_RENEW_MS) { renew(); }
  }
  ["keydown", "pointerdown", "input"].forEach(function (type) {
    document.addEventListener(type, activity, true);
  });
  document.addEventListener("portal:server-contact", function () { contact(true); });
  window.addEventListener("storage", function (event) {
    if (event.key === KEY && !ended) { lastContact = Math.max(lastContact, sharedContact()); schedule(); hide("U blijft ingelogd."); }
  });
  // Back to this page from the browser's cache: ask the server how things stand.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { renew(); } });

  try { window.localStorage.setItem(KEY, String(lastContact)); } catch (e) { /* private mode */ }
  schedule();
})();
