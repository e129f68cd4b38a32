// Round timer for the projector. The server keeps the start time; this page asks for the state now and then
// and counts down in between, so a reload or a second screen shows the same clock.
(function () {
  "use strict";
  var root = document.getElementById("timer");
  if (!root) { return; }
  var clock = document.getElementById("timer-clock");
  var roundLine = document.getElementById("timer-round");
  var phaseLine = document.getElementById("timer-phase");
  var state = null;
  var fetchedAt = 0;
  var lastPhase = null;
  var asking = false;

  function beep() {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35, 0.7].forEach(function (delay) {
        var tone = audio.createOscillator();
        var gain = audio.createGain();
        tone.frequency.value = 880;
        tone.connect(gain);
        gain.connect(audio.destination);
        gain.gain.setValueAtTime(0.3, audio.currentTime + delay);
        tone.start(audio.currentTime + delay);
        tone.stop(audio.currentTime + delay + 0.25);
      });
    } catch (error) { /* no sound: the screen still changes */ }
  }

  function render() {
    if (!state) { return; }
    var left = state.seconds_left;
    if (state.started && !state.paused && state.phase !== "done") {
      left = Math.max(0, left - Math.floor((Date.now() - fetchedAt) / 1000));
    }
    clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    roundLine.textContent = root.dataset.roundLabel.replace("{round}", state.round)
      .replace("{rounds}", state.rounds);
    var phase = state.paused ? "paused" : state.phase;
    phaseLine.textContent = {switch: root.dataset.switchLabel, done: root.dataset.doneLabel,
                             paused: root.dataset.pausedLabel}[phase] || "";
    document.body.className = "timer timer-" + phase;
    document.querySelectorAll(".timer-controls form").forEach(function (form) {
      form.hidden = state.controls.indexOf(form.action.split("/").pop()) < 0;
    });
    if (left === 0 && state.started && !state.paused) { refresh(); }
  }

  function refresh() {
    if (asking) { return; }
    asking = true;
    fetch(root.dataset.stateUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (fresh) {
        var phase = fresh.phase + ":" + fresh.round;
        if (lastPhase !== null && phase !== lastPhase && fresh.started) { beep(); }
        lastPhase = phase;
        state = fresh;
        fetchedAt = Date.now();
        render();
      })
      .catch(function () { /* keep counting on the last state */ })
      .then(function () { asking = false; });
  }

  document.getElementById("timer-fullscreen").addEventListener("click", function () {
    if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
  });
  refresh();
  setInterval(render, 250);
  setInterval(refresh, 10000);
}());
