// Hour sheet: update the totals while typing. Progressive enhancement only: without
// JavaScript the "Bereken opnieuw" button does the same, and the server always computes the
// amounts again when the sheet is saved. The server also computes these figures (JSON).
(function () {
  var form = document.getElementById("urenbriefje");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-preview");
  var timer = null;
  var pending = null;

  function setText(selector, value) {
    var node = form.querySelector(selector) || document.querySelector(selector);
    if (node && value !== undefined && value !== null) { node.textContent = value; }
  }

  function update(data) {
    (data.columns || []).forEach(function (column, i) {
      setText('[data-total-quantity="' + i + '"]', column.quantity);
      setText('[data-total-amount="' + i + '"]', column.amount);
    });
    setText("#totaal-bedrag", data.total);
    (data.budgets || []).forEach(function (amount, i) {
      setText('[data-budget-left="' + i + '"]', amount);
    });
  }

  function recalculate() {
    var body = new FormData(form);
    body.set("action", "bereken");
    if (pending && pending.abort) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" },
      signal: pending ? pending.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (data) {
      update(data);
      // The server saw this request, so the session was renewed: restart session.js' clock.
      document.dispatchEvent(new CustomEvent("portal:server-contact"));
    }).catch(function () { /* the button still works */ });
  }

  form.addEventListener("input", function (event) {
    if (!event.target.classList.contains("cell-input")) { return; }
    clearTimeout(timer);
    timer = setTimeout(recalculate, 400);
  });
})();
