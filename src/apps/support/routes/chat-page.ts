/**
 * The customer's chat page: plain HTML with a little script, no framework, usable with a keyboard and a
 * screen reader (labelled form, the conversation is a polite live region). It polls the thread, so a
 * person's reply from the inbox appears within a couple of seconds.
 */
export function chatPage(installationId: string): string {
  const id = JSON.stringify(installationId).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer support</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  main { max-width: 42rem; margin: 0 auto; padding: 1rem; display: flex; flex-direction: column; height: 100vh; box-sizing: border-box; }
  h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
  #log { flex: 1; overflow-y: auto; background: #fff; border: 1px solid #d5d9e0; border-radius: 8px; padding: .75rem; }
  .msg { margin: .5rem 0; padding: .5rem .75rem; border-radius: 8px; max-width: 85%; white-space: pre-wrap; }
  .user { background: #1d4ed8; color: #fff; margin-left: auto; }
  .assistant { background: #eef1f5; }
  .human { background: #fff4d6; border: 1px solid #f0c36d; }
  .who { display: block; font-size: .75rem; opacity: .75; }
  form { display: flex; gap: .5rem; margin-top: .75rem; }
  label { position: absolute; left: -9999px; }
  input { flex: 1; font: inherit; padding: .6rem; border: 1px solid #9aa3b2; border-radius: 6px; }
  button { font: inherit; padding: .6rem 1rem; border: 0; border-radius: 6px; background: #1d4ed8; color: #fff; cursor: pointer; }
  button:disabled { opacity: .6; }
  #status { font-size: .85rem; min-height: 1.2em; color: #5b6472; }
</style>
</head>
<body>
<main>
  <h1>Customer support</h1>
  <div id="log" role="log" aria-live="polite" aria-label="Conversation"></div>
  <p id="status" aria-live="polite"></p>
  <form id="form">
    <label for="text">Your message</label>
    <input id="text" name="text" autocomplete="off" required maxlength="4000" placeholder="Type your message">
    <button id="send" type="submit">Send</button>
  </form>
</main>
<script>
(() => {
  const installation = ${id};
  const base = '/apps/support/' + encodeURIComponent(installation) + '/threads';
  const log = document.getElementById('log');
  const status = document.getElementById('status');
  const form = document.getElementById('form');
  const input = document.getElementById('text');
  const send = document.getElementById('send');
  const seen = new Set();
  let thread = sessionStorage.getItem('tokenhub-support-' + installation);
  const who = { user: 'You', assistant: 'Support agent', human: 'Support team' };
  function show(message) {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    const item = document.createElement('div');
    item.className = 'msg ' + message.role;
    const name = document.createElement('span');
    name.className = 'who';
    name.textContent = message.role === 'human' && message.author ? message.author : who[message.role] || message.role;
    item.appendChild(name);
    item.appendChild(document.createTextNode(message.content));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }
  async function ensureThread() {
    if (thread) return thread;
    const response = await fetch(base, { method: 'POST' });
    if (!response.ok) throw new Error('Could not start a conversation');
    thread = (await response.json()).id;
    sessionStorage.setItem('tokenhub-support-' + installation, thread);
    return thread;
  }
  async function poll() {
    if (!thread) return;
    try {
      const response = await fetch(base + '/' + encodeURIComponent(thread) + '/messages');
      if (response.ok) for (const message of (await response.json()).data) show(message);
    } catch {}
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (!content) return;
    send.disabled = true;
    status.textContent = 'Sending…';
    try {
      const id = await ensureThread();
      input.value = '';
      const response = await fetch(base + '/' + encodeURIComponent(id) + '/messages', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content }),
      });
      const body = await response.json();
      status.textContent = response.ok ? (body.handoff ? 'A member of our team has this conversation.' : '') : (body.error && body.error.message) || 'Something went wrong.';
      await poll();
    } catch (error) {
      status.textContent = String(error.message || error);
    } finally {
      send.disabled = false;
      input.focus();
    }
  });
  setInterval(poll, 1500);
  void poll();
})();
</script>
</body>
</html>`;
}
