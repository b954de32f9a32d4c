"""The demo page served at ``/``: chat with the bot in a browser as any simulated person.

One file of plain HTML and JavaScript, no build step. It only uses the control API: it lists
people and chats (``/control/state``), shows a chat's transcript (``/control/messages``, polled),
sends text and photos as the chosen person (``/control/say``, ``/control/photo``), draws the bot's
inline keyboards and presses them (``/control/press``), and shows the bot's callback answers.
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>qunzhu · Telegram emulator</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root { --bg:#e6ebee; --me:#ffffff; --bot:#effdde; --accent:#3390ec; --muted:#707579; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.4 system-ui, sans-serif; display:flex; height:100vh; }
aside { width:260px; background:#fff; border-right:1px solid #dadce0; display:flex;
  flex-direction:column; }
aside h1 { font-size:15px; margin:0; padding:14px 16px; border-bottom:1px solid #eee; }
aside h2 { font-size:12px; text-transform:uppercase; color:var(--muted); margin:14px 16px 6px; }
aside select, aside button { margin:0 16px 6px; padding:6px; font:inherit; }
#chats { list-style:none; margin:0; padding:0; overflow:auto; flex:1; }
#chats li { padding:10px 16px; cursor:pointer; border-bottom:1px solid #f3f3f3; }
#chats li.on { background:var(--accent); color:#fff; }
#chats small { display:block; opacity:.7; }
main { flex:1; display:flex; flex-direction:column; background:var(--bg); }
header { background:#fff; padding:10px 18px; border-bottom:1px solid #dadce0; }
header b { font-size:15px; } header span { color:var(--muted); margin-left:8px; }
#log { flex:1; overflow:auto; padding:16px 10%; }
.msg { max-width:70%; margin:6px 0; padding:6px 10px 4px; border-radius:12px;
  background:var(--me); box-shadow:0 1px 1px rgba(0,0,0,.12); clear:both; }
.msg.bot { background:var(--bot); margin-left:auto; }
.msg .who { font-weight:600; color:var(--accent); font-size:13px; }
.msg .meta { font-size:11px; color:var(--muted); text-align:right; }
.msg img { max-width:100%; border-radius:8px; display:block; margin:4px 0; }
.msg pre, .msg code { background:rgba(0,0,0,.06); border-radius:4px; padding:0 3px; }
.service { text-align:center; color:var(--muted); font-size:12px; margin:8px 0; }
.kb { display:grid; gap:4px; margin:4px 0 2px; }
.kb div { display:flex; gap:4px; }
.kb button { flex:1; border:0; border-radius:8px; padding:7px; background:rgba(51,144,236,.12);
  color:var(--accent); font:inherit; cursor:pointer; }
footer { display:flex; gap:8px; padding:10px 10%; background:var(--bg); }
footer input[type=text] { flex:1; padding:10px 14px; border-radius:20px; border:1px solid #ccc;
  font:inherit; }
footer button, footer label { border:0; border-radius:20px; padding:0 16px; font:inherit;
  background:var(--accent); color:#fff; cursor:pointer; display:flex; align-items:center; }
footer label { background:#fff; color:var(--accent); border:1px solid #ccc; }
#toast { position:fixed; top:60px; left:50%; transform:translateX(-50%); background:#333;
  color:#fff; padding:8px 16px; border-radius:8px; display:none; }
</style></head>
<body>
<aside>
  <h1>Telegram emulator</h1>
  <h2>You are</h2>
  <select id="who"></select>
  <button id="add-user">+ person</button>
  <h2>Chats</h2>
  <ul id="chats"></ul>
  <button id="add-group">+ group</button>
  <button id="add-dm">+ private chat with the bot</button>
</aside>
<main>
  <header><b id="title">No chat</b><span id="status"></span></header>
  <div id="log"></div>
  <footer>
    <label title="Attach a photo">📎<input id="photo" type="file" accept="image/*" hidden></label>
    <input id="text" type="text" placeholder="Write a message…" autocomplete="off">
    <button id="send">Send</button>
  </footer>
</main>
<div id="toast"></div>
<script>
const $ = (id) => document.getElementById(id);
let state = {bot: {}, users: [], chats: []}, last = "";
let chat = +new URLSearchParams(location.search).get("chat") || null;  // ?chat=ID opens a chat
const esc = (s) => String(s).replace(/[&<>"]/g, (c) =>
  ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));

async function api(path, body) {
  const init = body === undefined ? {} :
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const data = await (await fetch("/control/" + path, init)).json();
  if (!data.ok) { toast(data.error); throw new Error(data.error); }
  return data.result;
}
function toast(text) {
  const t = $("toast"); t.textContent = text; t.style.display = "block";
  clearTimeout(t.timer); t.timer = setTimeout(() => t.style.display = "none", 2500);
}
const TAGS = {bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
  pre: "pre", spoiler: "mark", blockquote: "blockquote", expandable_blockquote: "blockquote"};
function formatted(text, entities) {
  // Entity offsets are UTF-16 code units, which is what JavaScript strings index.
  if (!text) return "";
  const cuts = new Set([0, text.length]);
  for (const e of entities || []) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].sort((a, b) => a - b);
  let html = "";
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    let part = esc(text.slice(a, b));
    for (const e of entities || []) {
      if (e.offset > a || e.offset + e.length < b) continue;
      if (e.type === "text_link") part = `<a href="${esc(e.url)}" target="_blank">${part}</a>`;
      else if (e.type === "url") part = `<a href="${esc(text.slice(e.offset,
        e.offset + e.length))}" target="_blank">${part}</a>`;
      else if (TAGS[e.type]) part = `<${TAGS[e.type]}>${part}</${TAGS[e.type]}>`;
    }
    html += part;
  }
  return html.replace(/\\n/g, "<br>");
}
function service(m) {
  const name = (u) => esc(u.first_name);
  if (m.new_chat_members) return m.new_chat_members.map(name).join(", ") + " joined";
  if (m.left_chat_member) return name(m.left_chat_member) + " left";
  if (m.migrate_to_chat_id) return "Upgraded to a supergroup " + m.migrate_to_chat_id;
  if (m.migrate_from_chat_id) return "Upgraded from the group " + m.migrate_from_chat_id;
  return null;
}
function render(messages) {
  const log = $("log");
  const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 30;
  log.innerHTML = messages.map((m) => {
    const note = service(m);
    if (note) return `<div class="service">${note}</div>`;
    const bot = m.from && m.from.id === state.bot.id;
    let body = "";
    if (m.reply_to_message) body += `<div class="meta" style="text-align:left">↩ ${
      esc((m.reply_to_message.text || m.reply_to_message.caption || "…").slice(0, 40))}</div>`;
    if (m.photo) body += `<img src="/control/files/${m.photo[m.photo.length - 1].file_id}">`;
    if (m.document) body += `<a href="/control/files/${m.document.file_id}">📄 ${
      esc(m.document.file_name || "file")}</a>`;
    if (m.location) body += `📍 ${m.location.latitude}, ${m.location.longitude}`;
    body += `<div>${formatted(m.text || m.caption, m.entities || m.caption_entities)}</div>`;
    const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
    const kb = rows.map((row) => "<div>" + row.map((b) => b.callback_data !== undefined ?
      `<button data-m="${m.message_id}" data-d="${esc(b.callback_data)}">${esc(b.text)}</button>` :
      `<button onclick="window.open('${esc(b.url || "")}')">${esc(b.text)} ↗</button>`
    ).join("") + "</div>").join("");
    const when = new Date(m.date * 1000).toLocaleTimeString([], {timeStyle: "short"});
    return `<div class="msg ${bot ? "bot" : ""}"><div class="who">${esc(m.from.first_name)}</div>
      ${body}${kb ? `<div class="kb">${kb}</div>` : ""}
      <div class="meta">${m.edit_count ? "edited · " : ""}${when}</div></div>`;
  }).join("");
  if (!atEnd) return;
  log.scrollTop = log.scrollHeight;
  const down = () => { log.scrollTop = log.scrollHeight; };
  for (const img of log.querySelectorAll("img")) img.onload = down;
}
function chatName(c) {
  return c.type === "private" ? "🤖 " + c.first_name + " ↔ bot" : "👥 " + c.title;
}
async function refresh() {
  state = await api("state");
  const who = $("who"), keep = who.value;
  who.innerHTML = state.users.map((u) => `<option value="${u.id}">${esc(u.first_name)}</option>`)
    .join("");
  if (keep) who.value = keep;
  if (!chat && state.chats.length) chat = state.chats[0].id;
  $("chats").innerHTML = state.chats.filter((c) => !c.migrated_to).map((c) =>
    `<li data-id="${c.id}" class="${c.id === chat ? "on" : ""}">${esc(chatName(c))}
     <small>${c.id} · bot ${c.bot_status}</small></li>`).join("");
  const current = state.chats.find((c) => c.id === chat);
  $("title").textContent = current ? chatName(current) : "No chat";
  const counts = await api("counts"), violations = await api("violations");
  $("status").textContent = `@${state.bot.username} · sent ${counts.total}` +
    ` · 429s ${violations.length} · pending updates ${state.pending_updates}`;
}
async function poll() {
  try {
    if (chat !== null) {
      const messages = await api("messages?chat_id=" + chat);
      const key = JSON.stringify(messages);
      if (key !== last) { last = key; render(messages); await refresh(); }
    }
  } catch (e) { console.warn(e); }
  setTimeout(poll, 700);
}
async function send() {
  const text = $("text").value.trim();
  if (!text || chat === null) return;
  $("text").value = "";
  await api("say", {user_id: +$("who").value, chat_id: chat, text});
}
$("send").onclick = send;
$("text").onkeydown = (e) => { if (e.key === "Enter") send(); };
$("photo").onchange = async () => {
  const file = $("photo").files[0];
  if (!file || chat === null) return;
  const data = await new Promise((ok) => {
    const r = new FileReader(); r.onload = () => ok(r.result); r.readAsDataURL(file); });
  await api("photo", {user_id: +$("who").value, chat_id: chat, photo_base64: data,
    caption: $("text").value.trim()});
  $("text").value = ""; $("photo").value = "";
};
$("chats").onclick = (e) => {
  const li = e.target.closest("li");
  if (li) { chat = +li.dataset.id; last = ""; refresh(); }
};
$("log").onclick = async (e) => {
  const b = e.target.closest("button[data-d]");
  if (!b) return;
  const q = await api("press", {user_id: +$("who").value, chat_id: chat,
    message_id: +b.dataset.m, data: b.dataset.d});
  for (let i = 0; i < 20; i++) {
    await new Promise((ok) => setTimeout(ok, 250));
    const answer = (await api("callbacks")).find((c) => c.id === q.id);
    if (answer && answer.answer) { if (answer.answer.text) toast(answer.answer.text); break; }
  }
};
$("add-user").onclick = async () => {
  const name = prompt("First name?");
  if (name) { const u = await api("users", {first_name: name}); await refresh();
    $("who").value = u.id; }
};
$("add-group").onclick = async () => {
  const title = prompt("Group title?");
  if (title) { chat = (await api("chats", {type: "supergroup", title})).id; last = "";
    refresh(); }
};
$("add-dm").onclick = async () => {
  chat = (await api("chats", {type: "private", user_id: +$("who").value})).id; last = "";
  refresh();
};
refresh().then(poll);
</script>
</body></html>
"""
