// The register page's live password hint: ticks off the rules a browser can check and
// estimates strength as the user types. The server still checks everything (including the
// common-password list, which is not sent here); without JavaScript the rules are shown as text.
(() => {
  const input = document.getElementById('password');
  const email = document.getElementById('email');
  const rules = document.querySelector('.rules');
  const output = document.getElementById('password-strength');
  if (!input || !rules || !output) return;
  const min = Number(rules.dataset.minLength);
  const max = Number(rules.dataset.maxLength);
  const minLocalPart = Number(rules.dataset.minLocalPart);
  const LABELS = ['very weak', 'weak', 'fair', 'strong', 'very strong'];

  const length = (text) => [...text].length;

  function emailProblem(lower) {
    const address = (email ? email.value : '').trim().normalize('NFKC').toLowerCase();
    if (address === '') return false;
    const local = address.slice(0, address.lastIndexOf('@'));
    return lower === address || (length(local) >= minLocalPart && lower.includes(local));
  }

  // Bits of a brute-force search over the character classes used: rough, but it rewards
  // length, which matters most, and never claims to know the common-password list.
  function score(password) {
    let pool = 0;
    if (/[a-z]/.test(password)) pool += 26;
    if (/[A-Z]/.test(password)) pool += 26;
    if (/[0-9]/.test(password)) pool += 10;
    if (/[^A-Za-z0-9]/.test(password)) pool += 33;
    const bits = length(password) * Math.log2(Math.max(pool, 1));
    return bits < 30 ? 0 : bits < 45 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  }

  function mark(id, met) {
    const item = rules.querySelector(`[data-rule="${id}"]`);
    if (!item) return;
    item.classList.toggle('met', met === true);
    item.classList.toggle('unmet', met === false);
  }

  function update() {
    const password = input.value.normalize('NFKC');
    if (password === '') {
      mark('length', undefined);
      mark('email', undefined);
      output.hidden = true;
      return;
    }
    const n = length(password);
    mark('length', n >= min && n <= max);
    mark('email', !emailProblem(password.toLowerCase()));
    output.hidden = false;
    output.textContent = `Estimated strength: ${LABELS[score(password)]}.`;
  }

  input.addEventListener('input', update);
  if (email) email.addEventListener('input', update);
  update();
})();
