/* Boundary Consult sandbox page: a small Slack.
 *
 * The page never talks to the app directly. It asks the sandbox server (JSON API under
 * /sandbox/) to act as a person; the server's Slack stand-in then sends the app the same
 * signed request Slack would send to POST /slack/events. State comes back from
 * GET /sandbox/state, refreshed whenever the server's event stream says it changed.
 */
"use strict";

const $ = (id) => document.getElementById(id);
const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "html") el.innerHTML = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
};

const params = new URLSearchParams(location.search);
const ui = {
  me: params.get("as") || localStorage.getItem("sandbox.me") || "U0PRACT",
  channel: localStorage.getItem("sandbox.channel") || "C0CONSULT",
  thread: null, // ts of the open thread's parent
  tab: "messages",
  state: null,
  renderedModal: "",
  clientErrors: { view: "", errors: {} }, // Slack's own checks (required fields) for the open modal
  seen: {}, // `${me}|${channel}` -> count of items seen
  highlight: null,
  epoch: 0,
};

// permalinks: /archives/C123/p1700000000000100?thread_ts=...
(function readPermalink() {
  const m = location.pathname.match(/^\/archives\/([^/]+)\/p(\d+)$/);
  if (!m) return;
  ui.channel = m[1];
  const ts = m[2].slice(0, -6) + "." + m[2].slice(-6);
  ui.highlight = ts;
  ui.thread = params.get("thread_ts") || null;
})();

// ---------------------------------------------------------------- API
async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const resp = await fetch(path, opts);
  let data = {};
  try { data = await resp.json(); } catch (e) { /* empty */ }
  data._status = resp.status;
  return data;
}

let loading = null;
let again = false;
async function refresh() {
  if (loading) { again = true; return loading; }
  loading = (async () => {
    do {
      again = false;
      try {
        const data = await api(`/sandbox/state?user=${encodeURIComponent(ui.me)}`);
        if (data._status === 200) { ui.state = data; ui.epoch = data.epoch; render(); }
      } catch (e) { /* the server is restarting; the next event will retry */ }
    } while (again);
  })();
  try { await loading; } finally { loading = null; }
}

function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 3500);
}

function reportDelivery(res, what) {
  if (res && res.ok === false && res._status < 400) {
    toast(`${what}: the app answered ${res.error || "HTTP " + res.status}`);
  } else if (res && res._status >= 400 && res.error) {
    toast(res.error);
  }
}

