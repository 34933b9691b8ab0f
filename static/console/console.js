// Console behaviour: toasts, keyboard shortcuts, dialogs, focus after swaps.
// Everything is progressive: without this file every link and form still works.
(function () {
  "use strict";

  // ---- Toasts ------------------------------------------------------------
  var TOAST_MS = 6000;
  var LEVEL_CLASS = { error: "danger", warning: "warning", success: "success", info: "info", debug: "secondary" };

  function armToast(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = "1";
    var timer = setTimeout(function () { toast.remove(); }, TOAST_MS);
    var close = toast.querySelector("[data-dismiss-toast]");
    if (close) close.addEventListener("click", function () { clearTimeout(timer); toast.remove(); });
  }

  function showToast(level, text) {
    var container = document.getElementById("toasts");
    if (!container) return;
    var toast = document.createElement("div");
    toast.className = "toast show text-bg-" + (LEVEL_CLASS[level] || "secondary");
    toast.setAttribute("role", "status");
    toast.setAttribute("data-toast", "");
    var row = document.createElement("div");
    row.className = "d-flex";
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close me-2 m-auto";
    close.setAttribute("aria-label", "Dismiss");
    close.setAttribute("data-dismiss-toast", "");
    row.appendChild(body);
    row.appendChild(close);
    toast.appendChild(row);
    container.appendChild(toast);
    armToast(toast);
  }

  // Messages sent with an htmx response (HtmxMessagesMiddleware).
  document.body.addEventListener("messages", function (event) {
    var list = (event.detail && event.detail.items) || [];
    list.forEach(function (m) { showToast(m.level, m.text); });
  });

  // ---- Dialogs -----------------------------------------------------------
  // <button data-open-dialog="id"> opens <dialog id="id">; [data-close-dialog] closes it.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var field = dialog.querySelector("input:not([type=hidden]), textarea, select");
        if (field) field.focus();
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) { event.preventDefault(); open.close(); }
    }
  });

  // ---- Keyboard ----------------------------------------------------------
  // Inputs that take no typing: hotkeys stay live when one has focus.
  var NOT_TYPED = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1, file: 1, range: 1, color: 1 };

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "input") return !NOT_TYPED[(target.type || "").toLowerCase()];
    return tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function rows() {
    var table = document.querySelector("[data-keyboard-rows]");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr")) : [];
  }

  function selectedRow() {
    return document.querySelector("[data-keyboard-rows] tbody tr[aria-selected='true']");
  }

  function moveSelection(step) {
    var all = rows();
    if (!all.length) return;
    var current = selectedRow();
    var index = current ? all.indexOf(current) + step : (step > 0 ? 0 : all.length - 1);
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row) { row.removeAttribute("aria-selected"); });
    all[index].setAttribute("aria-selected", "true");
    all[index].scrollIntoView({ block: "nearest" });
  }

  function enabledHotkeyButtons() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-hotkey]")).filter(function (el) {
      return !el.disabled && el.offsetParent !== null;
    });
  }

  function shortcutsForPage() {
    var list = [["?", "Show these shortcuts"], ["Ctrl+K", "Command palette: jump anywhere, run an action"], ["Esc", "Close a dialog or the palette"]];
    document.querySelectorAll("a[data-go]").forEach(function (a) {
      list.push(["g " + a.getAttribute("data-go"), "Go to " + a.textContent.trim()]);
    });
    if (document.querySelector("[data-search-input]")) list.push(["/", "Focus Search"]);
    if (rows().length) {
      list.push(["j / k", "Select the next / previous row"]);
      list.push(["Enter or o", "Open the selected row"]);
      if (document.querySelector("[data-keyboard-rows] tbody input[type=checkbox]")) list.push(["x", "Toggle the selected row's checkbox"]);
    }
    enabledHotkeyButtons().forEach(function (el) {
      list.push([el.getAttribute("data-hotkey"), el.getAttribute("data-label") || el.textContent.trim()]);
    });
    return list;
  }

  function showHelp() {
    var dialog = document.getElementById("shortcuts-dialog");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "shortcuts-dialog";
      dialog.className = "console-dialog";
      dialog.setAttribute("aria-labelledby", "shortcuts-title");
      document.body.appendChild(dialog);
    }
    dialog.textContent = "";
    var body = document.createElement("div");
    body.className = "p-3";
    var title = document.createElement("h2");
    title.id = "shortcuts-title";
    title.className = "h5";
    title.textContent = "Keyboard shortcuts";
    body.appendChild(title);
    var table = document.createElement("table");
    table.className = "table table-sm mb-0";
    shortcutsForPage().forEach(function (pair) {
      var tr = document.createElement("tr");
      var keys = document.createElement("td");
      var kbd = document.createElement("kbd");
      kbd.textContent = pair[0];
      keys.appendChild(kbd);
      var what = document.createElement("td");
      what.textContent = pair[1];
      tr.appendChild(keys);
      tr.appendChild(what);
      table.appendChild(tr);
    });
    body.appendChild(table);
    dialog.appendChild(body);
    dialog.showModal();
  }

  // ---- Command palette (Ctrl+K / Cmd+K) ------------------------------------
  // The server finds pages, markets and orders; the page contributes its
  // own enabled action buttons, so nothing is offered that would be refused.
  var palette = document.getElementById("palette");
  var paletteInput = document.getElementById("palette-input");
  var paletteActions = document.getElementById("palette-actions");

  function paletteOptions() {
    return Array.prototype.slice.call(palette.querySelectorAll("[role=option]")).filter(function (el) {
      return !el.hidden;
    });
  }

  function selectPaletteOption(option) {
    paletteOptions().forEach(function (el) { el.removeAttribute("aria-selected"); el.classList.remove("active"); });
    if (!option) { paletteInput.removeAttribute("aria-activedescendant"); return; }
    option.setAttribute("aria-selected", "true");
    option.classList.add("active");
    paletteInput.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function fillPaletteActions() {
    paletteActions.textContent = "";
    enabledHotkeyButtons().forEach(function (button, index) {
      var option = document.createElement("div");
      option.setAttribute("role", "option");
      option.id = "palette-action-" + index;
      option.className = "list-group-item list-group-item-action";
      option.dataset.label = (button.getAttribute("data-label") || button.textContent).trim();
      option.textContent = option.dataset.label;
      var kbd = document.createElement("kbd");
      kbd.className = "hint";
      kbd.setAttribute("aria-hidden", "true");
      kbd.textContent = button.getAttribute("data-hotkey");
      option.appendChild(kbd);
      option.__button = button;
      paletteActions.appendChild(option);
    });
  }

  function filterPaletteActions() {
    var words = paletteInput.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(paletteActions.children, function (option) {
      var label = option.dataset.label.toLowerCase();
      option.hidden = !words.every(function (word) { return label.indexOf(word) !== -1; });
    });
    selectPaletteOption(paletteOptions()[0]);
  }

  function openPalette() {
    if (!palette) return;
    paletteInput.value = "";
    fillPaletteActions();
    palette.showModal();
    paletteInput.focus();
    window.htmx.trigger(paletteInput, "palette-open");
    filterPaletteActions();
  }

  function runPaletteOption(option) {
    if (!option) return;
    palette.close();
    if (option.__button) { option.__button.click(); return; }
    if (option.dataset.href) window.location.assign(option.dataset.href);
  }

  if (palette) {
    paletteInput.addEventListener("input", filterPaletteActions);
    paletteInput.addEventListener("keydown", function (event) {
      var options = paletteOptions();
      var current = palette.querySelector("[role=option][aria-selected=true]");
      var index = options.indexOf(current);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = index + (event.key === "ArrowDown" ? 1 : -1);
        selectPaletteOption(options[Math.max(0, Math.min(options.length - 1, next))]);
      } else if (event.key === "Enter") {
        event.preventDefault();
        runPaletteOption(current || options[0]);
      }
    });
    palette.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) runPaletteOption(option);
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target.id === "palette-hits" && !palette.querySelector("[role=option][aria-selected=true]")) {
        selectPaletteOption(paletteOptions()[0]);
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K")) {
      event.preventDefault();
      if (palette && palette.open) palette.close(); else openPalette();
    }
  });

  var pendingG = false;
  var gTimer = null;

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target)) return;
    if (document.querySelector("dialog[open]") && event.key !== "Escape") return;
    var key = event.key;

    if (pendingG) {
      pendingG = false;
      clearTimeout(gTimer);
      var link = document.querySelector("a[data-go='" + key + "']");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
      return;
    }
    if (key === "g") { pendingG = true; gTimer = setTimeout(function () { pendingG = false; }, 1200); return; }
    if (key === "?") { event.preventDefault(); showHelp(); return; }
    if (key === "/") {
      var search = document.querySelector("[data-search-input]");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (key === "j" || key === "k") { if (rows().length) { event.preventDefault(); moveSelection(key === "j" ? 1 : -1); } return; }
    if (key === "Enter" || key === "o") {
      // Enter on a focused link or button does what that control does.
      if (event.target.closest && event.target.closest("a, button, summary, [role=button]")) return;
      var row = selectedRow();
      var target = row && row.querySelector("a[href]");
      if (target) { event.preventDefault(); window.location.assign(target.href); }
      return;
    }
    if (key === "x") {
      var selected = selectedRow();
      var box = selected && selected.querySelector("input[type=checkbox]");
      if (box) { event.preventDefault(); box.click(); }
      return;
    }
    var button = enabledHotkeyButtons().filter(function (el) { return el.getAttribute("data-hotkey") === key; })[0];
    if (button) { event.preventDefault(); button.click(); }
  });

  // ---- htmx integration --------------------------------------------------
  document.body.addEventListener("htmx:afterSettle", function (event) {
    // Focus must never be lost: if the focused element was swapped away,
    // land on the swapped region instead of <body>. An outerHTML swap
    // replaces the target element, so look the region up again by its id.
    if (document.activeElement === document.body || !document.activeElement) {
      var target = event.detail.target;
      var region = (target && target.id && document.getElementById(target.id)) || target;
      if (region && region.isConnected && region.focus && !(palette && palette.open)) {
        if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
        region.focus({ preventScroll: true });
      }
    }
    document.querySelectorAll("[data-toast]").forEach(armToast);
  });

  document.querySelectorAll("[data-toast]").forEach(armToast);
})();
