/**
 * The agent console: a queue of shoppers waiting for a person, their conversations, and the
 * tickets with their state machines, all kept live from `GET /v1/agent/events`.
 * Plain ES module, no build step. Every text from the network is set with `textContent`.
 */
import { ticketFlows } from '/demo/ticket-flows.js';

const TOKEN_KEY = 'kefu-agent-token';
const WAITING = new Set(['queued', 'agent']);
const TYPING_EVERY_MS = 3000;
const MAX_BACKOFF_MS = 30_000;

const $ = (id) => document.getElementById(id);
const state = {
  token: '',
  /** id → AgentConversation, waiting for a person (queued or with an agent). */
  conversations: new Map(),
  /** id → AgentTicket */
  tickets: new Map(),
  /** id → Alert (open ones: low ratings waiting for an agent) */
  alerts: new Map(),
  /** What the detail pane shows: { type: 'conversation' | 'ticket', id } */
  open: null,
  /** Messages of the open conversation, by id (events and the history load may overlap). */
  messages: new Map(),
  stream: null,
  lastEventId: '',
  typingAt: 0,
};

/** The statuses an agent may move a ticket to next (the same data the server enforces). */
function nextStatuses(kind, from) {
  return Object.entries(ticketFlows[kind]?.[from] ?? {}).filter(([, who]) => who === 'agent').map(([to]) => to);
}

// --- small DOM helpers: text only ---------------------------------------------------------------
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== 'string') node[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}
const label = (text) => text.replace(/_/g, ' ');
const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const timeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat('en', { timeStyle: 'short' });
const when = (iso) => (iso ? timeFormat.format(new Date(iso)) : '');
const money = (m) => (m ? new Intl.NumberFormat('en', { style: 'currency', currency: m.currency }).format(m.amount / 100) : '');
function shopperName(shopper) {
  if (shopper?.user) return shopper.user.name || shopper.user.email || shopper.user.id;
  return `Visitor ${(shopper?.visitorId ?? shopper?.owner ?? '').replace(/^v[:_]/i, '').slice(0, 8)}`;
}
/** System messages carry a code; the console says what it means. */
const SYSTEM_TEXT = { handoff_queued: 'Asked for a person — waiting in the queue' };
const messageText = (m) => (m.author === 'system' ? SYSTEM_TEXT[m.text] ?? m.text : m.text);
/**
 * Redraws a live list without losing the keyboard focus: a button focused before the redraw is
 * focused again in the new list (by its item's id), so live updates never throw an agent back to the top.
 */
function redraw(list, items) {
  const focused = list.contains(document.activeElement) ? document.activeElement.closest('li')?.dataset.id : undefined;
  list.replaceChildren(...items);
  if (focused) list.querySelector(`li[data-id="${CSS.escape(focused)}"] button`)?.focus();
}
function announce(text) {
  const region = $('announcer');
  region.textContent = '';
  // A fresh node so screen readers announce the same words twice in a row too.
  region.append(el('span', { text }));
}

// --- HTTP -----------------------------------------------------------------------------------------
class ProblemResponse extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
  }
}
async function api(method, path, body, idempotencyKey) {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${state.token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) setConnection('error', 'The agent token was refused');
    throw new ProblemResponse(response.status, data);
  }
  return data;
}

/**
 * A create (a reply, a follow-up) with its Idempotency-Key: the key lives until the server has
 * answered 2xx or refused the request, so sending the same thing again after a lost answer or a
 * 5xx reuses it and the server stores it once; an edited text is another request with a new key.
 */
const createKeys = new Map();
async function createOnce(path, body) {
  const request = `${path}\n${JSON.stringify(body)}`;
  if (!createKeys.has(request)) createKeys.set(request, crypto.randomUUID());
  try {
    const created = await api('POST', path, body, createKeys.get(request));
    createKeys.delete(request);
    return created;
  } catch (error) {
    // Refused (4xx other than 408/429): nothing was stored, and the same key would only be refused again.
    if (error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) createKeys.delete(request);
    throw error;
  }
}

// --- connection and the event stream ------------------------------------------------------------
function setConnection(kind, text) {
  const node = $('connection');
  node.dataset.state = kind;
  node.textContent = text;
}

/**
 * Reads the console's SSE feed with `fetch` (an EventSource cannot send the bearer header),
 * resuming from `Last-Event-ID` after a drop, with exponential backoff and jitter.
 * `onOpen` runs once the server has answered, so a list read after it misses no event.
 */
function openStream(onOpen) {
  const controller = new AbortController();
  let failures = 0;
  let stopped = false;
  async function connect() {
    let opened = false;
    try {
      const headers = { Authorization: `Bearer ${state.token}`, Accept: 'text/event-stream' };
      if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
      const response = await fetch('/v1/agent/events', { headers, signal: controller.signal, cache: 'no-store' });
      if (response.status === 401) {
        setConnection('error', 'The agent token was refused');
        stopped = true;
        return;
      }
      if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
      opened = true;
      failures = 0;
      setConnection('open', 'Live');
      await onOpen();
      await readEvents(response.body);
    } catch (error) {
      if (controller.signal.aborted) return;
      console.warn('[console] event stream', error);
    }
    if (stopped || controller.signal.aborted) return;
    if (!opened) failures++;
    setConnection('closed', 'Reconnecting…');
    const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures);
    setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }
  void connect();
  return () => {
    stopped = true;
    controller.abort();
  };
}

async function readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let id = '';
      let data = '';
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5).replace(/^ /, '');
      }
      if (id) state.lastEventId = id;
      if (!data) continue;
      try {
        handleEvent(JSON.parse(data));
      } catch (error) {
        console.error('[console] bad event', error);
      }
    }
  }
}

function handleEvent(event) {
  if (event.type === 'conversation') upsertConversation(event.conversation, true);
  else if (event.type === 'message') onMessage(event.conversationId, event.message);
  else if (event.type === 'ticket') upsertTicket(event.ticket, event.change);
  else if (event.type === 'alert') upsertAlert(event.alert, true);
}

