// Console's glue. Kept libraries do the work: key bindings and sequences are
// @github/hotkey (declared in the markup with data-hotkey), the palette's
// listbox is @github/combobox-nav, toasts and the phone's off-canvas menu are
// Tabler's (its bundled Bootstrap 5.3.8: Toast, Offcanvas). What is left
// here is what only this console knows. Without this file every link and
// form still works.
import { install, uninstall } from "@github/hotkey";
import Combobox from "@github/combobox-nav";
import { Toast } from "@tabler/core";

// ---- Theme: the top bar's toggle, remembered (theme.js applies it) -----------
const themeToggle = document.querySelector("[data-theme-toggle]");

function showTheme() {
  const dark = document.documentElement.dataset.bsTheme === "dark";
  themeToggle?.setAttribute("aria-pressed", String(dark));
}

themeToggle?.addEventListener("click", () => {
  const next = document.documentElement.dataset.bsTheme === "dark" ? "light" : "dark";
  document.documentElement.setAttribute("data-bs-theme", next);
  try { window.localStorage.setItem("console-theme", next); } catch { /* private mode: this page only */ }
  showTheme();
});
new MutationObserver(showTheme).observe(document.documentElement, { attributes: true, attributeFilter: ["data-bs-theme"] });
showTheme();

// ---- Side navigation: an off-canvas dialog on phones, named while it is one ----
const sideNav = document.getElementById("side-nav");
sideNav?.addEventListener("show.bs.offcanvas", () => sideNav.setAttribute("aria-labelledby", "side-nav-title"));
sideNav?.addEventListener("hidden.bs.offcanvas", () => sideNav.removeAttribute("aria-labelledby"));

// ---- Toasts ----------------------------------------------------------------
const TOAST_CLASS = { error: "danger", warning: "warning", success: "success", info: "info" };

function armToast(element) {
  element.addEventListener("hidden.bs.toast", () => element.remove(), { once: true });
  Toast.getOrCreateInstance(element, { delay: 6000 }).show();
}

// Messages sent with an htmx response (HtmxMessagesMiddleware).
document.body.addEventListener("messages", (event) => {
  const template = document.getElementById("toast-template");
  for (const { level, text } of event.detail?.items ?? []) {
    const toast = template.content.firstElementChild.cloneNode(true);
    toast.classList.add(`text-bg-${TOAST_CLASS[level] ?? "secondary"}`);
    toast.querySelector(".toast-body").textContent = text;
    document.getElementById("toasts").append(toast);
    armToast(toast);
  }
});
document.querySelectorAll("[data-toast].show").forEach(armToast);

// ---- Dialogs ---------------------------------------------------------------
// <a data-open-dialog="id" href="?confirm=…"> opens <dialog id="id"> (the link
// is the no-JavaScript way: the server renders the dialog open). The focus
// goes to the dialog's [autofocus] element: Confirm, or the field to fill.
function openDialog(dialog) {
  if (dialog.open) dialog.close();
  dialog.showModal();
}

// A dialog the server rendered open (?confirm=, the no-JavaScript way) becomes
// modal, and the URL forgets it: a reload or a shared link must not reopen it.
// Nobody pressed anything to get here, so the focus starts on Close.
for (const dialog of document.querySelectorAll("dialog[open]")) {
  dialog.close();
  openDialog(dialog);
  dialog.querySelector("[data-close-dialog]")?.focus();
}
if (new URLSearchParams(window.location.search).has("confirm")) {
  const url = new URL(window.location.href);
  url.searchParams.delete("confirm");
  window.history.replaceState(window.history.state, "", url);
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-dialog]");
  const dialog = opener && document.getElementById(opener.dataset.openDialog);
  if (dialog) {
    event.preventDefault();
    openDialog(dialog);
    return;
  }
  const closer = event.target.closest("[data-close-dialog]");
  if (closer?.closest("dialog")) {
    event.preventDefault();
    closer.closest("dialog").close();
  }
});

// A bulk action that cannot be undone asks first, naming how many rows.
let bulkConfirmed = null;

