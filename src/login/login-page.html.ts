/** The demo's app name, as the login page shows it. */
export const DEMO_APP_NAME = 'Nest WeChat Demo';

/** The page's icon (also served at `/favicon.ico`): a green speech bubble. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#07c160"/>' +
  '<ellipse cx="28" cy="28" rx="18" ry="14" fill="#fff"/><ellipse cx="40" cy="38" rx="14" ry="11" fill="#e6f7ee"/></svg>';

/**
 * The demo's login page (`GET /`). Logged out: "Log in with WeChat" (web authorization, first on a
 * phone) next to a QR code to scan from another device, on the Official Account picked in the list
 * when there are several, and in sandbox mode buttons that make the simulated WeChat send the scan
 * at that account. Logged in (`GET /me`): the user's name and avatar and a log-out.
 */
export const LOGIN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${DEMO_APP_NAME} · Log in</title>
<link rel="icon" type="image/svg+xml" href="/favicon.ico">
<style>
  :root { --green: #07c160; --green-dark: #06ad56; --text: #191919; --muted: #7f7f7f; --line: #ededed; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Helvetica Neue", system-ui, sans-serif;
         background: #f7f7f7; color: var(--text); min-height: 100vh; display: flex; flex-direction: column; }
  header { background: #fff; border-bottom: 1px solid var(--line); padding: 14px 20px; display: flex; align-items: center; gap: 10px; }
  header img { width: 28px; height: 28px; }
  header span { font-weight: 600; font-size: 17px; }
  main { flex: 1; display: flex; justify-content: center; align-items: flex-start; padding: 32px 16px; }
  .card { background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.06); width: 100%; max-width: 720px; padding: 32px; }
  h1 { font-size: 22px; margin: 0 0 6px; }
  .lead { color: var(--muted); margin: 0 0 28px; }
  .options { display: flex; gap: 32px; align-items: stretch; }
  .option { flex: 1; display: flex; flex-direction: column; align-items: center; text-align: center; gap: 12px; }
  .option + .option { border-left: 1px solid var(--line); padding-left: 32px; }
  .btn { appearance: none; border: 0; border-radius: 8px; font-size: 16px; font-weight: 600; padding: 13px 22px; cursor: pointer;
         width: 100%; max-width: 280px; display: inline-flex; justify-content: center; align-items: center; gap: 8px; text-decoration: none; }
  .btn-primary { background: var(--green); color: #fff; }
  .btn-primary:hover { background: var(--green-dark); }
  .btn-plain { background: #f2f2f2; color: var(--text); }
  .btn-small { font-size: 14px; padding: 8px 14px; width: auto; }
  #qr { width: 200px; height: 200px; border: 1px solid var(--line); border-radius: 8px; }
  .hint { color: var(--muted); font-size: 14px; margin: 0; }
  #status { font-size: 14px; margin: 0; min-height: 1.2em; }
  #status[data-state="error"], #status[data-state="expired"] { color: #fa5151; }
  .accounts { margin: -12px 0 24px; font-size: 14px; color: var(--muted); }
  .accounts select { font-size: 14px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; margin-left: 6px; }
  .sandbox { margin-top: 28px; background: #fffbe6; border: 1px solid #ffe58f; border-radius: 8px; padding: 12px 16px; font-size: 14px; }
  .sandbox p { margin: 0 0 8px; }
  .profile { display: flex; flex-direction: column; align-items: center; gap: 10px; text-align: center; padding: 12px 0; }
  .avatar { width: 88px; height: 88px; border-radius: 12px; background: var(--green); color: #fff; font-size: 40px;
            display: flex; align-items: center; justify-content: center; overflow: hidden; }
  .avatar img { width: 100%; height: 100%; }
  .name { font-size: 20px; font-weight: 600; margin: 4px 0 0; }
  .badge { color: var(--green); font-size: 14px; margin: 0; }
  [hidden] { display: none !important; }
  @media (max-width: 600px) {
    main { padding: 16px 12px; }
    .card { padding: 24px 18px; }
    .options { flex-direction: column; gap: 24px; }
    .option + .option { border-left: 0; padding-left: 0; border-top: 1px solid var(--line); padding-top: 24px; }
    #qr { width: 160px; height: 160px; }
  }
</style>
</head>
<body>
<header><img src="/favicon.ico" alt=""><span>${DEMO_APP_NAME}</span></header>
<main>
<section class="card">
  <div id="logged-out">
    <h1>Log in</h1>
    <p class="lead">Use your WeChat account to continue.</p>
    <p id="accounts" class="accounts" hidden><label>Official Account<select id="account"></select></label></p>
    <div class="options">
      <div class="option">
        <a id="oauth-login" class="btn btn-primary" href="/auth/wechat?scope=snsapi_userinfo&amp;returnTo=%2F">Log in with WeChat</a>
        <p class="hint">Opened inside WeChat on your phone? Tap to log in.</p>
      </div>
      <div class="option">
        <img id="qr" alt="Login QR code">
        <p class="hint">On a computer: scan this code with WeChat.</p>
        <p id="status" data-state="loading">Loading…</p>
        <button id="refresh" class="btn btn-plain btn-small" type="button">New code</button>
      </div>
    </div>
    <div id="sandbox" class="sandbox" hidden>
      <p><strong>Sandbox mode</strong>: WeChat is simulated on this machine.</p>
      <button id="simulate-scan" class="btn btn-plain btn-small" type="button">Simulate scan</button>
      <button id="simulate-subscribe" class="btn btn-plain btn-small" type="button">Simulate follow + scan</button>
    </div>
  </div>
  <div id="logged-in" class="profile" hidden>
    <div class="avatar" id="avatar"></div>
    <p class="name" id="name"></p>
    <p class="badge" id="logged-in-status">Logged in with WeChat</p>
    <button id="logout" class="btn btn-plain btn-small" type="button">Log out</button>
  </div>
</section>
</main>
<script>
(() => {
  const status = document.getElementById('status');
  const qr = document.getElementById('qr');
  const picker = document.getElementById('account');
  const oauthLink = document.getElementById('oauth-login');
  let scene = null;
  let account = null;
  let defaultAccount = 'default';
  let timer = null;
  const show = (state, text) => { status.dataset.state = state; status.textContent = text; };

  function showUser(user) {
    clearInterval(timer);
    document.getElementById('logged-out').hidden = true;
    document.getElementById('logged-in').hidden = false;
    const avatar = document.getElementById('avatar');
    avatar.textContent = '';
    if (user.avatarUrl) {
      const img = document.createElement('img');
      img.src = user.avatarUrl;
      img.alt = '';
      avatar.appendChild(img);
    } else {
      avatar.textContent = (user.nickname || 'W').slice(0, 1);
    }
    document.getElementById('name').textContent = user.nickname || 'WeChat user';
    document.getElementById('logged-in-status').textContent =
      (user.via === 'qrcode' ? 'Logged in by scanning the QR code' : 'Logged in with WeChat') +
      (user.account !== defaultAccount ? ' · ' + user.account : '');
  }

  async function whoAmI() {
    const res = await fetch('/me');
    if (!res.ok) return false;
    showUser(await res.json());
    return true;
  }

  async function newCode() {
    clearInterval(timer);
    show('loading', 'Loading…');
    account = picker.value || null;
    const query = account ? '?account=' + encodeURIComponent(account) : '';
    oauthLink.href = '/auth/wechat?scope=snsapi_userinfo&returnTo=%2F' + (account ? '&account=' + encodeURIComponent(account) : '');
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
      show('confirmed', 'Logged in');
      await whoAmI();
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
    if (list.defaultAccount) defaultAccount = list.defaultAccount;
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
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/auth/logout', { method: 'POST' });
    location.reload();
  });
  fetch('/sandbox').then((res) => { if (res.ok) document.getElementById('sandbox').hidden = false; });
  loadAccounts().then(whoAmI).then((loggedIn) => { if (!loggedIn) newCode(); });
})();
</script>
</body>
</html>
`;
