// Passkey ceremonies, the only part of Gatehouse that needs JavaScript. Each passkey form
// (views/_passkey_button.eta) is hidden in the HTML and shown here only where the browser has
// WebAuthn; the page's other forms work without any script. A submit fetches the ceremony's
// options (with the form's CSRF token), runs it with @simplewebauthn/browser (served by us as
// simplewebauthn-browser.js), puts the answer in the form's `credential` field and posts the
// form: what follows is an ordinary page.
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!window.PublicKeyCredential || !lib) return;

  for (const hint of document.querySelectorAll('[data-passkey-fallback]')) hint.hidden = true;

  const explain = (err) => {
    if (err && err.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out.';
    if (err && err.name === 'InvalidStateError') return 'This authenticator already holds a passkey for this site.';
    return (err && err.message) || 'The passkey could not be used.';
  };

  for (const form of document.querySelectorAll('form[data-passkey]')) {
    form.hidden = false;
    const status = form.querySelector('.passkey-status');
    const button = form.querySelector('button[type="submit"]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const name of ['passkey-name', 'passkey-password']) {
        const input = form.elements[name];
        if (input && !input.reportValidity()) return;
      }
      button.disabled = true;
      status.textContent = 'Waiting for your passkey…';
      try {
        const res = await fetch(form.dataset.options, {
          method: 'POST',
          credentials: 'same-origin',
          body: new URLSearchParams({ _csrf: form.elements._csrf.value }),
        });
        const reply = await res.json().catch(() => ({}));
        if (!res.ok || !reply.options) throw new Error(reply.error || 'The passkey could not be started. Reload the page and try again.');
        const answer = form.dataset.passkey === 'register'
          ? await lib.startRegistration({ optionsJSON: reply.options })
          : await lib.startAuthentication({ optionsJSON: reply.options });
        form.elements.credential.value = JSON.stringify(answer);
        status.textContent = 'Checking…';
        form.submit(); // a plain post: no submit event, so no second ceremony
      } catch (err) {
        status.textContent = explain(err);
        button.disabled = false;
      }
    });
  }
})();