document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (!button?.dataset.confirm || bulkConfirmed === button) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  const count = document.querySelectorAll("input[name=ids][form=bulk-form]:checked").length;
  const dialog = document.getElementById("bulk-confirm-dialog");
  dialog.querySelector("#bulk-confirm-title").textContent = button.textContent.trim();
  dialog.querySelector("#bulk-confirm-says").textContent = button.dataset.confirm.replace("{count}", count);
  dialog.querySelector("[data-bulk-confirm]").onclick = () => {
    dialog.close();
    bulkConfirmed = button;
    button.form.requestSubmit(button);
    bulkConfirmed = null;
  };
  openDialog(dialog);
}, true);

// In a reason field Enter is a new line; Ctrl+Enter / Cmd+Enter confirms.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("dialog textarea")) {
    event.preventDefault();
    event.target.form.requestSubmit();
  }
});

// ---- Hotkeys ---------------------------------------------------------------
function withDescendants(root, selector) {
  if (!(root instanceof Element || root instanceof Document)) return [];
  const found = [...root.querySelectorAll(selector)];
  return root instanceof Element && root.matches(selector) ? [root, ...found] : found;
}

function live(element) {
  return element.isConnected && !element.disabled && element.checkVisibility();
}

// A key acts only on what the user can see and use: not on a disabled or
// hidden control, and not behind an open dialog.
// hotkey-fire does not bubble: these listeners capture it on its way down.
document.addEventListener("hotkey-fire", (event) => {
  const dialog = document.querySelector("dialog[open]");
  if (!live(event.target) || (dialog && !dialog.contains(event.target))) event.preventDefault();
}, true);

const installed = new WeakSet();

function installHotkeys(root) {
  for (const element of withDescendants(root, "[data-hotkey]")) {
    if (installed.has(element)) continue;
    installed.add(element);
    install(element);
  }
}

installHotkeys(document);
document.body.addEventListener("htmx:load", (event) => installHotkeys(event.detail.elt));
// Swapped-out controls must not keep their keys.
document.body.addEventListener("htmx:beforeCleanupElement", (event) => {
  if (installed.has(event.detail.elt)) uninstall(event.detail.elt);
});

// ---- Lists: j / k choose a row, Enter or o open it, x ticks it --------------
// The chosen row's own link takes the focus, so Enter is the browser's own.
function chooseRow(table, step) {
  const rows = [...table.tBodies[0]?.rows ?? []].filter((row) => row.querySelector("a[href]"));
  if (!rows.length) return;
  const current = rows.findIndex((row) => row.getAttribute("aria-selected") === "true");
  const next = current === -1 ? (step > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, current + step));
  rows.forEach((row) => row.removeAttribute("aria-selected"));
  rows[next].setAttribute("aria-selected", "true");
  rows[next].querySelector("a[href]").focus();
}

document.addEventListener("hotkey-fire", (event) => {
  const table = event.target.closest("[data-keyboard-rows]");
  if (!table || event.target !== table || event.defaultPrevented) return;
  event.preventDefault();
  const key = event.detail.path.at(-1);
  if (key === "j" || key === "k") return chooseRow(table, key === "j" ? 1 : -1);
  const row = table.querySelector("tbody tr[aria-selected='true']");
  if (key === "o") row?.querySelector("a[href]")?.click();
  if (key === "x") row?.querySelector("input[type=checkbox]")?.click();
}, true);

// ---- Lists: URLs carry only the filters in use ---------------------------------
// A GET form sends every field, empty or not (`?q=&status=pending&market=`).
// Empty fields are left out: natively (formdata) and for htmx (configRequest).
function dropEmpty(entries, remove) {
  for (const [name, value] of [...entries]) if (value === "") remove(name);
}

document.addEventListener("formdata", (event) => {
  if (event.target.method?.toLowerCase() !== "get") return;
  dropEmpty(event.formData.entries(), (name) => event.formData.delete(name));
}, true);

document.body.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.verb !== "get") return;
  const parameters = event.detail.parameters;
  dropEmpty(Object.entries(parameters), (name) => { delete parameters[name]; });
});