// --- queue ---------------------------------------------------------------------------------------
const newer = (a, b) => !a || Date.parse(b.updatedAt) >= Date.parse(a.updatedAt);

function upsertConversation(conversation, live = false) {
  const known = state.conversations.get(conversation.id);
  if (!newer(known, conversation)) return;
  if (WAITING.has(conversation.status)) {
    state.conversations.set(conversation.id, { ...known, ...conversation, lastMessage: conversation.lastMessage ?? known?.lastMessage });
    if (live && !known && conversation.status === 'queued') announce(`New in the queue: ${shopperName(conversation.shopper)}`);
  } else {
    state.conversations.delete(conversation.id);
  }
  renderQueue();
  if (state.open?.type === 'conversation' && state.open.id === conversation.id) renderConversationHead(conversation);
}

function onMessage(conversationId, message) {
  const known = state.conversations.get(conversationId);
  if (known) {
    known.lastMessage = message;
    renderQueue();
  }
  if (state.open?.type === 'conversation' && state.open.id === conversationId) {
    addMessages([message]);
    if (message.author === 'shopper') markRead(conversationId);
  }
}

/** The agent has seen the open conversation: the shopper's widgets show "Read" under their message. */
function markRead(id) {
  if (document.visibilityState !== 'visible') return;
  api('POST', `/v1/agent/conversations/${encodeURIComponent(id)}/read`).catch(() => undefined); // Best effort: the next look marks it.
}

function renderQueue() {
  const items = [...state.conversations.values()].sort(
    (a, b) => (a.status === b.status ? 0 : a.status === 'queued' ? -1 : 1) || Date.parse(a.updatedAt) - Date.parse(b.updatedAt),
  );
  redraw($('queue'), items.map((c) => {
    const current = state.open?.type === 'conversation' && state.open.id === c.id;
    return el('li', { 'data-id': c.id },
      el('button', {
        type: 'button', class: 'item', 'aria-current': current ? 'true' : null,
        onclick: () => openConversation(c.id),
      },
      el('span', { class: 'item-title', text: shopperName(c.shopper) }),
      el('span', { class: `pill ${c.status}`, text: c.status === 'queued' ? 'waiting' : 'with agent' }),
      el('span', { class: 'item-sub', text: c.lastMessage ? messageText(c.lastMessage) : 'No messages yet' }),
      el('span', { class: 'item-time', text: clock.format(new Date(c.updatedAt)) })));
  }));
  $('queue-count').textContent = String(items.length);
  $('queue-empty').hidden = items.length > 0;
}

// --- a conversation -------------------------------------------------------------------------------
function showPane(which) {
  $('placeholder').hidden = which !== null;
  $('conversation').hidden = which !== 'conversation';
  $('ticket').hidden = which !== 'ticket';
  $('alert').hidden = which !== 'alert';
}

/** Every list shows which item the detail pane has open. */
function renderLists() {
  renderAlerts();
  renderQueue();
  renderTickets();
}

async function openConversation(id) {
  state.open = { type: 'conversation', id };
  state.messages = new Map();
  $('messages').replaceChildren();
  $('reply-error').textContent = '';
  const conversation = state.conversations.get(id);
  if (conversation) renderConversationHead(conversation);
  showPane('conversation');
  renderLists();
  $('reply-text').focus();
  try {
    let after = '';
    for (;;) {
      const page = await api('GET', `/v1/agent/conversations/${encodeURIComponent(id)}/messages${after ? `?after=${encodeURIComponent(after)}` : ''}`);
      if (state.open?.id !== id) return;
      addMessages(page.messages);
      if (!page.next || page.messages.length === 0) break;
      after = page.next;
    }
    markRead(id);
  } catch (error) {
    $('reply-error').textContent = `Could not load the messages: ${error.message}`;
  }
}

function renderConversationHead(conversation) {
  const shopper = conversation.shopper;
  $('conversation-title').textContent = shopperName(shopper);
  const who = shopper?.user ? [shopper.user.email].filter(Boolean) : ['Anonymous visitor'];
  $('conversation-meta').textContent = [...who, `status: ${conversation.status}`, `since ${when(conversation.createdAt)}`].join(' · ');
  const context = conversation.context ?? {};
  const facts = [
    ['Page', context.page], ['Product', context.productId], ['Order', context.orderId],
    ['Device', context.device], ['Language', context.locale], ['Tags', context.tags?.join(', ')],
  ].filter(([, value]) => value);
  $('conversation-context').replaceChildren(...(facts.length
    ? facts.flatMap(([name, value]) => [el('dt', { text: name }), el('dd', { text: value })])
    : [el('dt', { text: 'Context' }), el('dd', { text: 'None sent' })]));
  const closed = conversation.status === 'closed';
  $('close-conversation').disabled = closed;
  $('reply-text').disabled = closed;
}

/**
 * An upload (a chat image, ticket evidence), fetched once with the agent token: its bytes, the name
 * it was uploaded with (Content-Disposition) and an object URL to download it by.
 */
const uploads = new Map();
function fetchUpload(id) {
  if (!uploads.has(id)) {
    uploads.set(id, fetch(`/v1/agent/uploads/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${state.token}` } })
      .then(async (response) => {
        if (!response.ok) throw new ProblemResponse(response.status, null);
        const name = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get('Content-Disposition') || '')?.[1];
        const blob = await response.blob();
        return { blob, name: name ? decodeURIComponent(name) : id, url: URL.createObjectURL(blob) };
      }));
    uploads.get(id).catch(() => uploads.delete(id)); // Tried again when next shown.
  }
  return uploads.get(id);
}

/**
 * One attachment: a link that downloads it and, for an image, the image drawn on a canvas (the
 * console's CSP allows no blob: image, and the bytes need the agent token anyway).
 */
