// Filters whose choices grow with the data (a market, an actor): the server
// renders a <select data-autocomplete="<url>"> holding only "Any …" and the
// chosen row; tom-select (vendored, static/vendor/tom-select-2.6.2) turns it
// into a combobox that asks <url>?q=<typed> for at most 20 matches. The
// select stays the form's field: choosing fires its "change", which the
// filters form already listens to (htmx swaps #results). Keyboard: type,
// ↑/↓, Enter; Backspace empties it. Without JavaScript it is a plain select.
/* global TomSelect */
for (const select of document.querySelectorAll("select[data-autocomplete]")) {
  const url = select.dataset.autocomplete;
  const control = new TomSelect(select, {
    valueField: select.dataset.valueField || "value",
    labelField: "label",
    searchField: [],
    // The server decides what matches; keep its order. "Any …" only while
    // nothing is typed, so Enter after typing picks the first match.
    score(search) {
      const field = this.settings.valueField;
      return (option) => (search && String(option[field] ?? "") === "" ? 0 : 1);
    },
    sortField: [{ field: "$order" }],
    allowEmptyOption: true,
    maxOptions: null, // the server sends at most 20
    preload: "focus",
    loadThrottle: 200,
    shouldLoad: () => true,
    load(query, callback) {
      // The markets' answer redirects to its current version: fetch follows.
      fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((body) => {
          // An answer for text no longer in the box (the preload on focus,
          // overtaken by typing) is dropped.
          if (query !== this.inputValue()) return callback();
          // Show only this text's matches: forget the last answer's rows, but
          // keep "Any …" and the chosen row.
          this.clearOptions((option, value) => value === "" || this.items.includes(value));
          return callback(body.results);
        })
        .catch(() => callback());
    },
    render: {
      no_results: () => '<div class="no-results">No matches</div>',
      loading: () => '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">Loading…</span></div>',
    },
  });
  // The combobox is the field now (the label names it): the select it drives
  // leaves the accessibility tree, or it would be a second, unnamed combobox.
  control.input.setAttribute("aria-hidden", "true");
}
