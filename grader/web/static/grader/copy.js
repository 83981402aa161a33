// A "Copy" button copies the text field it names (data-copy) to the clipboard.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      if (!field) {
        return;
      }
      field.select();
      var copied = navigator.clipboard ? navigator.clipboard.writeText(field.value)
        : Promise.resolve(document.execCommand("copy"));
      copied.then(function () { button.textContent = "Copied"; },
                  function () { button.textContent = "Select and copy it"; });
    });
  });
}());