function attachment(id) {
  const canvas = el('canvas', { class: 'thumb', role: 'img', 'aria-label': 'Image', hidden: true });
  const link = el('a', { class: 'file', href: '#', text: `Loading ${id}…` });
  fetchUpload(id).then(async ({ blob, name, url }) => {
    Object.assign(link, { href: url, download: name, textContent: name });
    if (!blob.type.startsWith('image/')) return;
    const bitmap = await createImageBitmap(blob);
    const scale = Math.min(1, 240 / bitmap.width, 180 / bitmap.height);
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    canvas.setAttribute('aria-label', name);
    canvas.hidden = false;
  }).catch(() => (link.textContent = `${id} (could not be loaded)`));
  return el('span', { class: 'attachment' }, canvas, link);
}
const attachments = (ids) => (ids?.length ? el('div', { class: 'attachments' }, ...ids.map(attachment)) : null);

function addMessages(messages) {
  for (const message of messages) state.messages.set(message.id, message);
  const sorted = [...state.messages.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const list = $('messages');
  const log = $('messages-log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  list.replaceChildren(...sorted.map((m) =>
    el('li', { class: `msg ${m.author}`, 'data-id': m.id },
      el('span', { class: 'who', text: m.author === 'shopper' ? 'Shopper' : m.author === 'agent' ? 'You' : m.author === 'bot' ? 'Bot' : 'System' }),
      el('p', { text: messageText(m) }),
      attachments(m.attachmentIds),
      el('time', { datetime: m.createdAt, text: clock.format(new Date(m.createdAt)) }))));
  if (atBottom || messages.some((m) => m.author === 'agent')) log.scrollTop = log.scrollHeight;
}

async function sendReply(event) {
  event.preventDefault();
  const input = $('reply-text');
  const text = input.value.trim();
  if (!text || state.open?.type !== 'conversation') return;
  const id = state.open.id;
  const button = event.submitter ?? $('reply').querySelector('button');
  button.disabled = true;
  $('reply-error').textContent = '';
  try {
    const message = await createOnce(`/v1/agent/conversations/${encodeURIComponent(id)}/messages`, { text });
    input.value = '';
    state.typingAt = 0;
    if (state.open?.id === id) addMessages([message]);
  } catch (error) {
    $('reply-error').textContent = error.status === 409 ? 'This conversation is closed; the reply was not sent.' : `Not sent: ${error.message}`;
  } finally {
    button.disabled = false;
    input.focus();
  }
}

/** Tells the shopper the agent is typing, at most once every few seconds. */
function typing() {
  if (state.open?.type !== 'conversation' || !$('reply-text').value) return;
  const now = Date.now();
  if (now - state.typingAt < TYPING_EVERY_MS) return;
  state.typingAt = now;
  api('POST', `/v1/agent/conversations/${encodeURIComponent(state.open.id)}/typing`).catch(() => undefined); // Best effort.
}

async function closeConversation() {
  if (state.open?.type !== 'conversation') return;
  $('reply-error').textContent = '';
  try {
    const conversation = await api('POST', `/v1/agent/conversations/${encodeURIComponent(state.open.id)}/close`);
    renderConversationHead(conversation);
    upsertConversation(conversation);
    announce('Conversation closed');
  } catch (error) {
    $('reply-error').textContent = `Could not close: ${error.message}`;
  }
}

// --- tickets ----------------------------------------------------------------------------------------
const overdue = (ticket) => ticket.dueAt && Date.parse(ticket.dueAt) < Date.now() && nextStatuses(ticket.kind, ticket.status).length > 0;

function upsertTicket(ticket, change) {
  const known = state.tickets.get(ticket.id);
  if (!newer(known, ticket)) return;
  state.tickets.set(ticket.id, ticket);
  if (change === 'created' && !known) announce(`New ${ticket.kind} from ${shopperName(ticket.shopper)}`);
  renderTickets();
  if (state.open?.type === 'ticket' && state.open.id === ticket.id) renderTicket(ticket);
}

function renderTickets() {
  const items = [...state.tickets.values()].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  redraw($('tickets'), items.map((t) => {
    const current = state.open?.type === 'ticket' && state.open.id === t.id;
    const late = overdue(t);
    return el('li', { 'data-id': t.id },
      el('button', {
        type: 'button', class: `item${late ? ' overdue' : ''}`, 'aria-current': current ? 'true' : null,
        onclick: () => openTicket(t.id),
      },
      el('span', { class: 'item-title', text: `${capital(t.kind)} · ${t.category}` }),
      el('span', { class: `pill status-${t.status}`, text: label(t.status) }),
      el('span', { class: 'item-sub', text: shopperName(t.shopper) }),
      el('span', { class: 'item-time', text: t.dueAt ? `${late ? 'Overdue since' : 'Due'} ${when(t.dueAt)}` : '' })));
  }));
  $('tickets-count').textContent = String(items.length);
  $('tickets-empty').hidden = items.length > 0;
}

function openTicket(id) {
  state.open = { type: 'ticket', id };
  $('transition-error').textContent = '';
  $('transition-note').value = '';
  renderTicket(state.tickets.get(id));
  showPane('ticket');
  renderLists();
  $('detail').focus();
}

function renderTicket(ticket) {
  $('ticket-title').textContent = `${capital(ticket.kind)}: ${ticket.category}`;
  $('ticket-meta').textContent = `${shopperName(ticket.shopper)}${ticket.shopper?.user?.email ? ` · ${ticket.shopper.user.email}` : ''} · opened ${when(ticket.createdAt)}`;
  const status = $('ticket-status');
  status.textContent = label(ticket.status);
  status.className = `badge status-${ticket.status}`;
  const late = overdue(ticket);
  const facts = [
    ['Ticket', ticket.id], ['Order', ticket.orderId], ['Amount', money(ticket.amount)],
    ['Items', ticket.items.map((i) => `${i.orderItemId} × ${i.quantity}`).join(', ')],
    ['Due', ticket.dueAt ? `${when(ticket.dueAt)}${late ? ' — overdue' : ''}` : ''],
    ['Appealable', ticket.appealable ? 'yes' : ''],
  ].filter(([, value]) => value);
  $('ticket-facts').replaceChildren(...facts.flatMap(([name, value]) =>
    [el('dt', { text: name }), el('dd', { text: value, class: name === 'Due' && late ? 'overdue' : null })]));
  $('ticket-description').textContent = ticket.description;
  $('ticket-evidence').replaceChildren(attachments(ticket.attachmentIds) ?? '');
  $('timeline').replaceChildren(...ticket.timeline.map((entry) =>
    el('li', {},
      el('strong', { text: label(entry.status) }),
      el('span', { class: 'muted', text: ` by ${entry.actor}, ` }),
      el('time', { datetime: entry.at, text: when(entry.at) }),
      entry.note ? el('p', { class: 'note', text: entry.note }) : null)));
  $('ticket-comments-section').hidden = ticket.comments.length === 0;
  $('ticket-comments').replaceChildren(...ticket.comments.map((comment) =>
    el('li', {}, el('strong', { text: comment.author }), el('span', { class: 'muted', text: ` ${when(comment.createdAt)}` }),
      el('p', { text: comment.text }), attachments(comment.attachmentIds))));
  const next = nextStatuses(ticket.kind, ticket.status);
  $('transition-buttons').replaceChildren(...next.map((to) =>
    el('button', { type: 'submit', name: 'to', value: to, class: to === 'rejected' ? 'danger' : null, text: label(to) })));
  $('transition-none').hidden = next.length > 0;
}

