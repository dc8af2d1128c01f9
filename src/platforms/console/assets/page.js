// The local console's behaviour: choose a person, read their history, follow it live (Server-Sent Events), type
// commands, attach files, press card buttons (asking first where the card says so, with a text box where it asks for a
// reason), and optionally watch a second person beside. While the service cannot be reached a banner says so, until
// it can again. Every word shown is Chinese.
'use strict';

// The page's own token (served inside it): every API call carries it, so another site's page cannot act here.
const token = document.querySelector('meta[name="console-token"]').content;

const UNREACHABLE = '无法连接服务，请检查服务是否在运行';
const RECONNECTING = '连接已断开，正在重连…';

/** The page's link to the service: lost while a stream is down or a request found no service; one banner for all. */
const link = {
  lost: new Map(),
  down(what, text = RECONNECTING) {
    this.lost.set(what, text);
    this.show();
  },
  up(what) {
    if (this.lost.delete(what)) this.show();
  },
  show() {
    const banner = document.getElementById('offline');
    const texts = [...new Set(this.lost.values())];
    banner.textContent = texts.join(' ');
    banner.hidden = texts.length === 0;
  },
};

/** An API call; its error's message is Chinese, and `status` is absent when the service could not be reached. */
const api = (path, body) =>
  fetch(
    `/console/api/${path}`,
    body === undefined
      ? { headers: { 'x-console-token': token } }
      : { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': token }, body: JSON.stringify(body) },
  ).then(
    async (res) => {
      link.up('api');
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw Object.assign(new Error(data.error || `请求失败（${res.status}）`), { status: res.status });
      return data;
    },
    () => {
      // The browser's own words (Failed to fetch) are not for the person at the page.
      link.down('api');
      throw new Error(UNREACHABLE);
    },
  );

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Markdown as cards use it: **bold**, lines starting with "- " as a list, line breaks. Escaped first. */
function markdown(text) {
  const out = [];
  let list = false;
  for (const line of escapeHtml(text).split('\n')) {
    const bold = (s) => s.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
    if (/^- /.test(line)) {
      if (!list) out.push('<ul>');
      list = true;
      out.push(`<li>${bold(line.slice(2))}</li>`);
      continue;
    }
    if (list) out.push('</ul>');
    list = false;
    out.push(`${bold(line)}<br>`);
  }
  if (list) out.push('</ul>');
  return out.join('');
}

/** A message's time of day in the service's time zone (as its cards write times). */
let tz = 'Asia/Shanghai';
const hhmm = (ms) => new Date(ms).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: tz });

