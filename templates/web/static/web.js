// Progressive enhancement only: every page works without this script.
// Ticking a filter or changing the order submits the search form at once.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches(".facets input[type=checkbox], .facets select")) {
    target.form.requestSubmit();
  }
});