async function transition(event) {
  event.preventDefault();
  const to = event.submitter?.value;
  if (!to || state.open?.type !== 'ticket') return;
  const id = state.open.id;
  const note = $('transition-note').value.trim();
  const buttons = [...$('transition-buttons').querySelectorAll('button')];
  buttons.forEach((button) => (button.disabled = true));
  $('transition-error').textContent = '';
  try {
    const ticket = await api('POST', `/v1/agent/tickets/${encodeURIComponent(id)}/transition`, { to, ...(note ? { note } : {}) });
    $('transition-note').value = '';
    upsertTicket(ticket);
    announce(`Ticket moved to ${label(ticket.status)}`);
  } catch (error) {
    $('transition-error').textContent = error.status === 409
      ? `Not moved: someone changed this ticket first. ${error.message}`
      : `Not moved: ${error.message}`;
    buttons.forEach((button) => (button.disabled = false));
  }
}

// --- alerts: low ratings, with what they rate, to reply to or follow up ------------------------------
const stars = (score) => `${score} star${score === 1 ? '' : 's'}`;
const subjectName = (subject) => `${capital(subject.type)} ${subject.id}`;

function upsertAlert(alert, live = false) {
  const known = state.alerts.has(alert.id);
  if (alert.status === 'open') state.alerts.set(alert.id, alert);
  else state.alerts.delete(alert.id);
  if (live && !known && alert.status === 'open') {
    announce(`Low rating: ${stars(alert.score)} from ${shopperName(alert.shopper)}${alert.comment ? ` — ${alert.comment}` : ''}`);
  }
  renderAlerts();
  if (state.open?.type === 'alert' && state.open.id === alert.id) renderAlert(alert);
}

