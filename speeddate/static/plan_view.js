// The plan view's round links gain a slider: moving it opens that round. The links stay, for pages without
// scripts and for printing; the slider only goes where a link goes.
(() => {
  const picker = document.querySelector(".round-picker[data-slider-label]");
  if (!picker) return;
  const links = [...picker.querySelectorAll("a.round-link")];
  if (links.length < 2) return;
  const current = links.findIndex(link => link.getAttribute("aria-current") === "page");
  const slider = document.createElement("input");
  Object.assign(slider, {type: "range", min: "1", max: String(links.length), step: "1",
                         value: String(current + 1), className: "round-slider"});
  slider.setAttribute("aria-label", picker.dataset.sliderLabel);
  slider.addEventListener("change", () => location.assign(links[Number(slider.value) - 1].href));
  picker.append(slider);
})();
