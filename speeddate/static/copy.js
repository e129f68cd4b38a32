// Copy buttons for read-only text areas (the newsletter block). Without JavaScript the buttons stay hidden and the
// text can be selected and copied by hand.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");

  function say(key) {
    if (status) { status.textContent = status.dataset[key] || ""; }
  }

  function copy(source) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(source.value);
    }
    source.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(source).then(function () { say("copied"); }, function () { source.select(); say("failed"); });
    });
  });
}());