function renderAlerts() {
  const items = [...state.alerts.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  redraw($('alerts'), items.map((a) => {
    const current = state.open?.type === 'alert' && state.open.id === a.id;
    return el('li', { 'data-id': a.id },
      el('button', {
        type: 'button', class: 'item alert', 'aria-current': current ? 'true' : null,
        onclick: () => openAlert(a.id),
      },
      el('span', { class: 'item-title', text: `${stars(a.score)} · ${shopperName(a.shopper)}` }),
      el('span', { class: 'pill low', text: a.subject.type }),
      el('span', { class: 'item-sub', text: a.comment || 'No comment' }),
      el('span', { class: 'item-time', text: clock.format(new Date(a.createdAt)) })));
  }));
  $('alerts-count').textContent = String(items.length);
  $('alerts-empty').hidden = items.length > 0;
}

function openAlert(id) {
  state.open = { type: 'alert', id };
  $('follow-up-error').textContent = '';
  $('follow-up-text').value = '';
  renderAlert(state.alerts.get(id));
  showPane('alert');
  renderLists();
  $('detail').focus();
}

function renderAlert(alert) {
  if (!alert) return;
  $('alert-title').textContent = `${stars(alert.score)} from ${shopperName(alert.shopper)}`;
  $('alert-meta').textContent = `${subjectName(alert.subject)} · rated ${when(alert.createdAt)}`;
  const status = $('alert-status');
  status.textContent = alert.status === 'open' ? 'open' : 'dealt with';
  status.className = `badge ${alert.status === 'open' ? 'status-rejected' : 'status-resolved'}`;
  $('alert-comment').textContent = alert.comment || 'The shopper left no comment.';
  const facts = [
    ['Score', `${alert.score} of 5`], ['Rates', subjectName(alert.subject)],
    ['Shopper', [shopperName(alert.shopper), alert.shopper?.user?.email].filter(Boolean).join(' · ')],
    ['Follow-up ticket', alert.followUpTicketId ?? ''],
  ].filter(([, value]) => value);
  $('alert-facts').replaceChildren(...facts.flatMap(([name, value]) => [el('dt', { text: name }), el('dd', { text: value })]));
  $('alert-open-subject').hidden = alert.subject.type === 'article';
  $('alert-open-subject').textContent = alert.subject.type === 'conversation' ? 'Open the conversation to reply' : 'Open the rated ticket';
  $('alert-resolve').disabled = alert.status !== 'open';
  const followed = Boolean(alert.followUpTicketId);
  $('follow-up').querySelector('button').disabled = followed;
  $('follow-up-text').disabled = followed;
}

/** Opens what the alert rates: a conversation (to reply, loaded if not in the queue) or a ticket. */
async function openAlertSubject() {
  const alert = state.alerts.get(state.open?.id);
  if (!alert) return;
  if (alert.subject.type === 'conversation') {
    if (!state.conversations.has(alert.subject.id)) {
      const all = await api('GET', '/v1/agent/conversations?status=all&limit=100').catch(() => ({ conversations: [] }));
      const found = all.conversations.find((c) => c.id === alert.subject.id);
      if (found) state.conversations.set(found.id, found);
    }
    await openConversation(alert.subject.id);
    const conversation = state.conversations.get(alert.subject.id);
    if (conversation) renderConversationHead(conversation);
  } else if (state.tickets.has(alert.subject.id)) {
    openTicket(alert.subject.id);
  } else {
    $('follow-up-error').textContent = 'That ticket is not in the list any more.';
  }
}

async function resolveAlert() {
  if (state.open?.type !== 'alert') return;
  try {
    const alert = await api('POST', `/v1/agent/alerts/${encodeURIComponent(state.open.id)}/resolve`);
    renderAlert(alert);
    upsertAlert(alert);
    announce('Alert marked as dealt with');
  } catch (error) {
    $('follow-up-error').textContent = `Not changed: ${error.message}`;
  }
}

async function followUp(event) {
  event.preventDefault();
  if (state.open?.type !== 'alert') return;
  const id = state.open.id;
  const description = $('follow-up-text').value.trim();
  const button = $('follow-up').querySelector('button');
  button.disabled = true;
  $('follow-up-error').textContent = '';
  try {
    const ticket = await createOnce(`/v1/agent/alerts/${encodeURIComponent(id)}/follow-up`, description ? { description } : {});
    upsertTicket(ticket);
    const alert = state.alerts.get(id);
    if (alert) upsertAlert({ ...alert, followUpTicketId: ticket.id });
    announce(`Follow-up ticket opened for ${shopperName(ticket.shopper)}`);
  } catch (error) {
    $('follow-up-error').textContent = `Not opened: ${error.message}`;
    button.disabled = false;
  }
}

// --- insights ---------------------------------------------------------------------------------------
const SVG = 'http://www.w3.org/2000/svg';
const DAY_MS = 86_400_000;
const insightsState = { days: null, breakdown: null, sort: { key: 'rating', ascending: true } };
const percent = (share) => (share == null ? '—' : `${Math.round(share * 100)}%`);
const decimal = (value) => (value == null ? '—' : value.toFixed(2));
/** A wait in ms, said the way a person would (45 s, 3.2 min, 5.1 h, 2.3 d). */
function duration(ms) {
  if (ms == null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < DAY_MS) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / DAY_MS).toFixed(1)} d`;
}
const spread = (d) => (d.count ? `${duration(d.medianMs)} / ${duration(d.p90Ms)}` : '—');

/** The columns of both tables and their CSV: heading, cell text, CSV value, sort value. */
const COLUMNS = [
  { key: 'conversations', label: 'Conversations', text: (g) => String(g.conversations), csv: (g) => g.conversations, sort: (g) => g.conversations },
  { key: 'handoff', label: 'Handed to a person', text: (g) => percent(g.handoffRate), csv: (g) => g.handoffRate ?? '', sort: (g) => g.handoffRate ?? -1 },
  { key: 'ratings', label: 'Ratings', text: (g) => String(g.ratings.count), csv: (g) => g.ratings.count, sort: (g) => g.ratings.count },
  { key: 'rating', label: 'Average rating', text: (g) => decimal(g.ratings.average), csv: (g) => g.ratings.average ?? '', sort: (g) => g.ratings.average ?? 99 },
  { key: 'satisfied', label: 'Rated 4–5', text: (g) => percent(g.ratings.satisfied), csv: (g) => g.ratings.satisfied ?? '', sort: (g) => g.ratings.satisfied ?? -1 },
  { key: 'dissatisfied', label: 'Rated 1–2', text: (g) => percent(g.ratings.dissatisfied), csv: (g) => g.ratings.dissatisfied ?? '', sort: (g) => g.ratings.dissatisfied ?? -1 },
  { key: 'firstResponse', label: 'First answer by a person', text: (g) => spread(g.firstResponse.agent), csv: (g) => g.firstResponse.agent.medianMs ?? '', sort: (g) => g.firstResponse.agent.medianMs ?? -1 },
  { key: 'resolution', label: 'Resolution', text: (g) => spread(g.resolution), csv: (g) => g.resolution.medianMs ?? '', sort: (g) => g.resolution.medianMs ?? -1 },
  { key: 'tickets', label: 'Tickets', text: (g) => String(g.ticketsCreated), csv: (g) => g.ticketsCreated, sort: (g) => g.ticketsCreated },
  { key: 'pastDue', label: 'Past due', text: (g) => String(g.ticketsPastDue), csv: (g) => g.ticketsPastDue, sort: (g) => g.ticketsPastDue },
  { key: 'selfService', label: 'Self-service', text: (g) => percent(g.selfServiceRate), csv: (g) => g.selfServiceRate ?? '', sort: (g) => g.selfServiceRate ?? -1 },
];
const CSV_EXTRA = [
  ['first_response_agent_p90_ms', (g) => g.firstResponse.agent.p90Ms ?? ''],
  ['first_response_bot_median_ms', (g) => g.firstResponse.bot.medianMs ?? ''],
  ['resolution_p90_ms', (g) => g.resolution.p90Ms ?? ''],
  ['handoffs', (g) => g.handoffs],
  ['help_sessions', (g) => g.helpSessions],
  ['self_served', (g) => g.selfServed],
  ['searches', (g) => g.searches],
  ['searches_without_result', (g) => g.searchesWithoutResult],
];
/** The kinds of wait in the response-time distribution: its key in the answer, name, and chart class. */
const WAITS = [
  ['bot', 'First answer by the bot', 'series-bot'],
  ['agent', 'First answer by a person', 'series-agent'],
  ['resolution', 'Resolution', 'series-resolution'],
];

function isoDay(time) {
  return new Date(time).toISOString().slice(0, 10);
}

function showView(name) {
  const insights = name === 'insights';
  $('work-view').hidden = insights;
  $('insights-view').hidden = !insights;
  if (insights) {
    $('view-work').removeAttribute('aria-current');
    $('view-insights').setAttribute('aria-current', 'page');
    if (state.token && !insightsState.days) void loadInsights();
  } else {
    $('view-insights').removeAttribute('aria-current');
    $('view-work').setAttribute('aria-current', 'page');
  }
}

async function loadInsights(event) {
  event?.preventDefault();
  const from = $('insights-from').value;
  const to = $('insights-to').value;
  const groupBy = $('insights-group').value;
  $('insights-error').textContent = '';
  const view = $('insights-view');
  view.setAttribute('aria-busy', 'true');
  try {
    const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const [days, breakdown] = await Promise.all([
      api('GET', `/v1/agent/insights?${range}&groupBy=day`),
      api('GET', `/v1/agent/insights?${range}&groupBy=${encodeURIComponent(groupBy)}`),
    ]);
    insightsState.days = days;
    insightsState.breakdown = breakdown;
    renderInsights();
  } catch (error) {
    $('insights-error').textContent = `Could not load the figures: ${error.message}`;
  } finally {
    view.removeAttribute('aria-busy');
  }
}

/** Every day of the range, with zeros where nothing happened, so the trend has no gaps. */
function everyDay(insights) {
  const byDay = new Map(insights.groups.map((g) => [g.key, g]));
  const days = [];
  for (let t = Date.parse(insights.from); t < Date.parse(insights.to); t += DAY_MS) {
    const key = isoDay(t);
    days.push(byDay.get(key) ?? { key, ...emptyFigures(insights.total) });
  }
  return days;
}
/** Zero figures of the same shape (from a real answer, so the shape has one source). */
function emptyFigures(sample) {
  const zero = (value) => (typeof value === 'number' ? 0 : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, zero(v)])) : null);
  const figures = zero(sample);
  for (const path of [['ratings', 'average'], ['ratings', 'satisfied'], ['ratings', 'dissatisfied']]) figures[path[0]][path[1]] = null;
  figures.handoffRate = null;
  for (const d of [figures.firstResponse.bot, figures.firstResponse.agent, figures.resolution]) d.medianMs = d.p90Ms = null;
  return figures;
}

function renderInsights() {
  const { days, breakdown } = insightsState;
  const total = days.total;
  const summary = [
    ['Conversations', String(total.conversations)],
    ['Handed to a person', percent(total.handoffRate)],
    ['Average rating', total.ratings.count ? `${decimal(total.ratings.average)} of 5 (${total.ratings.count})` : '—'],
    ['Rated 4–5 / 1–2', `${percent(total.ratings.satisfied)} / ${percent(total.ratings.dissatisfied)}`],
    ['First answer by a person', spread(total.firstResponse.agent)],
    ['First answer by the bot', spread(total.firstResponse.bot)],
    ['Resolution', spread(total.resolution)],
    ['Tickets past due', `${total.ticketsPastDue} of ${total.ticketsCreated} new`],
    ['Self-service', total.helpSessions ? `${percent(total.selfServiceRate)} of ${total.helpSessions} help sessions` : '—'],
    ['Searches without a result', total.searches ? `${total.searchesWithoutResult} of ${total.searches}` : '—'],
  ];
  $('insights-summary').replaceChildren(...summary.map(([name, value]) =>
    el('div', {}, el('dt', { text: name }), el('dd', { text: value }))));
  const series = everyDay(days);
  drawBars($('chart-conversations'), series, {
    title: 'Conversations per day', value: (d) => d.conversations, format: (v) => String(v),
  });
  drawBars($('chart-rating'), series, {
    title: 'Average rating per day (1–5)', value: (d) => d.ratings.average, format: decimal, max: 5, low: (v) => v < 3.5,
  });
  $('days-table').replaceChildren(figuresTable('Day', series, null, 'Figures per day'));
  renderBreakdown();
  renderTimes(days.distribution);
  renderGaps(days.contentGaps);
}

/** A bucket's name from its bounds: `<1 s`, `1–10 s`, `30 s–1 min`, `≥3 d`. */
function bucketNames(bounds) {
  const short = (ms) => duration(ms).replace(/\.0 /, ' ');
  return [...bounds, null].map((upper, i) => {
    const lower = i ? bounds[i - 1] : null;
    if (lower == null) return `<${short(upper)}`;
    if (upper == null) return `≥${short(lower)}`;
    const [a, b] = [short(lower), short(upper)];
    const unit = (text) => text.split(' ')[1];
    return unit(a) === unit(b) ? `${a.split(' ')[0]}–${b}` : `${a}–${b}`;
  });
}

/** The response-time distribution: a grouped bar chart of shares, and the counts as a table. */
function renderTimes(distribution) {
  const names = bucketNames(distribution.boundsMs);
  const totals = WAITS.map(([key]) => distribution[key].reduce((sum, n) => sum + n, 0));
  drawDistribution($('chart-times'), names, distribution, totals);
  const head = el('tr', {}, el('th', { scope: 'col', text: 'Took' }), ...WAITS.map(([, label]) => el('th', { scope: 'col', text: label })));
  const body = names.map((name, i) => el('tr', {}, el('th', { scope: 'row', text: name }), ...WAITS.map(([key], w) =>
    el('td', { text: `${distribution[key][i]} (${percent(totals[w] ? distribution[key][i] / totals[w] : null)})` }))));
  $('times-table').replaceChildren(el('table', {},
    el('caption', { class: 'visually-hidden', text: 'Response times: how many waits took how long, and their share' }),
    el('thead', {}, head), el('tbody', {}, ...body)));
}

/**
 * Shares of each kind of wait per bucket as grouped bars (inline SVG built node by node), with a
 * legend, and a description in words naming where each kind mostly falls.
 */
function drawDistribution(figure, names, distribution, totals) {
  const width = 640;
  const height = 200;
  const pad = { top: 12, right: 8, bottom: 28, left: 40 };
  const node = svgNode;
  const shares = WAITS.map(([key], w) => distribution[key].map((n) => (totals[w] ? n / totals[w] : 0)));
  const top = Math.max(0.1, ...shares.flat());
  const slot = (width - pad.left - pad.right) / names.length;
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / top);
  const id = figure.id;
  const words = WAITS.map(([key, label], w) => {
    if (!totals[w]) return `${label}: none`;
    const most = distribution[key].indexOf(Math.max(...distribution[key]));
    return `${label}: ${totals[w]}, most ${names[most]} (${percent(shares[w][most])})`;
  });
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'bars' });
  svg.append(node('title', { id: `${id}-title` }, 'Response times'),
    node('desc', { id: `${id}-desc` }, `${words.join('; ')}. The table below has every count.`));
  for (const tick of [0, top / 2, top]) {
    svg.append(node('line', { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), class: 'grid' }));
    svg.append(node('text', { x: pad.left - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'axis' }, percent(tick)));
  }
  const bar = (slot * 0.8) / WAITS.length;
  names.forEach((name, i) => {
    WAITS.forEach(([key, label, cls], w) => {
      const v = shares[w][i];
      if (!v) return;
      const rect = node('rect', {
        x: pad.left + i * slot + slot * 0.1 + w * bar, y: y(v), width: Math.max(1, bar - 1), height: Math.max(0, y(0) - y(v)), class: cls,
      });
      rect.append(node('title', {}, `${label}, ${name}: ${distribution[key][i]} (${percent(v)})`));
      svg.append(rect);
    });
    // The axis says it compactly (30s–1m); the bars' titles and the table say it in full.
    const compact = name.replace(/ (s|min|h|d)\b/g, (_, unit) => (unit === 'min' ? 'm' : unit));
    svg.append(node('text', { x: pad.left + i * slot + slot / 2, y: height - 8, 'text-anchor': 'middle', class: 'axis' }, compact));
  });
  const legend = el('ul', { class: 'legend', 'aria-hidden': 'true' }, ...WAITS.map(([, label, cls]) => {
    const swatch = node('svg', { viewBox: '0 0 12 12', class: 'bars' });
    swatch.append(node('rect', { width: 12, height: 12, class: cls }));
    return el('li', {}, swatch, label);
  }));
  figure.replaceChildren(svg, legend, el('figcaption', { class: 'visually-hidden', text: 'Response times' }));
}

/** The most frequent searches that found nothing. */
function renderGaps(gaps) {
  if (!gaps.length) {
    $('gaps-table').replaceChildren(el('p', { class: 'empty', text: 'Every search in this range found something.' }));
    return;
  }
  const head = el('tr', {}, ...['Search', 'Times', 'Last seen'].map((text) => el('th', { scope: 'col', text })));
  const body = gaps.map((g) => el('tr', {}, el('th', { scope: 'row', text: g.query }), el('td', { text: String(g.count) }),
    el('td', { text: when(g.lastSeen) })));
  $('gaps-table').replaceChildren(el('table', {},
    el('caption', { class: 'visually-hidden', text: 'Top unanswered searches' }), el('thead', {}, head), el('tbody', {}, ...body)));
}

function renderBreakdown() {
  const { breakdown, sort } = insightsState;
  const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[3];
  const rows = [...breakdown.groups].sort((a, b) => (column.sort(a) - column.sort(b)) * (sort.ascending ? 1 : -1));
  const name = $('insights-group').selectedOptions[0]?.textContent ?? 'Group';
  $('breakdown-table').replaceChildren(rows.length
    ? figuresTable(name, rows, sort, `Figures by ${name.toLowerCase()}`)
    : el('p', { class: 'empty', text: 'Nothing happened in this range.' }));
}

/** A table of figures; with `sort`, its headings are buttons that sort it (aria-sort says how). */
function figuresTable(first, rows, sort, caption) {
  const head = el('tr', {}, el('th', { scope: 'col', text: first }), ...COLUMNS.map((c) => {
    if (!sort) return el('th', { scope: 'col', text: c.label });
    const active = sort.key === c.key;
    return el('th', { scope: 'col', 'aria-sort': active ? (sort.ascending ? 'ascending' : 'descending') : null },
      el('button', {
        type: 'button', class: 'sort', text: c.label,
        onclick: () => {
          insightsState.sort = { key: c.key, ascending: active ? !sort.ascending : c.key === 'rating' };
          renderBreakdown();
          $('breakdown-table').querySelector(`th[aria-sort] button`)?.focus();
        },
      }));
  }));
  const body = rows.map((g) => el('tr', {}, el('th', { scope: 'row', text: g.key }), ...COLUMNS.map((c) => el('td', { text: c.text(g) }))));
  return el('table', {}, el('caption', { class: 'visually-hidden', text: caption }), el('thead', {}, head), el('tbody', {}, ...body));
}

/** An SVG element with attributes and text (never markup from strings). */
function svgNode(tag, attrs = {}, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text != null) n.textContent = text;
  return n;
}

/**
 * A bar chart as inline SVG, built node by node from the data (never markup from strings). The
 * figure's caption and the SVG's title and description say what it shows in words.
 */
function drawBars(figure, series, { title, value, format, max, low }) {
  const width = 640;
  const height = 180;
  const pad = { top: 12, right: 8, bottom: 24, left: 36 };
  const values = series.map(value);
  const present = values.filter((v) => v != null);
  const top = max ?? Math.max(1, ...present);
  const slot = (width - pad.left - pad.right) / Math.max(1, series.length);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / top);
  const node = svgNode;
  const id = figure.id;
  const best = present.length ? Math.max(...present) : null;
  const worst = present.length ? Math.min(...present) : null;
  const description = present.length
    ? `${series.length} days from ${series[0].key} to ${series.at(-1).key}; highest ${format(best)}, lowest ${format(worst)}, last day ${format(values.at(-1))}. The per-day table below has every value.`
    : 'No data in this range.';
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'bars' });
  svg.append(node('title', { id: `${id}-title` }, title), node('desc', { id: `${id}-desc` }, description));
  for (const tick of [0, top / 2, top]) {
    svg.append(node('line', { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), class: 'grid' }));
    svg.append(node('text', { x: pad.left - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'axis' }, format(tick)));
  }
  series.forEach((d, i) => {
    const v = values[i];
    if (v == null) return;
    const bar = node('rect', {
      x: pad.left + i * slot + slot * 0.15, y: y(v), width: Math.max(1, slot * 0.7), height: Math.max(0, y(0) - y(v)),
      class: low?.(v) ? 'bar low' : 'bar',
    });
    bar.append(node('title', {}, `${d.key}: ${format(v)}`));
    svg.append(bar);
  });
  const every = Math.max(1, Math.ceil(series.length / 8));
  series.forEach((d, i) => {
    if (i % every) return;
    svg.append(node('text', { x: pad.left + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle', class: 'axis' }, d.key.slice(5)));
  });
  figure.replaceChildren(svg, el('figcaption', { text: title }));
}

/** Downloads figures rows as CSV: the group, every column, and the extra raw values. */
function exportCsv(name, first, rows) {
  const header = [first, ...COLUMNS.map((c) => c.label), ...CSV_EXTRA.map(([label]) => label)];
  downloadCsv(name, [header, ...rows.map((g) => [g.key, ...COLUMNS.map((c) => c.csv(g)), ...CSV_EXTRA.map(([, get]) => get(g))])]);
}

/** Downloads lines of cells as a CSV file (RFC 4180 quoting; a leading =+-@ is defused so spreadsheets never run it). */
function downloadCsv(name, lines) {
  const cell = (value) => {
    let text = String(value ?? '');
    if (/^[=+\-@]/.test(text) && Number.isNaN(Number(text))) text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const blob = new Blob([`${lines.map((line) => line.map(cell).join(',')).join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
  const link = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

function exportDays() {
  if (!insightsState.days) return;
  const { from, to } = insightsState.days;
  exportCsv(`kefu-insights-days-${from.slice(0, 10)}-${to.slice(0, 10)}.csv`, 'day', everyDay(insightsState.days));
}
function exportGaps() {
  if (!insightsState.days) return;
  const { from, to, contentGaps } = insightsState.days;
  downloadCsv(`kefu-unanswered-searches-${from.slice(0, 10)}-${to.slice(0, 10)}.csv`,
    [['search', 'count', 'last_seen'], ...contentGaps.map((g) => [g.query, g.count, g.lastSeen])]);
}
function exportTimes() {
  if (!insightsState.days) return;
  const { from, to, distribution } = insightsState.days;
  const names = bucketNames(distribution.boundsMs);
  downloadCsv(`kefu-response-times-${from.slice(0, 10)}-${to.slice(0, 10)}.csv`, [
    ['took', 'from_ms', 'to_ms', ...WAITS.map(([key]) => key)],
    ...names.map((name, i) => [name, distribution.boundsMs[i - 1] ?? 0, distribution.boundsMs[i] ?? '', ...WAITS.map(([key]) => distribution[key][i])]),
  ]);
}
function exportBreakdown() {
  if (!insightsState.breakdown) return;
  const { from, to, groupBy } = insightsState.breakdown;
  exportCsv(`kefu-insights-${groupBy}-${from.slice(0, 10)}-${to.slice(0, 10)}.csv`, groupBy, insightsState.breakdown.groups);
}

// --- start ---------------------------------------------------------------------------------------------
async function loadLists() {
  const [conversations, tickets, alerts] = await Promise.all([
    api('GET', '/v1/agent/conversations'),
    api('GET', '/v1/agent/tickets'),
    api('GET', '/v1/agent/alerts'),
  ]);
  for (const conversation of conversations.conversations) upsertConversation(conversation);
  for (const ticket of tickets.tickets) upsertTicket(ticket);
  for (const alert of alerts.alerts) upsertAlert(alert);
  renderLists();
  if (!$('insights-view').hidden) void loadInsights();
}

function connect(token) {
  state.stream?.();
  state.token = token;
  state.lastEventId = '';
  state.conversations.clear();
  state.tickets.clear();
  state.alerts.clear();
  setConnection('connecting', 'Connecting…');
  state.stream = openStream(() => loadLists().catch((error) => setConnection('error', `Could not load: ${error.message}`)));
}

function start() {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    params.delete('token'); // Out of the address bar and the history once read.
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}${location.hash}`);
  }
  let stored = '';
  try {
    stored = localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    stored = ''; // Storage blocked: the agent types the token each time.
  }
  const token = fromUrl || stored;
  $('token').value = token;
  $('auth').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) return;
    try {
      localStorage.setItem(TOKEN_KEY, value);
    } catch {
      // Not remembered; it still works for this visit.
    }
    connect(value);
  });
  $('reply').addEventListener('submit', sendReply);
  $('reply-text').addEventListener('input', typing);
  $('reply-text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('reply').requestSubmit();
    }
  });
  $('close-conversation').addEventListener('click', closeConversation);
  // Back to the console's tab: what the open conversation received meanwhile is read now.
  document.addEventListener('visibilitychange', () => state.open?.type === 'conversation' && markRead(state.open.id));
  $('transition').addEventListener('submit', transition);
  $('alert-open-subject').addEventListener('click', () => void openAlertSubject());
  $('alert-resolve').addEventListener('click', resolveAlert);
  $('follow-up').addEventListener('submit', followUp);
  $('insights-filter').addEventListener('submit', loadInsights);
  $('export-days').addEventListener('click', exportDays);
  $('export-breakdown').addEventListener('click', exportBreakdown);
  $('export-gaps').addEventListener('click', exportGaps);
  $('export-times').addEventListener('click', exportTimes);
  const today = Date.now();
  $('insights-to').value = isoDay(today);
  $('insights-from').value = isoDay(today - 27 * DAY_MS);
  // The view follows the address (#insights), so it survives a reload and the back button.
  addEventListener('hashchange', () => showView(location.hash === '#insights' ? 'insights' : 'work'));
  showView(location.hash === '#insights' ? 'insights' : 'work');
  renderLists();
  // In demo mode the signing endpoint answers; then the demo agent token is shown as a hint.
  fetch('/demo/token?user=alice').then((response) => {
    if (!response.ok) return;
    const hint = $('token-hint');
    hint.textContent = 'Demo mode: the agent token is kefu-demo-agent';
    hint.hidden = false;
    if (!$('token').value) $('token').placeholder = 'kefu-demo-agent';
  }, () => undefined);
  if (token) connect(token);
}

start();