// ---------------------------------------------------------------- mrkdwn
function unescapeSlack(s) {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
function escapeHtml(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
function userName(id) {
  const u = ui.state && ui.state.users[id];
  return u ? u.name : id;
}
function channelName(id) {
  const c = ui.state && ui.state.channels.find((x) => x.id === id);
  return c ? c.name : id;
}
const EMOJI = {
  white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️", speech_balloon: "💬", lock: "🔒",
  bust_in_silhouette: "👤", busy_in_silhouette: "👥", memo: "📝", wave: "👋", bulb: "💡", eyes: "👀",
  triangular_flag_on_post: "🚩", "+1": "👍", thumbsup: "👍", pray: "🙏", hourglass: "⌛", mailbox: "📫",
  information_source: "ℹ️", no_entry: "⛔", rotating_light: "🚨", shield: "🛡️", raised_hands: "🙌", tada: "🎉",
};
function emoji(s) {
  return s.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
}
function inlineFormat(escaped) {
  return emoji(escaped)
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,!?:;])/g, "$1<strong>$2</strong>")
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, "$1<em>$2</em>")
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,!?:;])/g, "$1<del>$2</del>");
}
function renderToken(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) return `<span class="mention">@${escapeHtml(userName(target.slice(1)))}</span>`;
  if (target.startsWith("#")) return `<span class="mention">#${escapeHtml(label || channelName(target.slice(1)))}</span>`;
  if (target.startsWith("!")) {
    const word = target.slice(1).split("^")[0];
    return `<span class="mention">@${escapeHtml(label || word)}</span>`;
  }
  const url = unescapeSlack(target);
  if (/^(https?:|mailto:)/i.test(url)) {
    return `<a href="${escapeHtml(url)}" target="${url.startsWith(location.origin) ? "_self" : "_blank"}" rel="noopener">${escapeHtml(unescapeSlack(label || target))}</a>`;
  }
  return escapeHtml(unescapeSlack(inner));
}
function mrkdwn(text) {
  // code blocks first, their content is not formatted
  const parts = String(text || "").split(/```/);
  let out = "";
  parts.forEach((part, i) => {
    if (i % 2 === 1) { out += `<pre>${escapeHtml(unescapeSlack(part))}</pre>`; return; }
    const lines = part.split("\n").map((line) => {
      let quote = false;
      if (line.startsWith("&gt; ") || line.startsWith("> ")) { quote = true; line = line.replace(/^(&gt;|>) /, ""); }
      let html = "";
      let last = 0;
      const re = /<([^<>]+)>/g;
      let m;
      while ((m = re.exec(line))) {
        html += inlineFormat(escapeHtml(unescapeSlack(line.slice(last, m.index))));
        html += renderToken(m[1]);
        last = re.lastIndex;
      }
      html += inlineFormat(escapeHtml(unescapeSlack(line.slice(last))));
      return quote ? `<blockquote>${html}</blockquote>` : html;
    });
    out += lines.join("\n").replace(/<\/blockquote>\n<blockquote>/g, "<br>");
  });
  return out;
}
function textObj(obj, cls = "text") {
  if (!obj) return h("span");
  if (obj.type === "mrkdwn") return h("div", { class: cls, html: mrkdwn(obj.text) });
  return h("div", { class: cls, text: obj.emoji === false ? obj.text || "" : emoji(obj.text || "") });
}
function plain(obj) { return obj ? (obj.emoji === false ? obj.text || "" : emoji(obj.text || "")) : ""; }

// ---------------------------------------------------------------- Block Kit
let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

/* ctx: {kind: "message"|"ephemeral"|"view"|"home", channel, ts, view_id, modal: bool} */
function renderBlocks(blocks, ctx) {
  const wrap = h("div", { class: "blocks" });
  for (const b of blocks || []) wrap.append(renderBlock(b, ctx));
  return wrap;
}

function renderBlock(b, ctx) {
  switch (b.type) {
    case "header":
      return h(ctx.modal ? "h3" : "h2", { class: "block-header" }, plain(b.text));
    case "section": {
      const main = h("div", { class: "section-main" });
      if (b.text) main.append(textObj(b.text));
      if (b.fields && b.fields.length) {
        const f = h("div", { class: "fields" });
        for (const fld of b.fields) f.append(textObj(fld));
        main.append(f);
      }
      const sec = h("div", { class: "block-section" }, main);
      if (b.accessory) sec.append(renderElement(b.accessory, b, ctx));
      return sec;
    }
    case "context":
      return h("div", { class: "block-context" }, (b.elements || []).map((e) =>
        e.type === "image" ? h("img", { src: e.image_url, alt: e.alt_text || "" }) : textObj(e, "text")));
    case "divider":
      return h("hr", { class: "block-divider" });
    case "actions":
      return h("div", { class: "block-actions", role: "group", "aria-label": "Actions" }, (b.elements || []).map((e) => renderElement(e, b, ctx)));
    case "input":
      return renderInput(b, ctx);
    case "image":
      return h("figure", { class: "block-image" }, h("img", { src: b.image_url, alt: b.alt_text || "" }), b.title ? h("figcaption", {}, plain(b.title)) : null);
    case "rich_text":
      return h("div", { class: "text" }, richText(b));
    case "markdown":
      return h("div", { class: "text", html: mrkdwn(b.text) });
    default:
      return h("div", { class: "block-unknown" }, `[${b.type} block]`);
  }
}

function richText(b) {
  const out = [];
  const walk = (els) => {
    for (const e of els || []) {
      if (e.type === "text") out.push(e.text);
      else if (e.type === "link") out.push(e.text || e.url);
      else if (e.type === "user") out.push("@" + userName(e.user_id));
      else if (e.elements) walk(e.elements);
    }
  };
  walk(b.elements);
  return out.join("");
}

async function fireAction(ctx, el, block, value) {
  if (el.confirm && !window.confirm(`${plain(el.confirm.title)}\n\n${plain(el.confirm.text)}`)) return;
  const body = { user: ui.me, kind: ctx.kind, channel: ctx.channel, ts: ctx.ts, view_id: ctx.view_id, action_id: el.action_id, value };
  if (ctx.kind === "view") body.values = collectValues();
  setBusy(true);
  try {
    const res = await api("/sandbox/click", body);
    reportDelivery(res, plain(el.text) || el.action_id);
  } finally { setBusy(false); }
  await refresh();
}

function options(el) {
  const opts = [...(el.options || [])];
  for (const g of el.option_groups || []) opts.push(...(g.options || []));
  return opts;
}

function renderElement(el, block, ctx) {
  const key = `${ctx.ts || ctx.view_id}-${block.block_id}-${el.action_id}`;
  switch (el.type) {
    case "button": {
      const cls = "btn" + (el.style === "primary" ? " btn-primary" : el.style === "danger" ? " btn-danger" : "");
      return h("button", {
        type: "button", class: cls, "data-key": key, "aria-label": el.accessibility_label,
        onclick: () => { if (el.url) window.open(el.url, "_blank", "noopener"); fireAction(ctx, el, block, el.value); },
      }, plain(el.text));
    }
    case "static_select":
    case "overflow": {
      const id = nextId("sel");
      const label = el.type === "overflow" ? "More actions" : plain(el.placeholder) || "Choose";
      const sel = h("select", { id, class: "el-select", "data-key": key, "aria-label": label,
        onchange: (ev) => { if (ev.target.value) fireAction(ctx, el, block, ev.target.value); } },
      h("option", { value: "" }, el.type === "overflow" ? "⋯" : label),
      options(el).map((o) => h("option", { value: o.value, selected: el.initial_option && el.initial_option.value === o.value }, plain(o.text))));
      return sel;
    }
    case "checkboxes":
    case "radio_buttons": {
      const fs = h("fieldset", { class: "inline-options" }, h("legend", { class: "sr-only" }, "Options"));
      const name = nextId("grp");
      for (const o of options(el)) {
        const input = h("input", { type: el.type === "checkboxes" ? "checkbox" : "radio", name, value: o.value,
          onchange: () => {
            const chosen = [...fs.querySelectorAll("input:checked")].map((i) => i.value);
            fireAction(ctx, el, block, el.type === "checkboxes" ? chosen : chosen[0]);
          } });
        fs.append(h("label", {}, input, " ", plain(o.text)));
      }
      return fs;
    }
    case "image":
      return h("img", { src: el.image_url, alt: el.alt_text || "", width: 72 });
    default:
      return h("span", { class: "block-unknown" }, `[${el.type}]`);
  }
}

function renderInput(b, ctx) {
  const el = b.element || {};
  const id = `in-${b.block_id}-${el.action_id}`;
  const hintId = b.hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  const described = [hintId, errId].filter(Boolean).join(" ");
  const data = { "data-block": b.block_id, "data-action": el.action_id, "data-type": el.type };
  const wrap = h("div", { class: "input-block", "data-block-id": b.block_id });
  const optional = b.optional ? h("span", { class: "optional" }, " (optional)") : null;
  const label = plain(b.label);
  let control;
  if (el.type === "checkboxes" || el.type === "radio_buttons") {
    control = h("fieldset", { ...data, "aria-describedby": described, id },
      h("legend", {}, label, optional));
    for (const [i, o] of options(el).entries()) {
      const oid = `${id}-${i}`;
      const checked = el.type === "checkboxes"
        ? (el.initial_options || []).some((x) => x.value === o.value)
        : el.initial_option && el.initial_option.value === o.value;
      control.append(h("div", {},
        h("input", { type: el.type === "checkboxes" ? "checkbox" : "radio", id: oid, name: id, value: o.value, checked }),
        h("label", { for: oid }, " ", plain(o.text)),
        o.description ? h("span", { class: "option-description" }, plain(o.description)) : null));
    }
    wrap.append(control);
  } else {
    wrap.append(h("label", { for: id }, label, optional));
    if (el.type === "plain_text_input") {
      const attrs = { id, ...data, "aria-describedby": described, placeholder: plain(el.placeholder) || null,
        maxlength: el.max_length, minlength: el.min_length, "aria-required": b.optional ? null : "true" };
      control = el.multiline ? h("textarea", attrs) : h("input", { type: "text", ...attrs });
      if (el.initial_value) control.value = el.initial_value;
    } else if (el.type === "static_select" || el.type === "multi_static_select") {
      control = h("select", { id, ...data, "aria-describedby": described, multiple: el.type === "multi_static_select", "aria-required": b.optional ? null : "true" });
      if (el.type === "static_select") control.append(h("option", { value: "" }, plain(el.placeholder) || "Choose an option"));
      const initial = (el.initial_options || []).map((o) => o.value).concat(el.initial_option ? [el.initial_option.value] : []);
      if (el.option_groups) {
        for (const g of el.option_groups) {
          control.append(h("optgroup", { label: plain(g.label) }, (g.options || []).map((o) => h("option", { value: o.value, selected: initial.includes(o.value) }, plain(o.text)))));
        }
      } else {
        for (const o of el.options || []) control.append(h("option", { value: o.value, selected: initial.includes(o.value) }, plain(o.text)));
      }
    } else if (el.type === "datepicker") {
      control = h("input", { type: "date", id, ...data, "aria-describedby": described, value: el.initial_date });
    } else {
      control = h("input", { type: "text", id, ...data, "aria-describedby": described });
    }
    wrap.append(control);
  }
  if (b.hint) wrap.append(h("p", { class: "hint", id: hintId }, plain(b.hint)));
  wrap.append(h("p", { class: "field-error", id: errId, role: "alert" }));
  return wrap;
}

function collectValues() {
  const values = {};
  for (const node of $("modal-body").querySelectorAll("[data-block][data-action]")) {
    const { block, action, type } = node.dataset;
    let v;
    if (type === "checkboxes") v = [...node.querySelectorAll("input:checked")].map((i) => i.value);
    else if (type === "radio_buttons") { const c = node.querySelector("input:checked"); v = c ? c.value : null; }
    else if (type === "multi_static_select") v = [...node.selectedOptions].map((o) => o.value);
    else v = node.value;
    (values[block] = values[block] || {})[action] = v;
  }
  return values;
}

// ---------------------------------------------------------------- rendering
function fmtTime(ts) {
  const d = new Date(parseFloat(ts) * 1000);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function isTop(m) { return !m.thread_ts || m.thread_ts === m.ts || m.subtype === "thread_broadcast"; }

function renderMessage(m, { inThread = false } = {}) {
  const ephemeral = !!m.is_ephemeral;
  const isBot = !!m.bot_id || m.user === ui.state.bot.user_id;
  const name = m.subtype === "tombstone" ? "" : isBot ? ui.state.bot.name : userName(m.user);
  const ctx = { kind: ephemeral ? "ephemeral" : "message", channel: m.channel || ui.channel, ts: m.ts };
  const body = m.subtype === "tombstone"
    ? h("div", { class: "deleted" }, "This message was deleted.")
    : (m.blocks && m.blocks.length && !(m.blocks.length === 1 && m.blocks[0].type === "rich_text"))
      ? renderBlocks(m.blocks, ctx)
      : h("div", { class: "text", html: mrkdwn(m.text) });
  const links = h("div", { class: "msg-links" });
  if (!inThread && !ephemeral && m.subtype !== "tombstone") {
    if (m.reply_count) {
      links.append(h("button", { type: "button", class: "link-btn", "data-thread": m.ts, onclick: () => openThread(m.ts) },
        `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`));
    } else {
      links.append(h("button", { type: "button", class: "link-btn", "data-thread": m.ts, "aria-label": `Reply in thread to ${name}`, onclick: () => openThread(m.ts) }, "Reply in thread"));
    }
  }
  if (ephemeral) {
    links.append(h("button", { type: "button", class: "link-btn", onclick: async () => { await api("/sandbox/dismiss", { user: ui.me, ts: m.ts }); refresh(); } }, "Dismiss message"));
  }
  const art = h("article", { class: "msg" + (ephemeral ? " ephemeral" : "") + (ui.highlight === m.ts ? " flash" : ""), "data-ts": m.ts,
    "aria-label": `${name || "deleted"} at ${fmtTime(m.ts)}${ephemeral ? ", only visible to you" : ""}` },
  h("div", { class: "avatar" + (isBot ? " bot" : ""), "aria-hidden": "true" }, (name || "?").slice(0, 1)),
  h("div", {},
    h("div", { class: "meta" },
      h("span", { class: "author" }, name),
      isBot ? h("span", { class: "app-badge" }, "APP") : null,
      h("time", { datetime: new Date(parseFloat(m.ts) * 1000).toISOString() }, fmtTime(m.ts)),
      ephemeral ? h("span", { class: "eph-note" }, "Only visible to you") : null,
      m.edited ? h("span", { class: "eph-note" }, "(edited)") : null),
    body,
    renderFiles(m),
    links.childNodes.length ? links : null));
  return art;
}

// Files shared in a message (files.completeUploadExternal): a link that downloads each.
function renderFiles(m) {
  if (!m.files || !m.files.length) return null;
  return h("div", { class: "files" }, m.files.map((f) => h("a", {
    class: "file", download: f.name,
    href: `/sandbox/files/${encodeURIComponent(f.id)}?user=${encodeURIComponent(ui.me)}`,
  }, `📄 ${f.title || f.name}`, h("span", { class: "file-meta" }, ` ${f.name} · ${f.size} bytes · download`))));
}

function channelItems(channelId) {
  const s = ui.state;
  const msgs = (s.messages[channelId] || []).filter(isTop);
  const eph = s.ephemerals.filter((e) => e.channel === channelId && !e.thread_ts);
  return [...msgs, ...eph].sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
}

function threadItems(channelId, root) {
  const s = ui.state;
  const all = s.messages[channelId] || [];
  const parent = all.find((m) => m.ts === root);
  const replies = all.filter((m) => m.thread_ts === root && m.ts !== root);
  const eph = s.ephemerals.filter((e) => e.channel === channelId && e.thread_ts === root);
  return { parent, replies: [...replies, ...eph].sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts)) };
}

function keepFocus(fn) {
  const active = document.activeElement;
  const key = active && active.dataset ? (active.dataset.key || active.dataset.thread) : null;
  const wasThread = active && active.dataset && active.dataset.thread;
  fn();
  if (key) {
    const sel = wasThread ? `[data-thread="${CSS.escape(key)}"]` : `[data-key="${CSS.escape(key)}"]`;
    const again = document.querySelector(sel);
    if (again) again.focus();
  }
}

/* Update a message list in place: unchanged messages keep their nodes (and focus), so
 * screen readers announce only what is new in the live region. */
function reconcile(box, items, renderFn, emptyNode) {
  const existing = new Map();
  for (const c of [...box.children]) {
    if (c.dataset && c.dataset.ts) existing.set(c.dataset.ts, c);
    else c.remove();
  }
  let prev = null;
  for (const m of items) {
    const sig = JSON.stringify(m);
    let node = existing.get(m.ts);
    if (!node || node.dataset.sig !== sig) {
      const fresh = renderFn(m);
      fresh.dataset.sig = sig;
      if (node) node.replaceWith(fresh);
      node = fresh;
    }
    existing.delete(m.ts);
    const want = prev ? prev.nextSibling : box.firstChild;
    if (node !== want) box.insertBefore(node, want);
    prev = node;
  }
  for (const n of existing.values()) n.remove();
  if (!items.length && emptyNode) box.append(emptyNode);
}

let lastMain = "";
let lastThread = "";
function render() {
  const s = ui.state;
  if (!s) return;
  if (!s.channels.some((c) => c.id === ui.channel)) {
    // the DM belongs to the person; private channels to their members
    ui.channel = ui.channel.startsWith("D") ? "D" + ui.me : "C0CONSULT";
    ui.thread = null;
  }
  localStorage.setItem("sandbox.channel", ui.channel);
  renderSidebar();
  const ch = s.channels.find((c) => c.id === ui.channel);
  const isApp = ch && ch.kind === "app";
  $("channel-title").textContent = isApp ? ch.name : (ch.is_private ? "🔒 " : "# ") + ch.name;
  $("tabs").hidden = !isApp;
  const showHome = isApp && ui.tab === "home";
  $("tab-home").setAttribute("aria-selected", String(showHome));
  $("tab-messages").setAttribute("aria-selected", String(!showHome));
  $("home-pane").hidden = !showHome;
  $("messages").hidden = showHome;
  $("composer").hidden = showHome;
  $("composer-input").placeholder = isApp ? "Message Boundary Consult" : `Message #${ch.name}`;
  $("composer-label").textContent = isApp ? "Message Boundary Consult" : `Message #${ch.name}`;
  if (showHome) {
    const home = s.home;
    $("home-pane").replaceChildren(home ? renderBlocks(home.blocks, { kind: "home", view_id: home.id }) : h("p", { class: "empty" }, "The app has not published a Home tab for you yet."));
  }

  const items = channelItems(ui.channel);
  const mainKey = JSON.stringify([ui.me, ui.channel, items, s.users]);
  if (mainKey !== lastMain) {
    lastMain = mainKey;
    const box = $("messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const empty = h("p", { class: "empty" }, isApp ? "This is your private conversation with the app. Try typing /boundary consult." : "No messages yet. Try /boundary help.");
    if (box.dataset.view !== `${ui.me}|${ui.channel}`) { box.replaceChildren(); box.dataset.view = `${ui.me}|${ui.channel}`; }
    keepFocus(() => reconcile(box, items, (m) => renderMessage(m), empty));
    if (ui.highlight) {
      const target = box.querySelector(`[data-ts="${CSS.escape(ui.highlight)}"]`);
      if (target) target.scrollIntoView({ block: "center" });
    } else if (atBottom || !renderedOnce) box.scrollTop = box.scrollHeight;
  }
  ui.seen[`${ui.me}|${ui.channel}`] = countFor(ui.channel);
  renderThread();
  renderModal();
  renderedOnce = true;
}
let renderedOnce = false;

function countFor(channelId) {
  const s = ui.state;
  return (s.messages[channelId] || []).length + s.ephemerals.filter((e) => e.channel === channelId).length;
}

function renderSidebar() {
  const s = ui.state;
  $("workspace-name").textContent = s.team.name;
  const sel = $("person");
  const peopleKey = JSON.stringify(s.people);
  if (sel.dataset.key !== peopleKey) {
    sel.dataset.key = peopleKey;
    sel.replaceChildren(...s.people.map((p) => h("option", { value: p.id }, `${p.name}`)));
  }
  sel.value = ui.me;
  const item = (c) => {
    const k = `${ui.me}|${c.id}`;
    if (ui.seen[k] === undefined) ui.seen[k] = countFor(c.id);
    const unread = c.id === ui.channel ? 0 : countFor(c.id) - ui.seen[k];
    const label = c.kind === "app" ? c.name : (c.is_private ? "🔒 " : "# ") + c.name;
    return h("li", {}, h("button", {
      type: "button", "aria-current": c.id === ui.channel ? "true" : null, class: unread > 0 ? "unread" : null,
      "data-channel": c.id,
      "aria-label": unread > 0 ? `${label}, ${unread} new` : label,
      // the app's DM is the current person's: read at the click, since a click can come
      // between a change of person and the sidebar's refresh for them (a stale "D<previous>")
      onclick: () => selectChannel(c.kind === "app" ? "D" + ui.me : c.id),
    }, h("span", {}, label), unread > 0 ? h("span", { class: "unread-count", "aria-hidden": "true" }, String(unread)) : null));
  };
  const chans = s.channels.filter((c) => c.kind === "channel");
  const apps = s.channels.filter((c) => c.kind === "app");
  const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.channel : null;
  $("channel-list").replaceChildren(...chans.map(item));
  $("app-list").replaceChildren(...apps.map(item));
  if (focusKey) { const b = document.querySelector(`[data-channel="${CSS.escape(focusKey)}"]`); if (b) b.focus(); }
  $("db-path").textContent = s.database ? ` (${s.database})` : "";
}

function renderThread() {
  const pane = $("thread");
  if (!ui.thread) { pane.hidden = true; lastThread = ""; $("thread-messages").replaceChildren(); return; }
  const { parent, replies } = threadItems(ui.channel, ui.thread);
  if (!parent) { ui.thread = null; pane.hidden = true; return; }
  pane.hidden = false;
  const key = JSON.stringify([ui.me, parent, replies]);
  if (key === lastThread) return;
  lastThread = key;
  $("thread-title").textContent = `Thread in ${channelName(ui.channel)}`;
  const box = $("thread-messages");
  if (box.dataset.view !== `${ui.me}|${ui.channel}|${ui.thread}`) { box.replaceChildren(); box.dataset.view = `${ui.me}|${ui.channel}|${ui.thread}`; }
  keepFocus(() => {
    reconcile(box, [parent, ...replies], (m) => renderMessage(m, { inThread: true }), null);
    box.querySelectorAll(".reply-divider").forEach((d) => d.remove());
    const first = box.firstElementChild;
    if (first) first.after(h("div", { class: "reply-divider", "aria-hidden": "true" }, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`));
  });
  box.scrollTop = box.scrollHeight;
}

function renderModal() {
  const dlg = $("modal");
  const views = ui.state.views || [];
  const top = views[views.length - 1];
  if (!top) {
    if (dlg.open) dlg.close();
    ui.renderedModal = "";
    return;
  }
  const key = `${top.id}:${top.hash}`;
  if (key !== ui.renderedModal) {
    ui.renderedModal = key;
    $("modal-title").textContent = plain(top.title);
    $("modal-submit").textContent = plain(top.submit) || "Submit";
    $("modal-submit").hidden = !top.submit;
    $("modal-close").textContent = plain(top.close) || "Cancel";
    $("modal-body").replaceChildren(...(top.blocks || []).map((b) => renderBlock(b, { kind: "view", view_id: top.id, modal: true })));
    $("modal-error").textContent = "";
    if (!dlg.open) dlg.showModal();
    const first = $("modal-body").querySelector("input, textarea, select, button");
    if (first) first.focus();
  }
  const serverErrors = (ui.state.view_errors || {})[top.id] || {};
  const clientErrors = ui.clientErrors.view === key ? ui.clientErrors.errors : {};
  showErrors({ ...serverErrors, ...clientErrors });
}

function showErrors(errors) {
  const body = $("modal-body");
  for (const blockEl of body.querySelectorAll(".input-block")) {
    const msg = errors[blockEl.dataset.blockId] || "";
    const err = blockEl.querySelector(".field-error");
    if (err.textContent !== msg) err.textContent = msg;
    const ctl = blockEl.querySelector("[data-block]");
    if (ctl) ctl.setAttribute("aria-invalid", msg ? "true" : "false");
  }
  const general = errors[""] || "";
  $("modal-error").textContent = general;
  const firstBad = body.querySelector('[aria-invalid="true"]');
  if (firstBad && !body.contains(document.activeElement)) {
    (firstBad.matches("fieldset") ? firstBad.querySelector("input") : firstBad).focus();
  }
}

// ---------------------------------------------------------------- actions
function setBusy(b) { document.body.setAttribute("aria-busy", b ? "true" : "false"); }

function selectChannel(id) {
  ui.channel = id;
  ui.thread = null;
  ui.highlight = null;
  ui.tab = "messages";
  if (location.pathname !== "/") history.replaceState(null, "", "/" + location.search);
  render();
  $("composer-input").focus();
}

function openThread(ts) {
  ui.thread = ts;
  lastThread = "";
  render();
  $("thread-input").focus();
}

async function send(text, threadTs) {
  setBusy(true);
  try {
    const res = await api("/sandbox/message", { user: ui.me, channel: ui.channel, text, thread_ts: threadTs || null });
    reportDelivery(res, text.startsWith("/") ? text.split(" ")[0] : "message");
  } finally { setBusy(false); }
  await refresh();
}

function bindComposer(formId, inputId, getThread) {
  const form = $(formId);
  const input = $(inputId);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    updateHints();
    await send(text, getThread());
    input.focus();
  });
  input.addEventListener("keydown", (ev) => {
    if (inputId === "composer-input" && mentionKey(ev)) return;
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); form.requestSubmit(); }
  });
}

// Slack's autocomplete after # and @ in a command with should_escape: pick a channel or a
// person; what is sent is the typed #name / @name, which the stand-in escapes as Slack does.
let mention = { items: [], index: 0, start: 0, end: 0 };

function escapedCommand(text) {
  const word = text.split(" ")[0];
  return ((ui.state && ui.state.commands) || []).some((c) => c.escape && c.command === word);
}

function mentionQuery(input) {
  const upto = input.value.slice(0, input.selectionStart);
  const m = upto.match(/(?:^|\s)([#@])([\w.\-]*)$/);
  if (!m || !escapedCommand(input.value)) return null;
  return { sigil: m[1], query: m[2].toLowerCase(), start: upto.length - m[2].length - 1, end: upto.length };
}

function mentionMatches(q) {
  const found = (ui.state && ui.state.mentions) || { channels: [], users: [] };
  if (q.sigil === "#") {
    return found.channels
      .filter((c) => c.name.toLowerCase().startsWith(q.query))
      .map((c) => ({ insert: `#${c.name}`, label: `#${c.name}`, detail: "" }));
  }
  return found.users
    .filter((u) => u.name.toLowerCase().startsWith(q.query) || u.real_name.toLowerCase().startsWith(q.query))
    .map((u) => ({ insert: `@${u.name}`, label: `@${u.name}`, detail: u.real_name }));
}

function pickMention(i) {
  const input = $("composer-input");
  const item = mention.items[i];
  if (!item) return;
  const v = input.value;
  input.value = v.slice(0, mention.start) + item.insert + " " + v.slice(mention.end);
  const at = mention.start + item.insert.length + 1;
  input.setSelectionRange(at, at);
  input.focus();
  updateHints();
}

function mentionKey(ev) {
  if (!mention.items.length) return false;
  if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    const n = mention.items.length;
    mention.index = (mention.index + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
  } else if (ev.key === "Enter" || ev.key === "Tab") {
    pickMention(mention.index);
  } else if (ev.key === "Escape") {
    mention.items = [];
  } else {
    return false;
  }
  ev.preventDefault();
  renderMentions();
  return true;
}

function renderMentions() {
  const list = $("mention-list");
  const input = $("composer-input");
  if (!mention.items.length) {
    list.hidden = true;
    list.replaceChildren();
    input.removeAttribute("aria-activedescendant");
    input.setAttribute("aria-expanded", "false");
    return;
  }
  list.hidden = false;
  input.setAttribute("aria-expanded", "true");
  list.replaceChildren(
    ...mention.items.map((item, i) =>
      h("li", {
        id: `mention-${i}`, role: "option", class: "mention-option", "aria-selected": i === mention.index ? "true" : "false",
        "data-insert": item.insert,
        onmousedown: (ev) => { ev.preventDefault(); pickMention(i); },
      }, h("strong", {}, item.label), item.detail ? h("span", { class: "mention-detail" }, " ", item.detail) : null)
    )
  );
  input.setAttribute("aria-activedescendant", `mention-${mention.index}`);
}

function updateHints() {
  const input = $("composer-input");
  const text = input.value;
  const box = $("command-hints");
  const q = ui.state ? mentionQuery(input) : null;
  const items = q ? mentionMatches(q).slice(0, 8) : [];
  mention = { items, index: 0, start: q ? q.start : 0, end: q ? q.end : 0 };
  renderMentions();
  if (!text.startsWith("/") || !ui.state) { box.replaceChildren(); return; }
  const word = text.split(" ")[0];
  const matches = ui.state.commands.filter((c) => c.command.startsWith(word) || word.startsWith(c.command));
  box.replaceChildren(
    ...matches.map((c) => h("div", {}, h("strong", {}, c.command), " — ", c.hint)),
    escapedCommand(text) ? h("div", { class: "mention-tip" }, "Type # for a channel or @ for a person, and pick from the list.") : null
  );
}

async function submitModal(ev) {
  ev.preventDefault();
  const views = ui.state.views || [];
  const top = views[views.length - 1];
  if (!top) return;
  const btn = $("modal-submit");
  btn.disabled = true;
  setBusy(true);
  try {
    ui.clientErrors = { view: "", errors: {} };
    const res = await api("/sandbox/submit", { user: ui.me, view_id: top.id, values: collectValues() });
    if (res._status === 422) ui.clientErrors = { view: `${top.id}:${top.hash}`, errors: res.errors || {} };
    if (res._status === 422 || (res.errors && Object.keys(res.errors).length)) showErrors(res.errors || {});
    else reportDelivery(res, "Submit");
  } finally { btn.disabled = false; setBusy(false); }
  await refresh();
}

async function closeModal() {
  const views = ui.state.views || [];
  const top = views[views.length - 1];
  if (top) await api("/sandbox/close", { user: ui.me, view_id: top.id });
  await refresh();
  if (!(ui.state.views || []).length) $("composer-input").focus();
}

async function resetSandbox() {
  if (!window.confirm("Reset the sandbox? Every message, post and setting made here is deleted.")) return;
  const before = ui.epoch;
  toast("Resetting the sandbox…");
  const res = await api("/sandbox/reset", {});
  if (res._status >= 400) { toast(res.error || "Reset failed"); return; }
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const data = await api(`/sandbox/state?user=${encodeURIComponent(ui.me)}`);
      if (data._status === 200 && data.epoch > before) {
        ui.state = data; ui.epoch = data.epoch; ui.seen = {}; ui.thread = null; lastMain = ""; lastThread = "";
        render();
        toast("The sandbox was reset.");
        connectEvents();
        return;
      }
    } catch (e) { /* restarting */ }
  }
  toast("The sandbox did not come back; reload the page.");
}

// ---------------------------------------------------------------- events
let source = null;
let pollTimer = null;
function connectEvents() {
  if (source) source.close();
  source = new EventSource("/sandbox/events");
  source.addEventListener("hello", () => refresh());
  source.addEventListener("change", () => refresh());
  source.onerror = () => { /* EventSource reconnects by itself; poll meanwhile */ };
  clearInterval(pollTimer);
  pollTimer = setInterval(() => { if (!source || source.readyState !== 1) refresh(); }, 2000);
}

function init() {
  $("person").addEventListener("change", (ev) => {
    const prev = ui.me;
    ui.me = ev.target.value;
    localStorage.setItem("sandbox.me", ui.me);
    if (ui.channel === "D" + prev) ui.channel = "D" + ui.me;
    ui.thread = null;
    ui.renderedModal = "";
    lastMain = ""; lastThread = "";
    toast(`You are now ${ev.target.selectedOptions[0].textContent}`);
    refresh();
  });
  bindComposer("composer", "composer-input", () => null);
  bindComposer("thread-composer", "thread-input", () => ui.thread);
  $("composer-input").addEventListener("input", updateHints);
  $("composer-input").addEventListener("click", updateHints);
  $("composer-input").addEventListener("blur", () => { mention.items = []; renderMentions(); });
  $("close-thread").addEventListener("click", () => { const t = ui.thread; ui.thread = null; render(); const b = document.querySelector(`[data-thread="${CSS.escape(t)}"]`); if (b) b.focus(); });
  $("modal-form").addEventListener("submit", submitModal);
  $("modal-close").addEventListener("click", closeModal);
  $("modal-x").addEventListener("click", closeModal);
  $("modal").addEventListener("cancel", (ev) => { ev.preventDefault(); closeModal(); });
  $("reset").addEventListener("click", resetSandbox);
  $("tab-home").addEventListener("click", async () => { ui.tab = "home"; render(); await api("/sandbox/home", { user: ui.me }); refresh(); });
  $("tab-messages").addEventListener("click", () => { ui.tab = "messages"; render(); });
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest && ev.target.closest("a[href]");
    if (!a) return;
    const url = new URL(a.href, location.href);
    const m = url.origin === location.origin && url.pathname.match(/^\/archives\/([^/]+)\/p(\d+)$/);
    if (!m) return;
    ev.preventDefault();
    ui.channel = m[1];
    ui.highlight = m[2].slice(0, -6) + "." + m[2].slice(-6);
    ui.thread = url.searchParams.get("thread_ts") || null;
    ui.tab = "messages";
    lastMain = ""; lastThread = "";
    $("messages").dataset.view = "";
    render();
  });
  connectEvents();
  refresh();
}

document.addEventListener("DOMContentLoaded", init);