// ---- Lists: a bulk action applies to the list as the address bar shows it ------
// The toolbar sits outside #results, so swaps leave its form's address as the
// page was loaded; htmx keeps the address bar current (hx-push-url).
document.body.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.id !== "bulk-form") return;
  event.detail.path = event.detail.path.split("?")[0] + window.location.search;
});

// ---- Lists: a filter chip or "Clear all" empties its fields and reapplies -------
// Without JavaScript the chip is a link to the list without that filter.
document.addEventListener("click", (event) => {
  const chip = event.target.closest("[data-clear-filter]");
  const form = document.getElementById("filters");
  if (!chip || !form) return;
  event.preventDefault();
  const name = chip.dataset.clearFilter;
  for (const field of form.elements) {
    if (!field.name || field.type === "hidden" || field.type === "submit" || field.type === "button") continue;
    if (name !== "*" && field.name !== name) continue;
    // An autocomplete (autocomplete.js) shows its own copy of the value: empty both, quietly.
    if (field.tomselect) field.tomselect.setValue("", true);
    field.value = "";
  }
  window.htmx.trigger(form, "submit");
});

// ---- Lists: the bulk toolbar shows only with a selection, and only what applies --
function updateBulkToolbar() {
  const toolbar = document.querySelector("[data-bulk-toolbar]");
  if (!toolbar) return;
  const ticked = [...document.querySelectorAll("input[name=ids][form=bulk-form]:checked")];
  toolbar.hidden = ticked.length === 0;
  toolbar.querySelector("[data-selected-count]").textContent = `${ticked.length} selected`;
  const applicable = new Set(ticked.flatMap((box) => (box.dataset.actions ?? "").split(" ")));
  for (const button of toolbar.querySelectorAll("button[name=action]")) {
    button.hidden = !applicable.has(button.value);
  }
}

document.addEventListener("change", (event) => {
  if (event.target.matches("input[name=ids][form=bulk-form]")) updateBulkToolbar();
});
document.body.addEventListener("htmx:load", updateBulkToolbar);
updateBulkToolbar();

// ---- "?" lists the keys that work on this page, and only those ---------------
function hotkeyLabel(element) {
  return element.dataset.hotkeyLabel ?? element.dataset.label ?? element.textContent.trim();
}

function showShortcuts() {
  const dialog = document.getElementById("shortcuts-dialog");
  const rows = [
    ["Ctrl+K", "Command palette: jump anywhere, run an action"],
    ["Esc", "Close a dialog or the palette"],
    ["Ctrl+Enter", "Confirm a dialog while typing its reason"],
  ];
  for (const element of document.querySelectorAll("[data-hotkey]")) {
    if (!live(element)) continue;
    const keys = element.dataset.hotkey.split(",")[0];
    if (element.matches("[data-keyboard-rows]")) {
      rows.push(["j / k", "Choose the next / previous row"], ["Enter or o", "Open the chosen row"]);
      if (element.querySelector("tbody input[type=checkbox]")) rows.push(["x", "Tick the chosen row"]);
    } else {
      rows.push([keys, hotkeyLabel(element)]);
    }
  }
  const body = dialog.querySelector("[data-shortcuts]");
  body.replaceChildren(...rows.map(([keys, what]) => {
    const row = body.insertRow();
    const kbd = document.createElement("kbd");
    kbd.textContent = keys;
    row.insertCell().append(kbd);
    row.insertCell().textContent = what;
    return row;
  }));
  openDialog(dialog);
}

document.querySelector("[data-shortcuts-open]")?.addEventListener("click", showShortcuts);

// ---- Command palette (Ctrl+K / Cmd+K) ----------------------------------------
// The server finds pages, markets, orders and products; the page's own enabled
// actions follow them. Only options for the text now in the box are shown or
// highlighted, and Enter acts only on one of those: typed before the results
// for that text arrive, it waits for them.
const palette = document.getElementById("palette");

