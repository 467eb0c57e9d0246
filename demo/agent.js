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
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${state.token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
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
  if (state.open?.type === 'conversation' && state.open.id === conversationId) addMessages([message]);
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
}

async function openConversation(id) {
  state.open = { type: 'conversation', id };
  state.messages = new Map();
  $('messages').replaceChildren();
  $('reply-error').textContent = '';
  const conversation = state.conversations.get(id);
  if (conversation) renderConversationHead(conversation);
  showPane('conversation');
  renderQueue();
  renderTickets();
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
    const message = await api('POST', `/v1/agent/conversations/${encodeURIComponent(id)}/messages`, { text });
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
  renderQueue();
  renderTickets();
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
  $('timeline').replaceChildren(...ticket.timeline.map((entry) =>
    el('li', {},
      el('strong', { text: label(entry.status) }),
      el('span', { class: 'muted', text: ` by ${entry.actor}, ` }),
      el('time', { datetime: entry.at, text: when(entry.at) }),
      entry.note ? el('p', { class: 'note', text: entry.note }) : null)));
  $('ticket-comments-section').hidden = ticket.comments.length === 0;
  $('ticket-comments').replaceChildren(...ticket.comments.map((comment) =>
    el('li', {}, el('strong', { text: comment.author }), el('span', { class: 'muted', text: ` ${when(comment.createdAt)}` }),
      el('p', { text: comment.text }))));
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

// --- start ---------------------------------------------------------------------------------------------
async function loadLists() {
  const [conversations, tickets] = await Promise.all([
    api('GET', '/v1/agent/conversations'),
    api('GET', '/v1/agent/tickets'),
  ]);
  for (const conversation of conversations.conversations) upsertConversation(conversation);
  for (const ticket of tickets.tickets) upsertTicket(ticket);
  renderQueue();
  renderTickets();
}

function connect(token) {
  state.stream?.();
  state.token = token;
  state.lastEventId = '';
  state.conversations.clear();
  state.tickets.clear();
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
  $('transition').addEventListener('submit', transition);
  renderQueue();
  renderTickets();
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
