/**
 * The demo's login page (`GET /`): asks for a QR code (on the Official Account picked in the list
 * when there are several), shows it, polls its status and, in sandbox mode, offers a button that
 * makes the simulated WeChat send the scan event to this app, at that account.
 */
export const LOGIN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in with WeChat (demo)</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; text-align: center; color: #222; }
  #qr { width: 240px; height: 240px; border: 1px solid #ddd; }
  .sandbox { background: #fff3cd; border: 1px solid #e0c36c; padding: .5rem; border-radius: .3rem; }
  button { font-size: 1rem; padding: .5rem 1rem; margin: .3rem; cursor: pointer; }
  #status[data-state="confirmed"] { color: #07c160; font-weight: bold; }
  #status[data-state="error"], #status[data-state="expired"] { color: #c00; }
</style>
</head>
<body>
<h1>Log in with WeChat</h1>
<p>Scan the code with WeChat to log in.</p>
<p id="accounts" hidden><label>Official Account: <select id="account"></select></label></p>
<img id="qr" alt="Login QR code">
<p id="status" data-state="loading">Loading…</p>
<div id="sandbox" class="sandbox" hidden>
  <p><strong>Sandbox mode</strong>: WeChat is simulated on this machine.</p>
  <button id="simulate-scan" type="button">Simulate scan</button>
  <button id="simulate-subscribe" type="button">Simulate follow + scan</button>
</div>
<p><button id="refresh" type="button">New code</button></p>
<script>
(() => {
  const status = document.getElementById('status');
  const qr = document.getElementById('qr');
  const picker = document.getElementById('account');
  let scene = null;
  let account = null;
  let timer = null;
  const show = (state, text) => { status.dataset.state = state; status.textContent = text; };

  async function newCode() {
    clearInterval(timer);
    show('loading', 'Loading…');
    account = picker.value || null;
    const query = account ? '?account=' + encodeURIComponent(account) : '';
    const res = await fetch('/login/qrcode' + query, { method: 'POST' });
    if (!res.ok) { show('error', 'Could not create a QR code (HTTP ' + res.status + ')'); return; }
    const code = await res.json();
    scene = code.scene;
    qr.src = code.qrImage;
    qr.dataset.scene = scene;
    show('pending', 'Waiting for the scan…');
    timer = setInterval(poll, 1000);
  }

  async function poll() {
    if (!scene) return;
    const res = await fetch('/login/qrcode/' + encodeURIComponent(scene));
    if (!res.ok) { show('error', 'Unknown login code'); clearInterval(timer); return; }
    const body = await res.json();
    if (body.status === 'confirmed') {
      clearInterval(timer);
      const name = body.user && body.user.nickname ? ' (' + body.user.nickname + ')' : '';
      show('confirmed', 'Logged in as ' + body.openId + name);
    } else if (body.status === 'expired') {
      clearInterval(timer);
      show('expired', 'The code has expired: get a new one.');
    }
  }

  async function simulate(event) {
    if (!scene) return;
    const res = await fetch('/sandbox/scan', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account ? { scene, event, account } : { scene, event }),
    });
    if (!res.ok) { show('error', 'Simulated scan failed (HTTP ' + res.status + ')'); return; }
    await poll();
  }

  async function loadAccounts() {
    const res = await fetch('/login/accounts').catch(() => null);
    if (!res || !res.ok) return;
    const list = await res.json();
    for (const name of list.accounts) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      if (name === list.defaultAccount) option.selected = true;
      picker.appendChild(option);
    }
    document.getElementById('accounts').hidden = list.accounts.length < 2;
  }

  picker.addEventListener('change', newCode);
  document.getElementById('refresh').addEventListener('click', newCode);
  document.getElementById('simulate-scan').addEventListener('click', () => simulate('SCAN'));
  document.getElementById('simulate-subscribe').addEventListener('click', () => simulate('subscribe'));
  fetch('/sandbox').then((res) => { if (res.ok) document.getElementById('sandbox').hidden = false; });
  loadAccounts().then(newCode);
})();
</script>
</body>
</html>
`;
