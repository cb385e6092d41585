/**
 * The demo page: connect as a user, open a second tab as the same user, and
 * watch what one tab sends appear in the other. It loads the Socket.IO client
 * that the server itself serves, so it needs nothing from outside.
 */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Redis propagator demo</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.3rem; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; margin: 0 0 1rem; }
  input { font: inherit; padding: .25rem .4rem; }
  button { font: inherit; padding: .25rem .8rem; cursor: pointer; }
  #state { font-weight: 600; }
  #state[data-state="connected"] { color: #16794c; }
  #state[data-state="disconnected"], #state[data-state="refused"] { color: #b42318; }
  #log { list-style: none; padding: 0; font-family: ui-monospace, monospace; font-size: 13px; }
  #log li { border-bottom: 1px solid #eee; padding: .2rem 0; }
  .muted { color: #666; }
</style>
</head>
<body>
<h1>Multi-tab sync over Redis</h1>
<p class="muted">Connect as a user, then open this page in a second tab as the same user.
What one tab sends appears in the other, whichever instance each tab is on.</p>

<fieldset>
  <legend>Who</legend>
  <label>User id <input id="userId" size="12" autocomplete="off"></label>
  <button id="connect">Connect</button>
  <div><label class="muted">or a token of your own <input id="token" size="40" autocomplete="off"></label></div>
  <p>State: <span id="state" data-state="idle">not connected</span> <span id="socketId" class="muted"></span></p>
</fieldset>

<fieldset>
  <legend>Send to my other tabs</legend>
  <form id="send"><input id="message" size="40" placeholder="a message" autocomplete="off"> <button>Send</button></form>
</fieldset>

<h2 style="font-size:1.05rem">Events</h2>
<ul id="log"></ul>

<script src="/socket.io/socket.io.min.js"></script>
<script>
  const $ = (id) => document.getElementById(id);
  const userIdInput = $('userId');
  userIdInput.value = localStorage.getItem('demo.userId') || '42';
  let socket;

  function setState(state, text) {
    $('state').dataset.state = state;
    $('state').textContent = text;
  }

  function log(text) {
    const item = document.createElement('li');
    item.textContent = new Date().toLocaleTimeString() + '  ' + text;
    $('log').prepend(item);
  }

  async function tokenFor(userId) {
    const own = $('token').value.trim();
    if (own) return own;
    const response = await fetch('/dev/token?userId=' + encodeURIComponent(userId));
    if (!response.ok) throw new Error('no development token (' + response.status + '); paste a token instead');
    return (await response.json()).token;
  }

  $('connect').addEventListener('click', async () => {
    const userId = userIdInput.value.trim();
    localStorage.setItem('demo.userId', userId);
    if (socket) socket.disconnect();
    let token;
    try {
      token = await tokenFor(userId);
    } catch (error) {
      setState('refused', error.message);
      return;
    }
    setState('connecting', 'connecting…');
    socket = io({ auth: { token } });
    socket.on('connect', () => {
      setState('connected', 'connected as ' + userId);
      $('socketId').textContent = '(socket ' + socket.id + ')';
    });
    socket.on('connect_error', (error) => {
      setState('refused', 'refused: ' + error.message + (error.data ? ' (' + error.data.code + ')' : ''));
    });
    socket.on('disconnect', (reason) => setState('disconnected', 'disconnected: ' + reason));
    socket.io.on('reconnect_attempt', () => setState('reconnecting', 'reconnecting…'));
    socket.onAny((event, data) => log(event + ' ' + JSON.stringify(data)));
  });

  $('send').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!socket || !socket.connected) return;
    socket.emit('events', { text: $('message').value, at: Date.now() });
    $('message').value = '';
  });
</script>
</body>
</html>
`;