if (palette) {
  const input = document.getElementById("palette-input");
  const list = document.getElementById("palette-list");
  const actions = document.getElementById("palette-actions");
  const combobox = new Combobox(input, list, { tabInsertsSuggestions: false, firstOptionSelectionMode: "active" });
  const hits = () => document.getElementById("palette-hits");
  const current = () => hits().dataset.query === input.value.trim();
  let returnFocus = null;
  let enterWaiting = false;
  let chosen = null; // the option the user moved to with the arrows
  // The results refresh() last highlighted. htmx puts new results in the page
  // a settle delay (20 ms) before htmx:load, when refresh() runs: an Enter in
  // between must wait for them, or the combobox finds nothing highlighted.
  let shown = null;

  function actionOption(button, index) {
    const option = document.createElement("div");
    option.setAttribute("role", "option");
    option.id = `palette-action-${index}`;
    option.className = "list-group-item list-group-item-action";
    option.dataset.label = button.dataset.label;
    const kind = document.createElement("span");
    kind.className = "small text-body-secondary ms-2";
    kind.textContent = "Action on this page";
    option.append(`${button.dataset.label} `, kind);
    option.button = button;
    return option;
  }

  // Show what belongs to the text in the box, and highlight its first option,
  // unless the user has moved to one with the arrows that is still shown.
  function refresh(chosen = null) {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const option of actions.children) {
      option.hidden = !words.every((word) => option.dataset.label.toLowerCase().includes(word));
    }
    for (const option of hits().children) option.hidden = !current();
    if (!current()) return combobox.clearSelection();
    shown = hits();
    combobox.resetSelection();
    const highlighted = chosen?.isConnected && !chosen.hidden ? chosen : list.querySelector("[data-combobox-option-default='true']");
    if (highlighted === chosen && chosen) {
      list.querySelector("[data-combobox-option-default]")?.removeAttribute("data-combobox-option-default");
      chosen.setAttribute("aria-selected", "true");
    }
    // Screen readers hear which option Enter would act on.
    if (highlighted) input.setAttribute("aria-activedescendant", highlighted.id);
  }

  function open() {
    returnFocus = document.activeElement;
    input.value = "";
    enterWaiting = false;
    chosen = null;
    const buttons = [...document.querySelectorAll("[data-palette-action]")].filter(live);
    actions.replaceChildren(...buttons.map(actionOption));
    palette.showModal();
    input.focus();
    combobox.start();
    refresh();
    window.htmx.trigger(input, "palette-open");
  }

  function run(option) {
    palette.close();
    if (option.button) option.button.click();
    else if (option.dataset.href) window.location.assign(option.dataset.href);
  }

  // Registered before the combobox's own handler, so it runs first.
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || (current() && shown === hits())) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    enterWaiting = true;
  });
  input.addEventListener("input", () => {
    enterWaiting = false;
    refresh();
  });
  list.addEventListener("combobox-commit", (event) => run(event.target));

  list.addEventListener("combobox-select", (event) => { chosen = event.target; });
  input.addEventListener("input", () => { chosen = null; });

  document.body.addEventListener("htmx:load", (event) => {
    if (event.detail.elt.id !== "palette-hits" || !palette.open || !current()) return;
    refresh(chosen);
    if (!enterWaiting) return;
    enterWaiting = false;
    list.querySelector("[role=option][aria-selected='true'], [data-combobox-option-default='true']")?.click();
  });

  palette.addEventListener("close", () => {
    combobox.stop();
    if (returnFocus?.isConnected) returnFocus.focus();
  });

  document.querySelector("[data-palette-open]")?.addEventListener("click", open);
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      if (palette.open) palette.close();
      else if (!document.querySelector("dialog[open]")) open();
    }
  });
}

// ---- Focus is never lost after an htmx swap ------------------------------------
document.body.addEventListener("htmx:afterSettle", (event) => {
  if (document.activeElement && document.activeElement !== document.body) return;
  if (palette?.open) return;
  // An outerHTML swap replaces the target: look the region up again by its id.
  const target = event.detail.target;
  const region = (target?.id && document.getElementById(target.id)) || target;
  if (region?.isConnected) {
    if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    region.focus({ preventScroll: true });
  }
});

// ---- Saved views: save what the address bar shows now --------------------------
// Filters changed with htmx moved the URL after the page was rendered.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("[data-save-view]");
  if (form) form.elements.query.value = window.location.search.slice(1);
}, true);
