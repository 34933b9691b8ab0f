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
  new TomSelect(select, {
    valueField: select.dataset.valueField || "value",
    labelField: "label",
    searchField: [],
    // The server decides what matches; keep its order.
    score: () => () => 1,
    sortField: [{ field: "$order" }],
    allowEmptyOption: true,
    maxOptions: 20,
    preload: "focus",
    loadThrottle: 200,
    shouldLoad: () => true,
    load(query, callback) {
      // The markets' answer redirects to its current version: fetch follows.
      fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((body) => callback(body.results))
        .catch(() => callback());
    },
    render: {
      no_results: () => '<div class="no-results">No matches</div>',
      loading: () => '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">Loading…</span></div>',
    },
  });
}
