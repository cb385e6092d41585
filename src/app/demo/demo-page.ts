/**
 * The demo page: connect as a user in two tabs, see which instance each tab
 * landed on, and watch what one tab sends appear in the other. It loads the
 * Socket.IO client that the server itself serves, so it needs nothing from
 * outside. Element ids are stable: the browser test drives the page by them.
 */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Redis propagator demo</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.3rem; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; margin: 0 0 1rem; }
  input { font: inherit; padding: .25rem .4rem; }
  button { font: inherit; padding: .25rem .8rem; cursor: pointer; }
  .status { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: center; margin: .5rem 0 0; }
  #state::before { content: ""; display: inline-block; width: .7rem; height: .7rem; border-radius: 50%; margin-right: .4rem; background: #999; vertical-align: baseline; }
  #state { font-weight: 600; }
  #state[data-state="connected"]::before { background: #16a34a; }
  #state[data-state="connecting"]::before, #state[data-state="reconnecting"]::before { background: #d97706; }
  #state[data-state="disconnected"]::before, #state[data-state="refused"]::before { background: #dc2626; }
  #instance { font-family: ui-monospace, monospace; font-weight: 600; }
  #log { list-style: none; padding: 0; font-family: ui-monospace, monospace; font-size: 13px; }
  #log li { border-bottom: 1px solid #eee; padding: .2rem 0; }
  #log .event { font-weight: 600; }
  .muted { color: #666; }
  #roomLog { list-style: none; padding: 0; margin: .5rem 0 0; }
  #roomLog li { padding: .15rem 0; }
  #roomLog .who { font-weight: 600; }
  #roomLog .note { color: #666; font-style: italic; }
</style>
</head>
<body>
<h1>Multi-tab sync over Redis</h1>
<p class="muted">Connect as a user, then open this page in another tab as the same user.
What one tab sends appears in the other, whichever instance each tab is on.</p>

<fieldset>
  <legend>Who</legend>
  <label>User id <input id="userId" size="12" autocomplete="off"></label>
  <button id="connect">Connect</button>
  <div><label class="muted">or a token of your own <input id="token" size="40" autocomplete="off"></label></div>
  <div class="status">
    <span id="state" data-state="idle">not connected</span>
    <span>instance <span id="instance">-</span></span>
    <span id="socketId" class="muted"></span>
  </div>
</fieldset>

<fieldset>
  <legend>Send to my other tabs</legend>
  <form id="send"><input id="message" size="40" placeholder="a message" autocomplete="off"> <button>Send</button></form>
</fieldset>

<fieldset>
  <legend>Push to a user (as another service would)</legend>
  <form id="push">
    <label>User id <input id="pushUserId" size="12" autocomplete="off"></label>
    <input id="pushText" size="28" placeholder="a push" autocomplete="off">
    <button>Push</button>
  </form>
  <p id="pushResult" class="muted"></p>
</fieldset>

<fieldset>
  <legend>Chat room (every instance that holds it)</legend>
  <form id="roomJoin">
    <label>Room <input id="roomId" size="16" value="lobby" autocomplete="off"></label>
    <button>Join</button> <button type="button" id="roomLeave">Leave</button>
    <span id="roomState" class="muted">not in a room</span>
  </form>
  <p class="muted">members: <span id="roomMembers">-</span></p>
  <form id="roomSend"><input id="roomText" size="40" placeholder="say something to the room" autocomplete="off"> <button>Say</button></form>
  <ul id="roomLog"></ul>
</fieldset>

<h2 style="font-size:1.05rem">Events</h2>
<ul id="log"></ul>

<script src="/socket.io/socket.io.min.js"></script>
<script>
  const $ = (id) => document.getElementById(id);
  $('userId').value = localStorage.getItem('demo.userId') || '42';
  $('pushUserId').value = $('userId').value;
  // The push form targets the connected user until someone types another id.
  $('pushUserId').addEventListener('input', () => ($('pushUserId').dataset.edited = 'yes'));
  let socket;

  function setState(state, text) {
    $('state').dataset.state = state;
    $('state').textContent = text;
  }

  function log(event, data) {
    const item = document.createElement('li');
    const name = document.createElement('span');
    name.className = 'event';
    name.textContent = event;
    item.append(new Date().toLocaleTimeString() + '  ', name, ' ' + JSON.stringify(data));
    $('log').prepend(item);
  }

  async function tokenFor(userId) {
    const own = $('token').value.trim();
    if (own) return own;
    const response = await fetch('/dev/token?userId=' + encodeURIComponent(userId));
    if (!response.ok) throw new Error('no development token (' + response.status + '); paste a token instead');
    return (await response.json()).token;
  }

  // Asked again after every reconnection: the socket may now be on another instance.
  async function showInstance() {
    try {
      const me = await socket.timeout(5000).emitWithAck('whoami', null);
      $('instance').textContent = me.instance;
      $('socketId').textContent = 'socket ' + me.socketId;
    } catch {
      $('instance').textContent = 'unknown';
    }
  }

  // The chat room: joined again after a reconnection, which is a new socket.
  let room;
  const members = new Set();

  function showMembers() {
    $('roomMembers').textContent = members.size ? [...members].sort().join(', ') : '-';
  }

  function roomLine(who, text, note) {
    const item = document.createElement('li');
    const time = document.createElement('span');
    time.className = 'muted';
    time.textContent = new Date().toLocaleTimeString() + '  ';
    const body = document.createElement('span');
    if (note) {
      body.className = 'note';
      body.textContent = who + ' ' + text;
    } else {
      const name = document.createElement('span');
      name.className = 'who';
      name.textContent = who + ': ';
      body.append(name, text);
    }
    item.append(time, body);
    $('roomLog').prepend(item);
  }

  async function joinRoom(roomId) {
    const answer = await socket.timeout(5000).emitWithAck('chat:join', { roomId });
    if (answer.error) {
      $('roomState').textContent = 'refused: ' + answer.error.message;
      return;
    }
    room = roomId;
    members.clear();
    answer.members.forEach((member) => members.add(member));
    showMembers();
    $('roomState').textContent = 'in ' + roomId;
  }

  function watchRoom() {
    socket.on('chat:message', (message) => roomLine(message.userId, message.text));
    socket.on('chat:userJoined', ({ userId }) => {
      members.add(userId);
      showMembers();
      roomLine(userId, 'joined', true);
    });
    socket.on('chat:userLeft', ({ userId }) => {
      roomLine(userId, 'left', true);
    });
  }

  $('roomJoin').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!socket || !socket.connected) return;
    if (room) await socket.timeout(5000).emitWithAck('chat:leave', { roomId: room });
    await joinRoom($('roomId').value.trim());
  });

  $('roomLeave').addEventListener('click', async () => {
    if (!socket || !socket.connected || !room) return;
    await socket.timeout(5000).emitWithAck('chat:leave', { roomId: room });
    room = undefined;
    members.clear();
    showMembers();
    $('roomState').textContent = 'not in a room';
  });

  $('roomSend').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!socket || !socket.connected || !room) return;
    const answer = await socket.timeout(5000).emitWithAck('chat:message', { roomId: room, text: $('roomText').value });
    if (answer.error) {
      $('roomState').textContent = 'refused: ' + answer.error.message;
    } else {
      $('roomText').value = '';
    }
  });

  $('connect').addEventListener('click', async () => {
    const userId = $('userId').value.trim();
    localStorage.setItem('demo.userId', userId);
    if (!$('pushUserId').dataset.edited) $('pushUserId').value = userId;
    if (socket) socket.disconnect();
    $('instance').textContent = '-';
    let token;
    try {
      token = await tokenFor(userId);
    } catch (error) {
      setState('refused', error.message);
      return;
    }
    setState('connecting', 'connecting');
    socket = io({ auth: { token } });
    socket.on('connect', () => {
      setState('connected', 'connected as ' + userId);
      showInstance();
      if (room) joinRoom(room);
    });
    watchRoom();
    socket.on('connect_error', (error) => {
      if (socket.active) {
        setState('reconnecting', 'reconnecting: ' + error.message);
      } else {
        setState('refused', 'refused: ' + error.message + (error.data ? ' (' + error.data.code + ')' : ''));
      }
    });
    socket.on('disconnect', (reason) => {
      setState(socket.active ? 'reconnecting' : 'disconnected', (socket.active ? 'reconnecting: ' : 'disconnected: ') + reason);
      $('instance').textContent = '-';
    });
    socket.onAny((event, data) => log(event, data));
  });

  $('send').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!socket || !socket.connected) return;
    socket.emit('events', { text: $('message').value, at: Date.now() });
    $('message').value = '';
  });

  $('push').addEventListener('submit', async (event) => {
    event.preventDefault();
    const response = await fetch('/dev/push', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: $('pushUserId').value.trim(), data: { text: $('pushText').value } }),
    });
    $('pushResult').textContent = response.ok
      ? 'pushed to user ' + $('pushUserId').value.trim()
      : 'push refused (' + response.status + '): ' + ((await response.json()).message || '');
    if (response.ok) $('pushText').value = '';
  });
</script>
</body>
</html>
`;
