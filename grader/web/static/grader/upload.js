// The candidate's page: the time left (counted down from the deadline the page carries), and
// the upload sent with XMLHttpRequest so its progress shows; without script the form posts
// as it is and the page comes back with the verdict.
(function () {
  "use strict";

  var left = document.getElementById("time-left");
  if (left && left.dataset.deadline) {
    var deadline = Date.parse(left.dataset.deadline);
    var tick = function () {
      var minutes = Math.floor((deadline - Date.now()) / 60000);
      left.textContent = minutes >= 0 ? minutes + " minutes left"
        : "the time is over (a late upload is still accepted, marked late)";
    };
    tick();
    window.setInterval(tick, 15000);
  }

  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) {
    return;
  }
  var input = form.querySelector("input[type=file]");
  var button = document.getElementById("upload-submit");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var cap = parseInt(form.dataset.cap || "0", 10);

  function say(text, kind) {
    status.textContent = text;
    status.className = kind || "";
  }

  function done(xhr) {
    var answer = null;
    try {
      answer = JSON.parse(xhr.responseText);
    } catch (e) {
      answer = null;
    }
    button.disabled = false;
    if (answer && answer.message) {
      say(answer.message, answer.accepted ? "ok" : "error");
      if (answer.redirect) {
        window.setTimeout(function () { window.location.assign(answer.redirect); }, 1200);
      }
    } else if (xhr.status === 413) {
      say("Your file is too large: the limit is " + form.dataset.capMb + " MB.", "error");
    } else if (xhr.status === 403) {
      say("The upload was refused: reload the page and try again.", "error");
    } else if (xhr.status === 404) {
      say("This invite link no longer opens anything: ask the person who invited you.",
          "error");
    } else {
      say("The upload did not go through (" + xhr.status + "): try again.", "error");
    }
  }

  form.addEventListener("submit", function (event) {
    var file = input && input.files && input.files[0];
    if (!file) {
      return;   // the server says what is missing
    }
    event.preventDefault();
    if (cap && file.size > cap) {
      say("Your file is too large (" + (file.size / 1048576).toFixed(1) + " MB): the limit is "
          + form.dataset.capMb + " MB. Leave out data, virtual environments and build output.",
          "error");
      return;
    }
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) {
      xhr.setRequestHeader("X-CSRFToken", token.value);
    }
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round(100 * e.loaded / e.total);
        say("Uploading: " + bar.value + " %");
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      say("Uploaded; checking it ...");
    });
    xhr.addEventListener("load", function () { done(xhr); });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      say("The connection failed during the upload: try again.", "error");
    });
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    say("Uploading ...");
    xhr.send(data);
  });
}());