/** A size as the service writes it: 834 B, 12 KB, 1.2 MB. */
const sizeText = (n) => (n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(n < 10485760 ? 1 : 0)} MB`);
/** Pictures the page shows; any other file is a download link only. */
const SHOWN = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** A file's kind as an office reads it: a short badge, a Chinese word, a colour; from its type, else its name. */
function kindOf(f) {
  const ext = (/\.([A-Za-z0-9]{1,5})$/.exec(f.name)?.[1] ?? '').toLowerCase();
  const is = (mime, ...exts) => f.mime === mime || exts.includes(ext);
  if (f.mime.startsWith('image/')) return { badge: '图', label: '图片', tone: 'image' };
  if (is('application/pdf', 'pdf')) return { badge: 'PDF', label: 'PDF 文件', tone: 'pdf' };
  if (is('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', 'xls', 'et', 'csv') || f.mime === 'application/vnd.ms-excel')
    return { badge: 'XLS', label: 'Excel 表格', tone: 'sheet' };
  if (is('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx', 'doc', 'wps') || f.mime === 'application/msword')
    return { badge: 'DOC', label: 'Word 文档', tone: 'doc' };
  if (is('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx', 'ppt') || f.mime === 'application/vnd.ms-powerpoint')
    return { badge: 'PPT', label: '演示文稿', tone: 'slides' };
  if (is('application/zip', 'zip', 'rar', '7z')) return { badge: 'ZIP', label: '压缩包', tone: 'other' };
  if (is('text/plain', 'txt')) return { badge: 'TXT', label: '文本文件', tone: 'other' };
  return { badge: ext ? ext.toUpperCase().slice(0, 4) : '文件', label: '文件', tone: 'other' };
}
/** What the service keeps of one file (20 MB): said here before sending more. */
const MAX_FILE = 20 * 1024 * 1024;

/** A file's bytes as base64, for the JSON the console's API takes. */
const base64 = (file) =>
  new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).slice(String(r.result).indexOf(',') + 1));
    r.onerror = () => reject(new Error('无法读取该文件'));
    r.readAsDataURL(file);
  });

let people = [];
let issuer = '督查助手';
let guide = [];
const nameOf = (id) => people.find((p) => p.id === id)?.name ?? id;

/**
 * Asks before a deliberate press, with a text box when the button asks for text (a reason); resolves
 * { ok, value }: ok for 确定, value what was typed. A required box left empty keeps the dialog open, saying so.
 */
function ask({ title, text, input }) {
  const box = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  const field = document.getElementById('confirm-field');
  const area = document.getElementById('confirm-input');
  const hint = document.getElementById('confirm-hint');
  field.hidden = !input;
  hint.hidden = true;
  area.value = '';
  if (input) {
    document.getElementById('confirm-label').textContent = input.label;
    area.placeholder = input.placeholder;
    area.maxLength = input.maxLength;
  }
  box.hidden = false;
  const yes = document.getElementById('confirm-yes');
  const no = document.getElementById('confirm-no');
  (input ? area : yes).focus();
  return new Promise((resolve) => {
    const done = (ok) => {
      box.hidden = true;
      yes.onclick = no.onclick = box.onkeydown = area.oninput = null;
      resolve({ ok, value: area.value });
    };
    area.oninput = () => {
      hint.hidden = true;
    };
    yes.onclick = () => {
      if (input && input.required && !area.value.trim()) {
        hint.textContent = `请填写${input.label}`;
        hint.hidden = false;
        area.focus();
        return;
      }
      done(true);
    };
    no.onclick = () => done(false);
    box.onkeydown = (e) => e.key === 'Escape' && done(false);
  });
}

/** One chat pane: a person, their messages, a stream, a compose box. */
class Pane {
  constructor(root, select, param) {
    this.root = root;
    this.select = select;
    this.param = param;
    this.log = root.querySelector('.log');
    this.toasts = root.querySelector('.toasts');
    this.box = root.querySelector('textarea');
    this.person = '';
    this.seen = new Map();
    this.source = null;
    this.retry = undefined;
    select.addEventListener('change', () => this.show(select.value));
    root.querySelector('.compose').addEventListener('submit', (e) => {
      e.preventDefault();
      this.send();
    });
    const input = root.querySelector('.attach-input');
    root.querySelector('.attach').addEventListener('click', () => input.click());
    input.addEventListener('change', () => {
      const file = input.files[0];
      input.value = '';
      if (file) this.attach(file);
    });
    this.box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.send();
      }
    });
  }

  fill() {
    // Grouped as the service lists them (the office, then each unit); an option reads as the person's name, the role
    // is shown beside the list (and in the option only for a shared name).
    const shared = (p) => people.filter((q) => q.name === p.name).length > 1;
    const option = (p) => `<option value="${escapeHtml(p.id)}" title="${escapeHtml(p.role)}">${escapeHtml(p.name)}${shared(p) ? `（${escapeHtml(p.role)}）` : ''}</option>`;
    const groups = [...new Set(people.map((p) => p.group))];
    this.select.innerHTML = groups
      .map((g) => `<optgroup label="${escapeHtml(g)}">${people.filter((p) => p.group === g).map(option).join('')}</optgroup>`)
      .join('');
  }

  async show(person) {
    this.person = person;
    this.select.value = person;
    this.root.querySelector('.role').textContent = people.find((p) => p.id === person)?.role ?? '';
    const url = new URL(location.href);
    url.searchParams.set(this.param, person);
    history.replaceState(null, '', url);
    this.seen.clear();
    this.log.innerHTML = '';
    this.connect();
  }

  /** Follows the person's messages live; while the stream is down the banner says so, and it comes back by itself. */
  connect() {
    const person = this.person;
    this.close();
    // EventSource cannot send a header: the token goes in the address.
    const source = new EventSource(`/console/api/stream?person=${encodeURIComponent(person)}&token=${encodeURIComponent(token)}`);
    this.source = source;
    source.addEventListener('open', () => {
      link.up(this.param);
      // First open, or back after a drop: read the history (what the stream missed is in it).
      if (this.person === person) this.reload();
    });
    source.addEventListener('error', () => {
      if (source !== this.source) return;
      link.down(this.param);
      // A dropped stream is retried by the browser; one it gave up on (the service away, or refusing), by us.
      if (source.readyState === EventSource.CLOSED) this.retry = setTimeout(() => this.reconnect(person), 3000);
    });
    source.addEventListener('message', (e) => this.put(JSON.parse(e.data)));
    source.addEventListener('update', (e) => this.put(JSON.parse(e.data)));
  }

  /** Asks the service first: unreachable or busy, try again later; refusing (a stale page), say why and stop. */
  async reconnect(person) {
    if (this.person !== person || this.root.hidden) return;
    try {
      await api(`messages?person=${encodeURIComponent(person)}`);
      this.connect();
    } catch (err) {
      if (err.status >= 400 && err.status < 500) link.down(this.param, err.message);
      else this.retry = setTimeout(() => this.reconnect(person), 3000);
    }
  }

  /** Stops following (another person chosen, or the pane closed). */
  close() {
    clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
    link.up(this.param);
  }

  async reload() {
    const person = this.person;
    try {
      const { messages } = await api(`messages?person=${encodeURIComponent(person)}`);
      if (person !== this.person) return;
      for (const m of messages) this.put(m, false);
      this.emptyState();
      this.scroll();
    } catch (err) {
      this.toast('error', err.message);
    }
  }

  emptyState() {
    const empty = this.log.querySelector('.empty');
    if (this.seen.size > 0) return empty?.remove();
    if (empty) return;
    const div = document.createElement('div');
    div.className = 'empty';
    div.innerHTML = `<p>${escapeHtml(nameOf(this.person))}还没有消息。先试试：</p>${guide.map((g) => `<p>${escapeHtml(g)}</p>`).join('')}`;
    this.log.append(div);
  }

  /** Adds a message in order, or redraws the one with the same id in place. */
  put(m, scroll = true) {
    const node = this.render(m);
    const old = this.seen.get(m.id);
    if (old) {
      old.node.replaceWith(node);
      this.seen.set(m.id, { seq: m.seq, node });
      return;
    }
    this.seen.set(m.id, { seq: m.seq, node });
    const after = [...this.log.querySelectorAll('[data-testid="message"]')].find((n) => Number(n.dataset.seq) > m.seq);
    if (after) this.log.insertBefore(node, after);
    else this.log.append(node);
    this.emptyState();
    if (scroll) this.scroll();
  }

  scroll() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  render(m) {
    const wrap = document.createElement('div');
    wrap.className = `msg ${m.from === 'me' ? 'me' : 'bot'}`;
    wrap.dataset.testid = 'message';
    wrap.setAttribute('data-testid', 'message');
    wrap.dataset.id = m.id;
    wrap.dataset.seq = m.seq;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.innerHTML = `${escapeHtml(m.from === 'me' ? nameOf(this.person) : issuer)} · ${hhmm(m.at)}${m.urgent ? '<span class="urgent">加急</span>' : ''}`;
    wrap.append(meta);
    if (m.kind === 'text') {
      const b = document.createElement('div');
      b.className = 'bubble';
      b.textContent = m.text;
      wrap.append(b);
    } else if (m.kind === 'file') {
      wrap.append(this.file(m));
    } else {
      wrap.append(this.card(m));
    }
    return wrap;
  }

  /**
   * A file: a picture drawn at a readable size; under it (or alone, for a document) the file's name, its kind in
   * Chinese and its size, and one 下载 link that saves it under its name.
   */
  file(m) {
    const f = m.file;
    const url = `/console/api/file?person=${encodeURIComponent(this.person)}&message=${encodeURIComponent(m.id)}&token=${encodeURIComponent(token)}`;
    const box = document.createElement('div');
    box.className = `bubble file${SHOWN.includes(f.mime) ? ' picture' : ''}`;
    box.setAttribute('data-testid', 'file');
    if (SHOWN.includes(f.mime)) {
      const img = document.createElement('img');
      img.src = url;
      img.alt = f.name;
      box.append(img);
    }
    const kind = kindOf(f);
    const row = document.createElement('div');
    row.className = 'file-row';
    row.innerHTML =
      `<span class="file-badge ${kind.tone}" aria-hidden="true">${escapeHtml(kind.badge)}</span>` +
      `<span class="file-text"><span class="file-name">${escapeHtml(f.name)}</span><span class="file-sub">${escapeHtml(kind.label)} · ${sizeText(f.size)}</span></span>`;
    const a = document.createElement('a');
    a.className = 'file-get';
    a.href = url;
    a.download = f.name;
    a.textContent = '下载';
    a.title = `下载「${f.name}」`;
    a.setAttribute('aria-label', `下载 ${f.name}（${sizeText(f.size)}）`);
    row.append(a);
    box.append(row);
    return box;
  }

  async attach(file) {
    if (file.size > MAX_FILE) return this.toast('error', `文件「${file.name}」超过 20 MB，未能发送。请压缩或拆分后重新发送。`);
    try {
      await api('upload', { person: this.person, name: file.name, data: await base64(file) });
    } catch (err) {
      this.toast('error', err.message);
    }
  }

  card(m) {
    const c = m.card;
    const el = document.createElement('div');
    el.className = `card ${['red', 'orange', 'blue', 'green', 'grey'].includes(c.color) ? c.color : 'blue'}`;
    el.setAttribute('data-testid', 'card');
    el.innerHTML =
      `<div class="head"><strong>${escapeHtml(c.title)}</strong>${c.subtitle ? `<small>${escapeHtml(c.subtitle)}</small>` : ''}</div>` +
      (c.fields.length ? `<dl class="fields">${c.fields.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('')}</dl>` : '') +
      (c.body ? `<div class="body">${markdown(c.body)}</div>` : '');
    if (c.buttons.length) {
      const row = document.createElement('div');
      row.className = 'buttons';
      for (const b of c.buttons) {
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.className = b.style === 'primary' ? 'primary' : b.style === 'danger' ? 'danger' : 'plain';
        btn.textContent = b.text;
        btn.addEventListener('click', () => this.press(btn, b, m.id));
        row.append(btn);
      }
      el.append(row);
    } else {
      const pad = document.createElement('div');
      pad.className = 'spacer';
      el.append(pad);
    }
    if (c.note) {
      const note = document.createElement('div');
      note.className = 'note';
      note.textContent = c.note;
      el.append(note);
    }
    return el;
  }

  async press(btn, b, messageId) {
    let input;
    if (b.confirm || b.input) {
      const answer = await ask({ title: b.confirm ? b.confirm.title : b.text, text: b.confirm ? b.confirm.text : '', input: b.input });
      if (!answer.ok) return;
      if (b.input) input = { [b.input.name]: answer.value };
    }
    btn.disabled = true;
    try {
      const { toast } = await api('press', { person: this.person, token: b.token, messageId, ...(input ? { input } : {}) });
      if (toast) this.toast(toast.kind, toast.text);
    } catch (err) {
      this.toast('error', err.message);
    } finally {
      btn.disabled = false;
    }
  }

  async send() {
    const text = this.box.value.trim();
    if (!text) return;
    this.box.value = '';
    try {
      await api('send', { person: this.person, text });
    } catch (err) {
      this.box.value = text;
      this.toast('error', err.message);
    }
  }

  toast(kind, text) {
    const t = document.createElement('div');
    t.className = `toast ${kind}`;
    t.setAttribute('role', 'status');
    t.textContent = text;
    this.toasts.append(t);
    setTimeout(() => t.remove(), kind === 'error' ? 6000 : 3500);
  }
}

async function main() {
  const main = new Pane(document.getElementById('pane-main'), document.getElementById('person'), 'person');
  const other = new Pane(document.getElementById('pane-other'), document.getElementById('other'), 'with');
  try {
    ({ people, issuer, guide, tz } = await api('people'));
  } catch (err) {
    main.toast('error', err.message);
    return;
  }
  document.getElementById('issuer').textContent = issuer;
  document.querySelector('#guide ol').innerHTML = guide.map((g) => `<li>${escapeHtml(g)}</li>`).join('');
  main.fill();
  other.fill();
  const params = new URL(location.href).searchParams;
  const known = (id) => people.some((p) => p.id === id);
  main.show(known(params.get('person')) ? params.get('person') : people[0]?.id ?? '');

  const split = document.getElementById('split');
  const open = (person) => {
    other.root.hidden = false;
    split.hidden = true;
    other.show(person);
  };
  split.addEventListener('click', () => open(people.find((p) => p.id !== main.person && /一把手/.test(p.role))?.id ?? people[1]?.id ?? main.person));
  document.getElementById('unsplit').addEventListener('click', () => {
    other.close();
    other.root.hidden = true;
    split.hidden = false;
    const url = new URL(location.href);
    url.searchParams.delete('with');
    history.replaceState(null, '', url);
  });
  if (known(params.get('with'))) open(params.get('with'));

  document.getElementById('seed').addEventListener('click', async (e) => {
    e.target.disabled = true;
    try {
      main.toast('success', (await api('seed', {})).text);
    } catch (err) {
      main.toast('error', err.message);
    } finally {
      e.target.disabled = false;
    }
  });
}

main();
