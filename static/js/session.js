// Progressive enhancement: warn two minutes before the session ends after 15 idle minutes.
// Without JavaScript the server still ends the session; this only gives a warning first.
(function () {
  var box = document.getElementById("idle-warning");
  if (!box) { return; }
  var warnAfter = parseInt(box.getAttribute("data-warning-seconds"), 10) * 1000;
  setTimeout(function () {
    box.hidden = false;
    var button = box.querySelector("button");
    if (button) { button.focus(); }
  }, warnAfter);
})();
