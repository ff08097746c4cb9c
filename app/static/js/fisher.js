// fisher (鱼书) — small enhancements, loaded as a file so that a
// Content-Security-Policy of default-src 'self' holds (no inline script).
(function () {
  'use strict';

  // ---- covers: a cover that cannot load becomes the locally drawn placeholder
  function useFallback(img) {
    var placeholder = img.getAttribute('data-fallback');
    if (placeholder && img.getAttribute('src') !== placeholder) {
      img.setAttribute('src', placeholder);
    }
  }

  document.querySelectorAll('img[data-fallback]').forEach(function (img) {
    img.addEventListener('error', function () { useFallback(img); });
    if (img.complete && img.naturalWidth === 0 && img.getAttribute('src')) { useFallback(img); }
  });

  // ---- confirmation step before withdrawing a gift, wish or drift
  // A form with data-confirm="question" is sent only after the question is
  // answered in the #confirm-modal dialog; the form itself (a POST with its
  // CSRF token) is unchanged. Without Bootstrap's script the browser asks.
  // Every word of the dialog comes from the page, in the page's language
  // (#confirm-ok's data-default-label is its label when the form names none).
  var dialog = document.getElementById('confirm-modal');
  var waiting = null;     // the form whose question is open
  var answered = false;   // the "go ahead" button was pressed

  function modal() {
    return (dialog && window.bootstrap && window.bootstrap.Modal)
      ? window.bootstrap.Modal.getOrCreateInstance(dialog) : null;
  }

  function send(form) {
    form.setAttribute('data-confirmed', 'yes');
    form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    HTMLFormElement.prototype.submit.call(form);
  }

  function ask(form) {
    var question = form.getAttribute('data-confirm');
    var box = modal();
    if (!box) {
      if (window.confirm(question)) { send(form); }
      return;
    }
    waiting = form;
    answered = false;
    dialog.querySelector('#confirm-text').textContent = question;
    var ok = dialog.querySelector('#confirm-ok');
    ok.textContent = form.getAttribute('data-confirm-ok') || ok.getAttribute('data-default-label');
    ok.className = 'btn btn-' + (form.getAttribute('data-confirm-kind') === 'primary' ? 'primary' : 'danger');
    ok.disabled = false;
    box.show();
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) { return; }
    if (form.getAttribute('data-confirmed') === 'yes') { return; }
    event.preventDefault();
    ask(form);
  });

  if (dialog) {
    dialog.addEventListener('shown.bs.modal', function () {
      // Start on the harmless choice: Enter right away cancels.
      dialog.querySelector('[data-bs-dismiss=modal].btn').focus();
    });
    dialog.querySelector('#confirm-ok').addEventListener('click', function () {
      if (!waiting) { return; }
      answered = true;
      this.disabled = true;
      send(waiting);
    });
    dialog.addEventListener('hidden.bs.modal', function () {
      // Cancelled: give the keyboard focus back to the button that asked.
      if (waiting && !answered) {
        var button = waiting.querySelector('button[type=submit]');
        if (button) { button.focus(); }
      }
      waiting = null;
    });
  }

  // Coming back with the browser's back button shows the page as it was left:
  // make its buttons usable again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll('form[data-confirmed]').forEach(function (form) {
      form.removeAttribute('data-confirmed');
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = false; });
    });
    if (dialog) { dialog.querySelector('#confirm-ok').disabled = false; }
  });
})();
