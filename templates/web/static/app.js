// The Mini App's only script: sign in with the initData Telegram put in the address
// (#tgWebAppData=...), and re-check the findings while a row of the SKP table is edited:
// the summary at the top, and the edited row's own problems right under it.
(function () {
  "use strict";

  function initData() {
    var tg = window.Telegram && window.Telegram.WebApp;
    if (tg && tg.initData) return tg.initData;
    var hash = new URLSearchParams(window.location.hash.slice(1));
    return hash.get("tgWebAppData") || "";
  }

  function signIn() {
    var data = initData();
    var failed = document.getElementById("shell-failed");
    var status = document.getElementById("shell-status");
    if (!data) { status.hidden = true; failed.hidden = false; return; }
    var body = new URLSearchParams({ init_data: data });
    var skp = new URLSearchParams(window.location.search).get("skp");
    if (skp) body.set("skp", skp);
    fetch("/app/masuk", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (answer) { window.location.replace(answer.next); })
      .catch(function () { status.hidden = true; failed.hidden = false; });
  }

  function liveFindings() {
    var box = document.getElementById("findings");
    if (!box) return;
    var timer = null;
    document.querySelectorAll("form.row").forEach(function (form) {
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var body = new URLSearchParams(new FormData(form));
          body.set("item", form.dataset.item);
          fetch(box.dataset.check, { method: "POST", body: body, credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
            .then(function (html) {
              var answer = document.createElement("div");
              answer.innerHTML = html;
              var summary = answer.querySelector("[data-part=summary]");
              var row = answer.querySelector("[data-part=row]");
              var here = form.querySelector("[data-row-check]");
              if (summary) box.innerHTML = summary.innerHTML;
              if (row && here) here.innerHTML = row.innerHTML;
              box.dataset.checked = "1";
              form.dataset.checked = "1";
            })
            .catch(function () {});
        }, 300);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("shell")) signIn();
    liveFindings();
  });
})();
