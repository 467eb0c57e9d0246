// The script injected into every frame before any page script (page.addInitScript).
// It records, in the page's own clock, when the bubble and the panel first become visible,
// when the user's pointer went down, and every long task. Timing in the page avoids adding
// the Node <-> browser round trip (several ms under CPU throttling) to what we measure.
//
// Why no requestAnimationFrame polling: a rAF loop makes the page render every frame, which
// at 4× throttling costs hundreds of ms of main-thread time over a few seconds — more than the
// widget we want to measure. Instead a MutationObserver finds the element and an
// IntersectionObserver tells when it gets a box on screen (entry.time = that rendering update).
// Only if the element has a box but is still visibility:hidden do we poll, briefly, per frame.

/* eslint-disable no-undef -- this function runs in the browser, not in Node */
function probe(targets) {
  const isTop = window === window.top;
  // Absolute times (ms since epoch, sub-ms precision) so marks from an iframe and from the top
  // page can be compared with the top page's navigation start.
  const abs = (t) => performance.timeOrigin + t;
  const bench = { timeOrigin: performance.timeOrigin, marks: {}, longtasks: [] };
  window.__bench = bench;

  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // longtask not supported: the list stays empty.
  }

  // Marks go to Node through a Playwright binding (no polling from Node, which would itself
  // cost main-thread time inside the window we measure).
  const report = (name, t) => {
    if (typeof window.__benchMark === 'function') window.__benchMark(name, t);
  };

  // Capture phase on window: we see the real input even if the widget stops propagation.
  addEventListener('pointerdown', (e) => report('pointerdown', abs(e.timeStamp)), true);

  // Only the targets that live in this kind of frame (top document or iframe) are watched here.
  const mine = {};
  for (const [name, t] of Object.entries(targets)) if (t && Boolean(t.iframe) !== isTop) mine[name] = t;
  if (Object.keys(mine).length === 0) return;

  const watching = new Set();
  const observed = new Map(); // name -> element currently observed
  const onScreen = new WeakMap(); // element -> last isIntersecting

  function find(t) {
    const root = t.host ? document.querySelector(t.host)?.shadowRoot : document;
    return root ? root.querySelector(t.css) : null;
  }

  function visible(el) {
    if (!el || !el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    return el.checkVisibility ? el.checkVisibility({ visibilityProperty: true }) : true;
  }

  function mark(name, t) {
    if (!watching.has(name)) return;
    watching.delete(name);
    bench.marks[name] = t;
    report(name, t);
  }

  // Box present but not yet visible (e.g. visibility:hidden during a transition): check each frame
  // until it is, for at most 10 s. Rare, and only while we wait for that one element.
  function pollVisible(name, el) {
    const until = performance.now() + 10_000;
    const tick = (now) => {
      if (!watching.has(name) || observed.get(name) !== el) return;
      if (visible(el)) return mark(name, abs(now));
      if (performance.now() < until) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      onScreen.set(e.target, e.isIntersecting);
      if (!e.isIntersecting) continue;
      for (const [name, el] of observed) {
        if (el !== e.target || !watching.has(name)) continue;
        if (visible(el)) mark(name, abs(e.time));
        else pollVisible(name, el);
      }
    }
  });

  function attach(name) {
    const el = find(mine[name]);
    if (!el || observed.get(name) === el) return;
    if (observed.has(name)) io.unobserve(observed.get(name));
    observed.set(name, el);
    io.observe(el); // the first callback reports the current state
  }

  // Finds targets as they are added. Open shadow roots need their own observation.
  const seenRoots = new WeakSet();
  const mo = new MutationObserver(() => {
    for (const t of Object.values(mine)) {
      const root = t.host ? document.querySelector(t.host)?.shadowRoot : null;
      if (root && !seenRoots.has(root)) {
        seenRoots.add(root);
        mo.observe(root, { childList: true, subtree: true });
      }
    }
    for (const name of watching) attach(name);
  });
  mo.observe(document, { childList: true, subtree: true });

  /** (Re)starts watching `name`; its previous mark is dropped. */
  bench.watch = (name) => {
    if (!mine[name]) return;
    delete bench.marks[name];
    watching.add(name);
    attach(name);
    const el = observed.get(name);
    // Already on screen but hidden: IntersectionObserver will not fire again, so poll.
    if (el && onScreen.get(el)) {
      if (visible(el)) mark(name, abs(performance.now()));
      else pollVisible(name, el);
    }
  };

  if (mine.bubble) bench.watch('bubble');
}

/** Source of the init script for a widget's targets. */
export function probeScript({ bubble = null, panel = null } = {}) {
  return `(${probe.toString()})(${JSON.stringify({ bubble, panel })});`;
}
