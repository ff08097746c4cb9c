// Swap a cover that fails to load for the locally drawn placeholder.
(function () {
  function fallback(img) {
    var alt = img.getAttribute('data-fallback');
    if (alt && img.getAttribute('src') !== alt) { img.setAttribute('src', alt); }
  }
  document.querySelectorAll('img[data-fallback]').forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) { fallback(img); }
    img.addEventListener('error', function () { fallback(img); });
  });
  // Ask before a destructive action (withdrawing a gift, wish or drift).
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) { event.preventDefault(); }
    });
  });
})();
